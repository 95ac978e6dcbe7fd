"""A decision's steps through its pages: proposing (who may, and every bad input at its field),
amending after an objection (a new round, everyone asked again), closing by the body's rule and
withdrawing; and two people recording one partner's position at the same moment."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from ambitions.models import Indicator
from governance.models import Body, BodyLevel, Decision, DecisionPosition, DecisionStatus, Meeting, PositionKind
from governance.services import decisions as services
from stakeholders.models import Notification
from tests.governance.decision_fixtures import build_board, decide, propose, yesterday

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


def url(name: str, decision: Decision | None = None, chain=None) -> str:
    if decision is None:
        return reverse(f"governance:{name}", args=[chain.slug])
    return reverse(f"governance:{name}", args=[decision.body.chain.slug, decision.pk])


def proposal(board, **fields) -> dict:
    return {
        "body": board.body.pk,
        "title": "Gezamenlijke intake",
        "text": "Politie en OM doen de intake samen.",
        "way": "written",
        "closes_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        **fields,
    }


class TestPropose:
    def test_it_lets_a_representing_member_propose(self, board, client_for):
        w = board.world
        response = client_for(w.lead_a).post(url("decision_create", chain=w.chain), proposal(board))
        assert response.status_code == 302
        decision = Decision.objects.get(title="Gezamenlijke intake")
        assert (decision.proposed_by, decision.round, decision.status) == (w.lead_a, 1, DecisionStatus.OPEN)
        assert Notification.objects.filter(key=f"decision-asked:{decision.pk}:1", person=w.lead_b).exists()

    def test_it_lets_the_secretary_propose(self, board, client_for):
        response = client_for(board.secretary).post(url("decision_create", chain=board.world.chain), proposal(board))
        assert response.status_code == 302

    @pytest.mark.parametrize("persona", ["viewer", "contributor_a"])
    def test_it_refuses_who_has_no_seat(self, board, client_for, persona):
        client = client_for(getattr(board.world, persona))
        assert client.get(url("decision_create", chain=board.world.chain)).status_code == 403
        assert client.post(url("decision_create", chain=board.world.chain), proposal(board)).status_code == 403
        assert not Decision.objects.exists()

    def test_it_refuses_the_alternate_who_stands_in_for_positions_only(self, board, client_for):
        response = client_for(board.alternate_a).post(url("decision_create", chain=board.world.chain), proposal(board))
        assert response.status_code == 403

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", ""),
            ("text", ""),
            ("closes_on", "2020-01-01"),
            ("closes_on", "1850-01-01"),
            ("closes_on", "morgen"),
            ("way", "by-telepathy"),
        ],
    )
    def test_it_refuses_bad_input_at_the_field(self, board, client_for, field, value):
        w = board.world
        response = client_for(w.manager).post(url("decision_create", chain=w.chain), proposal(board, **{field: value}))
        assert response.status_code == 422
        assert response.context["form"].errors[field]
        assert not Decision.objects.exists()

    def test_it_refuses_a_body_meeting_or_indicator_of_another_chain(self, board, client_for, measures):
        w = board.world
        other_body = Body.objects.create(chain=w.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
        start = timezone.now() + timedelta(days=3)
        other_meeting = Meeting.objects.create(body=other_body, starts_at=start, ends_at=start + timedelta(hours=1))
        client = client_for(w.admin)
        for field, value in (
            ("body", other_body.pk),
            ("meeting", other_meeting.pk),
            ("indicator", measures.other_indicator.pk),
            ("indicator_version", measures.other_indicator.versions.get().pk),
        ):
            response = client.post(url("decision_create", chain=w.chain), proposal(board, **{field: value}))
            assert response.status_code == 422, field
            assert response.context["form"].errors[field], field
        assert not Decision.objects.exists()

    def test_it_refuses_a_meeting_of_another_body_of_the_chain(self, board, client_for):
        w = board.world
        tactical = Body.objects.create(chain=w.chain, name="Tactisch overleg", level=BodyLevel.TACTICAL)
        start = timezone.now() + timedelta(days=3)
        meeting = Meeting.objects.create(body=tactical, starts_at=start, ends_at=start + timedelta(hours=1))
        response = client_for(w.manager).post(
            url("decision_create", chain=w.chain), proposal(board, way="meeting", meeting=meeting.pk)
        )
        assert response.status_code == 422
        assert response.context["form"].errors["meeting"]

    def test_it_links_an_indicator_of_the_chain(self, board, client_for, measures):
        w = board.world
        response = client_for(w.manager).post(
            url("decision_create", chain=w.chain), proposal(board, indicator=measures.share.pk)
        )
        assert response.status_code == 302
        decision = Decision.objects.get()
        assert decision.indicator == measures.share
        assert (
            Indicator.objects.get(pk=measures.share.pk).name
            in client_for(w.viewer).get(url("decision_detail", decision)).text
        )


class TestAmend:
    def test_it_asks_everyone_again_and_keeps_earlier_positions_to_the_previous_text(self, board, client_for):
        w = board.world
        decision = propose(board, by=w.lead_a)
        decide(decision, w.lead_a, PositionKind.CONSENT)
        decide(decision, w.lead_b, PositionKind.OBJECTION, "Eerst de financiering regelen")
        page = client_for(w.lead_a).get(url("decision_amend", decision))
        assert page.status_code == 200
        data = {
            "title": decision.title,
            "text": "Elke locatie krijgt twee extra werkers, betaald uit het ketenbudget.",
            "closes_on": decision.closes_on.isoformat(),
            "version_token": page.context["form"]["version_token"].value(),
        }
        response = client_for(w.lead_a).post(url("decision_amend", decision), data)
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.round == 2
        assert Notification.objects.filter(key=f"decision-asked:{decision.pk}:2", person=w.lead_b).exists()
        assert services.outcome_of(decision).status == DecisionStatus.OPEN  # everyone is asked again
        detail = client_for(w.viewer).get(url("decision_detail", decision))
        assert [round_ for round_, _ in detail.context["earlier"]] == [1]
        assert "Eerst de financiering regelen" in detail.text
        assert all(standing.position is None for standing in detail.context["standings"])

    def test_it_refuses_a_position_sent_to_the_previous_text(self, board, client_for):
        w = board.world
        decision = propose(board)
        services.amend(w.manager, decision, title=decision.title, text="Nieuwe tekst", closes_on=decision.closes_on)
        response = client_for(w.lead_a).post(
            url("decision_position", decision), {"kind": "consent", "reason": "", "round": 1, "based_on": ""}
        )
        assert response.status_code == 422
        assert not DecisionPosition.objects.exists()

    def test_it_refuses_an_amendment_that_changes_nothing(self, board, client_for):
        w = board.world
        decision = propose(board)
        page = client_for(w.manager).get(url("decision_amend", decision))
        data = {
            "title": decision.title,
            "text": decision.text,
            "closes_on": decision.closes_on.isoformat(),
            "version_token": page.context["form"]["version_token"].value(),
        }
        response = client_for(w.manager).post(url("decision_amend", decision), data)
        assert response.status_code == 422
        assert response.context["form"].errors["text"]
        decision.refresh_from_db()
        assert decision.round == 1

    def test_it_refuses_an_amendment_on_a_stale_form(self, board, client_for):
        w = board.world
        decision = propose(board)
        stale = client_for(w.manager).get(url("decision_amend", decision)).context["form"]["version_token"].value()
        services.amend(w.manager, decision, title=decision.title, text="Eerst dit", closes_on=decision.closes_on)
        data = {"title": decision.title, "text": "Dan dat", "closes_on": decision.closes_on.isoformat()}
        response = client_for(w.manager).post(url("decision_amend", decision), {**data, "version_token": stale})
        assert response.status_code == 422
        assert response.context["form"].conflict
        decision.refresh_from_db()
        assert (decision.text, decision.round) == ("Eerst dit", 2)

    def test_it_refuses_a_member_who_did_not_propose_it(self, board, client_for):
        decision = propose(board, by=board.world.lead_a)
        assert client_for(board.world.lead_b).get(url("decision_amend", decision)).status_code == 403


class TestClose:
    def close(self, client, decision, **fields):
        data = {"outcome_statement": "Aangenomen.", "decided_on": timezone.localdate().isoformat(), **fields}
        return client.post(url("decision_close", decision), data)

    def test_it_closes_as_adopted_when_every_core_partner_consented(self, board, client_for):
        w = board.world
        decision = propose(board)
        decide(decision, w.lead_a, PositionKind.CONSENT)
        decide(decision, w.lead_b, PositionKind.DISSENT, "Capaciteit reclassering blijft krap")
        review = (timezone.localdate() + timedelta(days=180)).isoformat()
        response = self.close(client_for(w.manager), decision, review_on=review)
        assert response.status_code == 302
        decision.refresh_from_db()
        assert (decision.status, decision.decided_on, decision.review_on.isoformat()) == (
            DecisionStatus.ADOPTED,
            timezone.localdate(),
            review,
        )

    def test_it_refuses_to_close_an_open_decision_before_its_closing_date(self, board, client_for):
        w = board.world
        decision = propose(board)
        decide(decision, w.lead_a, PositionKind.CONSENT)
        response = self.close(client_for(w.manager), decision)
        assert response.status_code == 422
        assert response.context["form"].non_field_errors()
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.OPEN

    def test_it_closes_as_rejected_after_the_closing_date_without_consent(self, board, client_for):
        w = board.world
        decision = propose(board)
        decide(decision, w.lead_b, PositionKind.OBJECTION, "Niet haalbaar")
        Decision.objects.filter(pk=decision.pk).update(closes_on=yesterday())
        assert self.close(client_for(board.secretary), decision, outcome_statement="Niet aangenomen").status_code == 302
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.REJECTED

    def test_it_closes_as_rejected_on_a_block(self, board, client_for):
        w = board.world
        decision = propose(board)
        decide(decision, w.lead_b, PositionKind.BLOCK, "Strijdig met de wet")
        assert self.close(client_for(w.manager), decision, outcome_statement="Geblokkeerd").status_code == 302
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.REJECTED

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("outcome_statement", ""),
            ("decided_on", "2999-01-01"),
            ("decided_on", "2001-01-01"),
            ("decided_on", "gisteren"),
            ("review_on", "2001-01-01"),
        ],
    )
    def test_it_refuses_bad_input_at_the_field(self, board, client_for, field, value):
        w = board.world
        decision = propose(board)
        decide(decision, w.lead_a, PositionKind.CONSENT)
        decide(decision, w.lead_b, PositionKind.CONSENT)
        response = self.close(client_for(w.manager), decision, **{field: value})
        assert response.status_code == 422
        assert response.context["form"].errors[field]
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.OPEN

    @pytest.mark.parametrize("persona", ["lead_a", "viewer"])
    def test_it_refuses_who_does_not_run_the_meetings(self, board, client_for, persona):
        decision = propose(board)
        assert self.close(client_for(getattr(board.world, persona)), decision).status_code == 403


class TestWithdraw:
    def test_it_lets_the_proposer_withdraw_with_a_reason(self, board, client_for):
        w = board.world
        decision = propose(board, by=w.lead_a)
        client = client_for(w.lead_a)
        response = client.post(url("decision_withdraw", decision), {"reason": ""})
        assert response.status_code == 422
        assert response.context["withdraw_form"].errors["reason"]
        assert client.post(url("decision_withdraw", decision), {"reason": "Achterhaald"}).status_code == 302
        decision.refresh_from_db()
        assert (decision.status, decision.outcome_statement) == (DecisionStatus.WITHDRAWN, "Achterhaald")
        # A withdrawn decision takes no more positions.
        response = client.post(
            url("decision_position", decision), {"kind": "consent", "reason": "", "round": 1, "based_on": ""}
        )
        assert response.status_code == 422

    def test_it_refuses_another_member(self, board, client_for):
        decision = propose(board, by=board.world.lead_a)
        response = client_for(board.world.lead_b).post(url("decision_withdraw", decision), {"reason": "Weg ermee"})
        assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_it_never_lets_two_simultaneous_positions_overwrite_each_other():
    """Lead B and the chair (both for OM) send a position at the same moment, from the same page:
    the second waits for the first one's lock, then is refused as a conflict; the first stands."""
    from tests.conftest import build_world

    board = build_board(build_world())
    w = board.world
    decision = propose(board)
    first_saved, go_on = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                services.record_position(w.lead_b, decision, PositionKind.CONSENT, "", round_=1, based_on="")
                first_saved.set()
                go_on.wait(60)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_saved.wait(60)
            try:
                services.record_position(board.chair, decision, PositionKind.BLOCK, "Nee", round_=1, based_on="")
            except services.DecisionRefused as refused:
                outcome["refused"] = refused
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_saved.wait(60)
    # The second is now waiting for the decision's row lock; let the first commit.
    threading.Timer(0.5, go_on.set).start()
    for thread in threads:
        thread.join(120)
    assert isinstance(outcome.get("refused"), services.DecisionRefused)
    assert outcome["refused"].conflict
    assert list(DecisionPosition.objects.values_list("partnership_id", "kind", "recorded_by_id")) == [
        (w.partner_b.pk, PositionKind.CONSENT, w.lead_b.pk)
    ]


def test_it_offers_the_new_proposal_link_by_the_same_rule_as_the_page(board):
    """proposes_anywhere restates policy.may_propose for all the chain's bodies in one query: both
    give the same answer for everyone."""
    from governance.policy import may_propose

    w = board.world
    Body.objects.create(chain=w.chain, name="Oud overleg", level=BodyLevel.TACTICAL, is_active=False)
    people = [
        w.outsider,
        w.viewer,
        w.contributor_a,
        w.lead_a,
        w.lead_b,
        w.manager,
        w.admin,
        board.alternate_a,
        board.judge,
        board.chair,
        board.secretary,
    ]
    for person in people:
        bodies = Body.objects.filter(chain=w.chain, is_active=True)
        expected = any(may_propose(person, body) for body in bodies)
        assert services.proposes_anywhere(person, w.chain) == expected, person
    assert not services.proposes_anywhere(board.alternate_a, w.chain)
    assert services.proposes_anywhere(board.secretary, w.chain)
