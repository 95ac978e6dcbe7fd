"""Recording a partner's position on a decision, through the page: who may (member, or alternate of
an absent member, with a valid mandate to vote in a body), what is refused with a message at the
field (422, nothing saved) or refused outright (403), changing a position, and the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    Attendance,
    AttendanceStatus,
    DecisionPosition,
    DecisionWay,
    Meeting,
    PositionKind,
)
from governance.services import decisions as services
from stakeholders.models import Mandate, MandateScope, Notification
from tests.factories import MandateFactory
from tests.governance.decision_fixtures import build_board, decide, propose, vote_mandate, yesterday

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


def position_url(decision) -> str:
    return reverse("governance:decision_position", args=[decision.body.chain.slug, decision.pk])


def detail_url(decision) -> str:
    return reverse("governance:decision_detail", args=[decision.body.chain.slug, decision.pk])


def post_position(client, decision, kind: str, reason: str = "", **extra):
    decision.refresh_from_db()
    data = {"kind": kind, "reason": reason, "round": decision.round, "based_on": "", **extra}
    return client.post(position_url(decision), data)


def positions(decision) -> list[tuple[int, str, str]]:
    return list(DecisionPosition.objects.filter(decision=decision).values_list("partnership_id", "kind", "reason"))


def field_errors(response, name: str) -> list[str]:
    return response.context["position_form"].errors.get(name, [])


def test_it_asks_everyone_who_may_record_a_position_once_per_round(board):
    w = board.world
    decision = propose(board)
    key = f"decision-asked:{decision.pk}:1"
    asked = set(Notification.objects.filter(key=key).values_list("person__email", flat=True))
    # Members and the alternate with a mandate; not the secretary (no partner) nor the manager.
    assert asked == {w.lead_a.email, "alternate-a@example.nl", w.lead_b.email, "chair@example.nl", "judge@example.nl"}
    services.ask_partners(decision)
    assert Notification.objects.filter(key=key).count() == 5


def test_it_records_a_members_consent(board, client_for):
    decision = propose(board)
    response = post_position(client_for(board.world.lead_a), decision, PositionKind.CONSENT)
    assert response.status_code == 302
    position = DecisionPosition.objects.get(decision=decision)
    assert (position.partnership, position.kind, position.recorded_by) == (
        board.world.partner_a,
        PositionKind.CONSENT,
        board.world.lead_a,
    )
    assert not position.as_alternate


def test_it_records_dissent_with_its_reason_and_shows_it_for_good(board, client_for):
    w = board.world
    decision = propose(board)
    response = post_position(client_for(w.lead_b), decision, PositionKind.DISSENT, "Onvoldoende capaciteit bij het OM")
    assert response.status_code == 302
    page = client_for(w.viewer).get(detail_url(decision))
    assert [(p.partnership, p.reason) for p in page.context["dissent"]] == [
        (w.partner_b, "Onvoldoende capaciteit bij het OM")
    ]
    assert 'id="dissent-heading"' in page.text
    assert "Onvoldoende capaciteit bij het OM" in page.text
    # It stays visible once the decision is closed.
    decide(decision, w.lead_a, PositionKind.CONSENT)
    services.close(w.manager, decision, statement="Aangenomen", decided_on=timezone.localdate(), review_on=None)
    page = client_for(w.viewer).get(detail_url(decision))
    assert 'id="dissent-heading"' in page.text and "Onvoldoende capaciteit bij het OM" in page.text


@pytest.mark.parametrize("kind", [PositionKind.DISSENT, PositionKind.OBJECTION, PositionKind.BLOCK])
def test_it_refuses_dissent_objection_or_block_without_a_reason(board, client_for, kind):
    decision = propose(board)
    response = post_position(client_for(board.world.lead_a), decision, kind, "   ")
    assert response.status_code == 422
    assert field_errors(response, "reason")
    assert positions(decision) == []


def test_it_refuses_a_block_by_a_partner_of_the_chain(board, client_for):
    decision = propose(board)
    response = post_position(client_for(board.judge), decision, PositionKind.BLOCK, "Niet onze rol")
    assert response.status_code == 422
    assert any("core partner" in e or "kernpartner" in e for e in field_errors(response, "kind"))
    assert positions(decision) == []


def test_it_takes_advice_from_a_partner_of_the_chain_without_counting_it(board, client_for):
    w = board.world
    decision = propose(board)
    assert (
        post_position(client_for(board.judge), decision, PositionKind.ADVICE, "Let op de termijnen").status_code == 302
    )
    assert post_position(client_for(board.judge), decision, PositionKind.CONSENT).status_code == 422
    decide(decision, w.lead_a, PositionKind.CONSENT)
    decide(decision, w.lead_b, PositionKind.CONSENT)
    assert services.outcome_of(decision).status == "adopted"


def test_it_refuses_advice_from_a_core_partner(board, client_for):
    decision = propose(board)
    response = post_position(client_for(board.world.lead_a), decision, PositionKind.ADVICE, "Een advies")
    assert response.status_code == 422
    assert field_errors(response, "kind")


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "manager", "admin", "outsider"])
def test_it_refuses_someone_who_represents_no_partner_in_the_body(board, client_for, persona):
    decision = propose(board)
    response = post_position(client_for(getattr(board.world, persona)), decision, PositionKind.CONSENT)
    assert response.status_code == (404 if persona == "outsider" else 403)
    assert positions(decision) == []


def test_it_refuses_the_secretary_who_speaks_for_no_partner(board, client_for):
    decision = propose(board)
    assert post_position(client_for(board.secretary), decision, PositionKind.CONSENT).status_code == 403


def _refused_for_mandate(board, client_for, decision) -> str:
    response = post_position(client_for(board.world.lead_a), decision, PositionKind.CONSENT)
    assert response.status_code == 422
    assert positions(decision) == []
    (message,) = field_errors(response, "kind")
    return message


def test_it_refuses_a_member_without_a_mandate(board, client_for):
    decision = propose(board)
    Mandate.objects.filter(person=board.world.lead_a, scope=MandateScope.VOTE_IN_BODY).delete()
    assert str(MandateScope.VOTE_IN_BODY.label) in _refused_for_mandate(board, client_for, decision)


def test_it_refuses_an_expired_mandate(board, client_for):
    decision = propose(board)
    Mandate.objects.filter(person=board.world.lead_a, scope=MandateScope.VOTE_IN_BODY).update(
        valid_from=timezone.localdate() - timedelta(days=30), valid_until=yesterday()
    )
    assert "Politie" in _refused_for_mandate(board, client_for, decision)


def test_it_refuses_a_mandate_for_another_partner(board, client_for):
    w = board.world
    decision = propose(board)
    Mandate.objects.filter(person=w.lead_a, scope=MandateScope.VOTE_IN_BODY).update(partnership=w.partner_b)
    _refused_for_mandate(board, client_for, decision)


def test_it_refuses_a_mandate_of_another_scope(board, client_for):
    w = board.world
    decision = propose(board)
    Mandate.objects.filter(person=w.lead_a, scope=MandateScope.VOTE_IN_BODY).delete()
    MandateFactory(person=w.lead_a, partnership=w.partner_a, scope=MandateScope.CONSENT_INDICATORS)
    _refused_for_mandate(board, client_for, decision)


def test_it_refuses_a_position_after_the_closing_date(board, client_for):
    decision = propose(board)
    type(decision).objects.filter(pk=decision.pk).update(closes_on=yesterday())
    response = post_position(client_for(board.world.lead_a), decision, PositionKind.CONSENT)
    assert response.status_code == 422
    assert any(
        "closing date" in e or "sluitingsdatum" in e for e in response.context["position_form"].non_field_errors()
    )
    assert positions(decision) == []


def test_it_changes_a_position_in_place_and_keeps_the_change_in_the_history(board, client_for):
    w = board.world
    decision = propose(board)
    client = client_for(w.lead_a)
    assert post_position(client, decision, PositionKind.CONSENT).status_code == 302
    current = DecisionPosition.objects.get(decision=decision)
    response = post_position(
        client, decision, PositionKind.OBJECTION, "Eerst de financiering", based_on=services.position_token(current)
    )
    assert response.status_code == 302
    assert positions(decision) == [(w.partner_a.pk, PositionKind.OBJECTION, "Eerst de financiering")]
    page = client_for(w.viewer).get(detail_url(decision))
    changes = [
        (entry.who, change.before, change.after)
        for entry in page.context["history"]
        for change in entry.changes
        if entry.subject.startswith("Politie")
    ]
    assert (str(w.lead_a), str(PositionKind.CONSENT.label), str(PositionKind.OBJECTION.label)) in changes


def test_it_refuses_to_overwrite_a_position_changed_meanwhile(board, client_for):
    """Two people of one partner (member and chair of OM) answer from the same page: the second
    sees the first one's answer instead of silently replacing it."""
    w = board.world
    decision = propose(board)
    assert post_position(client_for(w.lead_b), decision, PositionKind.CONSENT).status_code == 302
    response = post_position(client_for(board.chair), decision, PositionKind.OBJECTION, "Te duur")
    assert response.status_code == 422
    assert response.context["position_form"].non_field_errors()
    assert positions(decision) == [(w.partner_b.pk, PositionKind.CONSENT, "")]
    # The form now carries what is saved, so sending it again on purpose replaces it.
    again = response.context["position_form"].data
    assert client_for(board.chair).post(position_url(decision), again).status_code == 302
    assert positions(decision) == [(w.partner_b.pk, PositionKind.OBJECTION, "Te duur")]


class TestAlternate:
    def test_it_lets_the_alternate_answer_a_written_round_while_the_member_has_not(self, board, client_for):
        decision = propose(board, way=DecisionWay.WRITTEN)
        assert post_position(client_for(board.alternate_a), decision, PositionKind.CONSENT).status_code == 302
        assert DecisionPosition.objects.get(decision=decision).as_alternate

    def test_it_refuses_the_alternate_once_the_member_answered_in_writing(self, board, client_for):
        decision = propose(board, way=DecisionWay.WRITTEN)
        decide(decision, board.world.lead_a, PositionKind.CONSENT)
        response = post_position(client_for(board.alternate_a), decision, PositionKind.OBJECTION, "Nee")
        assert response.status_code == 422
        assert positions(decision) == [(board.world.partner_a.pk, PositionKind.CONSENT, "")]

    def _meeting(self, board) -> Meeting:
        start = timezone.now() - timedelta(hours=2)
        return Meeting.objects.create(body=board.body, starts_at=start, ends_at=start + timedelta(hours=1))

    def test_it_refuses_the_alternate_at_a_meeting_the_member_attends(self, board, client_for):
        meeting = self._meeting(board)
        Attendance.objects.create(meeting=meeting, member=board.seat_a, status=AttendanceStatus.PRESENT)
        decision = propose(board, way=DecisionWay.MEETING, meeting=meeting)
        response = post_position(client_for(board.alternate_a), decision, PositionKind.CONSENT)
        assert response.status_code == 422
        assert "Lead-A" in field_errors(response, "kind")[0]
        assert positions(decision) == []

    @pytest.mark.parametrize(
        "status", [AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.REPRESENTED]
    )
    def test_it_lets_the_alternate_answer_for_an_absent_member(self, board, client_for, status):
        meeting = self._meeting(board)
        Attendance.objects.create(meeting=meeting, member=board.seat_a, status=status)
        decision = propose(board, way=DecisionWay.MEETING, meeting=meeting)
        assert post_position(client_for(board.alternate_a), decision, PositionKind.CONSENT).status_code == 302
        assert DecisionPosition.objects.get(decision=decision).as_alternate

    def test_it_refuses_the_alternate_without_a_mandate(self, board, client_for):
        decision = propose(board, way=DecisionWay.WRITTEN)
        Mandate.objects.filter(person=board.alternate_a).delete()
        response = post_position(client_for(board.alternate_a), decision, PositionKind.CONSENT)
        assert response.status_code == 422
        assert positions(decision) == []


def test_it_shows_the_refusal_instead_of_the_form(board, client_for):
    decision = propose(board)
    Mandate.objects.filter(person=board.world.lead_a, scope=MandateScope.VOTE_IN_BODY).delete()
    page = client_for(board.world.lead_a).get(detail_url(decision))
    assert page.status_code == 200
    assert page.context["position_form"] is None
    assert page.context["me"].refusal
    vote_mandate(board.world.lead_a, board.world.partner_a)
    page = client_for(board.world.lead_a).get(detail_url(decision))
    assert page.context["position_form"] is not None


def test_it_answers_htmx_with_the_position_section_only(board, client_for):
    decision = propose(board)
    decision.refresh_from_db()
    response = client_for(board.world.lead_a).post(
        position_url(decision),
        {"kind": PositionKind.DISSENT, "reason": "", "round": 1, "based_on": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<section")
    assert 'id="my-position"' in response.text


def test_it_keeps_the_detail_page_within_a_query_budget(board, client_for, django_assert_max_num_queries):
    w = board.world
    decision = propose(board)
    decide(decision, w.lead_a, PositionKind.CONSENT)
    decide(decision, w.lead_b, PositionKind.DISSENT, "Krap")
    client = client_for(w.lead_a)
    client.get(detail_url(decision))
    with django_assert_max_num_queries(30):
        assert client.get(detail_url(decision)).status_code == 200


def test_it_shows_the_actions_that_follow_from_the_decision(board, client_for):
    decision = propose(board)
    page = client_for(board.world.manager).get(detail_url(decision))
    add = reverse("governance:action_create_from_decision", args=[decision.body.chain.slug, decision.pk])
    assert 'id="decision-actions"' in page.text and add in page.text
    assert add not in client_for(board.world.viewer).get(detail_url(decision)).text
