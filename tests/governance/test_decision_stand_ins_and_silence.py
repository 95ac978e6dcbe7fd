"""Governance decisions that use the same positions as proposals (issue 15): a stand-in records a
partner's position "by X for Y" (page and API); a written decision reminds the partners without a
position a few working days before its closing date and on the day, once each; at closing the
chain's silence rule applies — consent by silence per silent core partner, never an active yes,
or (silence is not consent) the outcome statement lists who stayed silent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Decision, DecisionPosition, DecisionStatus, PositionKind
from governance.services import decision_deadlines
from governance.services import decisions as services
from stakeholders.models import Notification, Role, SilenceRule, StandIn
from stakeholders.models.stand_ins import name_stand_in
from stakeholders.working_days import add_working_days
from tests.factories import MembershipFactory, PersonFactory
from tests.governance.decision_fixtures import build_board, decide, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


@pytest.fixture
def stand_in(board):
    """A colleague of the police stands in for lead A (member for partner A) from today on."""
    w = board.world
    colleague = PersonFactory(email="collega@example.nl", full_name="Collega Politie", organisation=w.org_a)
    MembershipFactory(person=colleague, chain=w.chain, role=Role.PARTNER_LEAD)
    today = timezone.localdate()
    record = StandIn(
        partnership=w.partner_a, lead=w.lead_a, stand_in=colleague, starts_on=today, ends_on=today + timedelta(days=20)
    )
    record.full_clean()
    name_stand_in(record)
    return colleague


def test_a_stand_in_records_the_position_by_x_for_y(board, stand_in, client_for):
    w = board.world
    decision = propose(board)
    decide(decision, stand_in, PositionKind.CONSENT)
    position = DecisionPosition.objects.get(decision=decision)
    assert (position.partnership, position.recorded_by, position.for_person, position.as_alternate) == (
        w.partner_a,
        stand_in,
        w.lead_a,
        False,
    )
    page = client_for(w.viewer).get(reverse("governance:decision_detail", args=["zsm", decision.pk]))
    by_for = {f"Collega Politie for {w.lead_a.full_name}", f"Collega Politie voor {w.lead_a.full_name}"}
    assert any(text in page.text for text in by_for)
    data = client_for(w.manager).get(f"/api/decisions/{decision.pk}/").json()
    assert data["positions"][0]["for_person"] == {"id": w.lead_a.pk, "full_name": w.lead_a.full_name}
    assert data["positions"][0]["by_silence"] is False


def test_the_stand_in_is_asked_and_a_member_acting_on_their_own_mandate_is_for_nobody(board, stand_in):
    w = board.world
    decision = propose(board)
    asked = set(Notification.objects.filter(key=f"decision-asked:{decision.pk}:1").values_list("person", flat=True))
    assert stand_in.pk in asked
    decide(decision, w.lead_b, PositionKind.CONSENT)
    assert DecisionPosition.objects.get(decision=decision, partnership=w.partner_b).for_person is None


def test_without_a_stand_in_mandate_someone_of_the_partner_speaks_for_nobody(board):
    w = board.world
    decision = propose(board)
    colleague = PersonFactory(email="collega@example.nl", organisation=w.org_a)
    MembershipFactory(person=colleague, chain=w.chain, role=Role.PARTNER_LEAD)
    assert services.speaker(colleague, decision).partnership is None


# --- Reminders ---------------------------------------------------------------------------------


def test_a_written_decision_reminds_the_silent_partners_before_and_on_the_closing_date(board):
    w = board.world
    today = timezone.localdate()
    closes_on = add_working_days(today, 10)
    decision = propose(board, closes_on=closes_on)
    decide(decision, w.lead_b, PositionKind.CONSENT)
    assert decision_deadlines.send_reminders(today) == 0  # not yet
    before = closes_on
    while decision_deadlines.due_reminder(decision, before) != "before":
        before -= timedelta(days=1)
    sent = decision_deadlines.send_reminders(before)
    told = set(
        Notification.objects.filter(key__startswith=f"decision-reminder:{decision.pk}:1:before").values_list(
            "person__email", flat=True
        )
    )
    # Partner A's member and alternate, and the court's judge; not the OM, which answered.
    assert told == {w.lead_a.email, "alternate-a@example.nl", "judge@example.nl"} and sent == 3
    assert decision_deadlines.send_reminders(before) == 0  # once
    assert decision_deadlines.send_reminders(closes_on) == 3
    assert decision_deadlines.send_reminders(closes_on) == 0
    assert Notification.objects.filter(key=f"decision-reminder:{decision.pk}:1:day").count() == 3


def test_the_reminder_comes_the_chain_s_own_lead_time_before_the_closing_date(board):
    chain = board.world.chain
    chain.consent_reminder_days = 5
    chain.save()
    today = timezone.localdate()
    closes_on = add_working_days(today, 10)
    decision = Decision.objects.get(pk=propose(board, closes_on=closes_on).pk)
    five_before, six_before = add_working_days(today, 5), add_working_days(today, 4)
    assert decision_deadlines.due_reminder(decision, five_before) == "before"
    assert decision_deadlines.due_reminder(decision, six_before) is None


def test_no_reminder_before_for_a_round_asked_within_its_window_nor_for_a_meeting_decision(board):
    today = timezone.localdate()
    soon = propose(board, closes_on=add_working_days(today, 2))
    assert decision_deadlines.due_reminder(soon, today) is None
    at_meeting = propose(board, way="meeting", closes_on=today)
    assert decision_deadlines.due_reminder(at_meeting, today) is None


def test_the_beat_runs_the_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-written-decision-reminders"]
    assert entry["task"] == "governance.tasks.send_written_decision_reminders"


# --- Silence at closing ------------------------------------------------------------------------


def past_closing(board):
    w = board.world
    decision = propose(board)
    decide(decision, w.lead_b, PositionKind.CONSENT)
    Decision.objects.filter(pk=decision.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    decision.refresh_from_db()
    return decision


def close(board, decision):
    return services.close(
        board.world.manager, decision, statement="Afgerond.", decided_on=timezone.localdate(), review_on=None
    )


def test_where_silence_is_consent_each_silent_core_partner_consents_by_silence(board, client_for):
    w = board.world
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save(update_fields=["silence_rule"])
    decision = past_closing(board)
    closed = close(board, decision)
    assert closed.status == DecisionStatus.ADOPTED
    silent = DecisionPosition.objects.get(decision=decision, partnership=w.partner_a)
    assert (silent.kind, silent.by_silence, silent.recorded_by) == (PositionKind.CONSENT, True, w.manager)
    # The court (a partner of the chain: advice only) is not made to consent.
    assert not DecisionPosition.objects.filter(decision=decision, partnership=board.court).exists()
    assert not DecisionPosition.objects.get(decision=decision, partnership=w.partner_b).by_silence
    assert "Politie" in closed.outcome_statement
    page = client_for(w.viewer).get(reverse("governance:decision_detail", args=["zsm", decision.pk]))
    assert "Consent by silence" in page.text or "Instemming door zwijgen" in page.text


def test_where_silence_is_not_consent_it_closes_as_before_listing_who_stayed_silent(board):
    decision = past_closing(board)
    closed = close(board, decision)
    assert closed.status == DecisionStatus.REJECTED
    assert not DecisionPosition.objects.filter(decision=decision, by_silence=True).exists()
    assert "Politie" in closed.outcome_statement and "Rechtspraak" in closed.outcome_statement
    assert closed.outcome_statement.startswith("Afgerond.")


def test_a_refused_closing_records_no_silence(board):
    w = board.world
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save(update_fields=["silence_rule"])
    decision = past_closing(board)
    with pytest.raises(services.DecisionRefused):
        services.close(w.manager, decision, statement="  ", decided_on=timezone.localdate(), review_on=None)
    assert not DecisionPosition.objects.filter(decision=decision, by_silence=True).exists()


def test_silence_is_consent_only_by_nobody_in_particular(board):
    from django.db import IntegrityError, transaction

    decision = propose(board)
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionPosition.objects.create(
            decision=decision,
            partnership=board.world.partner_a,
            kind=PositionKind.OBJECTION,
            reason="x",
            by_silence=True,
            recorded_by=board.world.manager,
        )


def test_consent_by_silence_is_no_position_taken_for_participation(board):
    from governance.services import participation

    w = board.world
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save(update_fields=["silence_rule"])
    close(board, past_closing(board))
    rows = {row.partnership.pk: row for row in participation.health(w.chain)}
    assert (rows[w.partner_a.pk].positions.done, rows[w.partner_a.pk].positions.of) == (0, 1)
    assert (rows[w.partner_b.pk].positions.done, rows[w.partner_b.pk].positions.of) == (1, 1)


def test_the_close_page_says_what_closing_does_with_silence_and_the_page_shows_the_rule(board, client_for):
    w = board.world
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save(update_fields=["silence_rule"])
    decision = past_closing(board)
    page = client_for(w.manager).get(reverse("governance:decision_close", args=["zsm", decision.pk]))
    assert 'id="silence-at-closing"' in page.text and "Politie" in page.text
    # The outcome line does not claim it closes as rejected: the silent partners' consent counts first.
    assert "daarna beslist de regel van het overlegorgaan" in page.text
    assert "afgerond als verworpen" not in page.text
    assert 'id="silence-rule"' in client_for(w.viewer).get(decision.get_absolute_url()).text
