"""Putting a stalled indicator proposal on the agenda of the body that decides (issue 15;
governance/services/proposal_agenda.py, views/proposal_agenda.py, proposal_parts.py): one click
by the proposer or a programme manager makes a decision of the chain's strategic body, with the
objections' reasons, on its next meeting's agenda, recorded on the proposal's timeline; refused
twice, for a proposal that is not stalled, without a body; the body's decision is recorded with
the proposal when the decision closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ambitions.models import Consent, ConsentPosition, EventKind, IndicatorVersion, ProposalEvent, VersionStatus
from governance.models import (
    AgendaItem,
    Body,
    BodyLevel,
    Decision,
    DecisionStatus,
    DecisionWay,
    MeetingStatus,
    PositionKind,
)
from governance.proposal_parts import agenda_part
from governance.services import decisions as decision_services
from governance.services import proposal_agenda
from stakeholders.models import Notification
from stakeholders.working_days import add_working_days
from tests.governance.agenda_fixtures import at, make_meeting
from tests.governance.decision_fixtures import build_board, decide
from tests.measures import adopted_version

pytestmark = pytest.mark.django_db

REASON = "De definitie telt ook zaken die buiten ZSM worden afgedaan."


@pytest.fixture
def board(world):
    return build_board(world)


@pytest.fixture
def stopped(board, measures):
    """Version 2 of the share indicator, proposed by the manager and stopped by the OM's objection."""
    w = board.world
    version = adopted_version(
        measures.share, [w.unit_a], number=2, status=VersionStatus.STOPPED, effective_from=measures.period.start
    )
    IndicatorVersion.objects.filter(pk=version.pk).update(
        proposed_by=w.manager, proposed_at=timezone.now(), answer_by=timezone.localdate() + timedelta(days=10)
    )
    Consent.objects.create(version=version, partnership=w.partner_a, person=w.lead_a, position=ConsentPosition.CONSENT)
    Consent.objects.create(
        version=version, partnership=w.partner_b, person=w.lead_b, position=ConsentPosition.OBJECTION, reason=REASON
    )
    return IndicatorVersion.objects.select_related("indicator__ambition__chain").get(pk=version.pk)


def url(version) -> str:
    return reverse("governance:decision_from_proposal", args=[version.indicator.ambition.chain.slug, version.pk])


def version_url(version) -> str:
    return reverse("ambitions:version_detail", args=["zsm", version.indicator_id, version.number])


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_one_click_puts_a_stopped_proposal_on_the_next_meeting_of_the_steering_group(board, stopped, client_for):
    w = board.world
    make_meeting(board.body, at(timezone.localdate() + timedelta(days=21)), MeetingStatus.ANNOUNCED)
    meeting = make_meeting(board.body, at(timezone.localdate() + timedelta(days=7)), MeetingStatus.ANNOUNCED)
    make_meeting(board.body, at(timezone.localdate() + timedelta(days=2)), MeetingStatus.CANCELLED)

    response = client_for(w.manager).post(url(stopped), {"body": board.body.pk})

    decision = Decision.objects.get(indicator_version=stopped)
    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    assert (decision.body, decision.way, decision.status, decision.proposed_by) == (
        board.body,
        DecisionWay.MEETING,
        DecisionStatus.OPEN,
        w.manager,
    )
    assert decision.indicator_id == stopped.indicator_id
    assert REASON in decision.text and "Openbaar Ministerie" in decision.text
    assert decision.meeting == meeting and decision.closes_on == timezone.localtime(meeting.starts_at).date()
    item = AgendaItem.objects.get(decision=decision)
    assert item.meeting == meeting and decision.agenda_item == item
    event = ProposalEvent.objects.get(version=stopped, kind=EventKind.ON_AGENDA)
    assert (event.person, event.url) == (w.manager, decision.get_absolute_url())
    # Every partner represented in the body is asked for its position, as for any proposal to it.
    assert Notification.objects.filter(key=f"decision-asked:{decision.pk}:1", person=w.lead_b).exists()
    # The decision's page shows the proposal it decides.
    page = client_for(w.viewer).get(decision.get_absolute_url())
    assert version_url(stopped) in page.text


def test_without_a_meeting_planned_it_waits_for_the_body(board, stopped, client_for):
    response = client_for(board.world.manager).post(url(stopped))
    decision = Decision.objects.get(indicator_version=stopped)
    assert response.status_code == 302
    assert decision.meeting is None and not AgendaItem.objects.filter(decision=decision).exists()
    chain = board.world.chain
    assert decision.closes_on == add_working_days(timezone.localdate(), chain.consent_answer_days)
    assert any("no meeting planned" in m or "geen vergadering" in m for m in said(response))


def test_it_refuses_a_second_click_while_the_decision_is_open(board, stopped, client_for):
    client = client_for(board.world.manager)
    client.post(url(stopped))
    response = client.post(url(stopped))
    assert response.status_code == 302 and response.url == version_url(stopped)
    assert Decision.objects.filter(indicator_version=stopped).count() == 1
    assert ProposalEvent.objects.filter(version=stopped, kind=EventKind.ON_AGENDA).count() == 1
    assert any("already on the agenda" in m or "al op de agenda" in m for m in said(response))


def test_a_proposal_past_its_deadline_goes_with_the_partners_that_stayed_silent(board, stopped, client_for):
    w = board.world
    Consent.objects.filter(version=stopped).delete()
    IndicatorVersion.objects.filter(pk=stopped.pk).update(
        status=VersionStatus.PROPOSED, answer_by=timezone.localdate() - timedelta(days=1)
    )
    Consent.objects.create(version=stopped, partnership=w.partner_a, person=w.lead_a, position=ConsentPosition.CONSENT)
    assert client_for(w.manager).post(url(stopped)).status_code == 302
    decision = Decision.objects.get(indicator_version=stopped)
    silent_line = next(line for line in decision.text.splitlines() if "Openbaar Ministerie" in line)
    assert "Politie" not in silent_line  # the police answered


@pytest.mark.parametrize(
    "status, answer_by_days",
    [
        (VersionStatus.PROPOSED, 0),
        (VersionStatus.PROPOSED, None),
        (VersionStatus.ADOPTED, -5),
        (VersionStatus.DRAFT, -5),
    ],
)
def test_it_refuses_a_proposal_that_has_not_stalled(board, stopped, client_for, status, answer_by_days):
    answer_by = None if answer_by_days is None else timezone.localdate() + timedelta(days=answer_by_days)
    IndicatorVersion.objects.filter(pk=stopped.pk).update(status=status, answer_by=answer_by)
    response = client_for(board.world.manager).post(url(stopped))
    assert response.status_code == 302 and response.url == version_url(stopped)
    assert not Decision.objects.filter(indicator_version=stopped).exists()
    assert not ProposalEvent.objects.filter(version=stopped).exists()
    assert any("stopped by an objection" in m or "bezwaar" in m for m in said(response))


def test_without_a_strategic_body_it_says_to_set_one_up(board, stopped, client_for):
    Body.objects.filter(pk=board.body.pk).update(level=BodyLevel.TACTICAL)
    response = client_for(board.world.manager).post(url(stopped))
    assert not Decision.objects.exists()
    assert any("strategic body" in m or "strategisch" in m for m in said(response))


def test_with_several_strategic_bodies_the_click_names_one(board, stopped, client_for):
    other = Body.objects.create(chain=board.world.chain, name="Bestuurlijk overleg", level=BodyLevel.STRATEGIC)
    client = client_for(board.world.manager)
    response = client.post(url(stopped))
    assert not Decision.objects.exists()
    assert any("Choose the body" in m or "Kies" in m for m in said(response))
    response = client.post(url(stopped), {"body": board.world.other_chain.pk + 9999})
    assert not Decision.objects.exists()
    assert client.post(url(stopped), {"body": other.pk}).status_code == 302
    assert Decision.objects.get(indicator_version=stopped).body == other


@pytest.mark.parametrize("who, status", [("lead_a", 403), ("viewer", 403), ("outsider", 404)])
def test_only_programme_managers_may(board, stopped, client_for, who, status):
    response = client_for(getattr(board.world, who)).post(url(stopped))
    assert response.status_code == status
    assert not Decision.objects.exists()


def test_another_chains_url_does_not_find_the_proposal(board, stopped, client_for):
    forged = reverse("governance:decision_from_proposal", args=["jeugd", stopped.pk])
    assert client_for(board.world.admin).post(forged).status_code == 404


def test_it_takes_posts_only(board, stopped, client_for):
    assert client_for(board.world.manager).get(url(stopped)).status_code == 405


# --- The body decides --------------------------------------------------------------------------


def put(board, version) -> Decision:
    return proposal_agenda.put_on_agenda(board.world.manager, version).decision


def test_when_the_body_adopts_it_the_version_is_adopted(board, stopped):
    w = board.world
    decision = put(board, stopped)
    for who in (w.lead_a, w.lead_b):
        decide(decision, who, PositionKind.CONSENT)
    decision_services.close(
        w.manager,
        decision,
        statement="De stuurgroep stelt versie 2 vast.",
        decided_on=timezone.localdate(),
        review_on=None,
    )
    stopped.refresh_from_db()
    assert stopped.status == VersionStatus.ADOPTED
    event = ProposalEvent.objects.get(version=stopped, kind=EventKind.BODY_DECIDED)
    assert event.url == decision.get_absolute_url() and "stelt versie 2 vast" in event.note
    # The body has decided this round: the proposal does not go to it again.
    with pytest.raises(proposal_agenda.AgendaRefused):
        put(board, stopped)


def test_when_the_body_does_not_adopt_it_it_stays_stopped(board, stopped):
    w = board.world
    decision = put(board, stopped)
    Decision.objects.filter(pk=decision.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    decision.refresh_from_db()
    decision_services.close(
        w.manager, decision, statement="Niet vastgesteld.", decided_on=timezone.localdate(), review_on=None
    )
    stopped.refresh_from_db()
    assert stopped.status == VersionStatus.STOPPED
    assert ProposalEvent.objects.filter(version=stopped, kind=EventKind.BODY_DECIDED).count() == 1
    with pytest.raises(proposal_agenda.AgendaRefused):
        put(board, stopped)


def test_a_withdrawn_decision_leaves_the_proposal_as_it_was_and_lets_it_go_again(board, stopped):
    decision = put(board, stopped)
    decision_services.withdraw(board.world.manager, decision, "Eerst het voorstel aanpassen.")
    stopped.refresh_from_db()
    assert stopped.status == VersionStatus.STOPPED
    assert put(board, stopped).pk != decision.pk


def test_a_proposal_decided_otherwise_meanwhile_keeps_its_course(board, stopped):
    w = board.world
    decision = put(board, stopped)
    IndicatorVersion.objects.filter(pk=stopped.pk).update(status=VersionStatus.WITHDRAWN)
    for who in (w.lead_a, w.lead_b):
        decide(decision, who, PositionKind.CONSENT)
    closed = decision_services.close(
        w.manager, decision, statement="Vastgesteld.", decided_on=timezone.localdate(), review_on=None
    )
    assert closed.status == DecisionStatus.ADOPTED
    stopped.refresh_from_db()
    assert stopped.status == VersionStatus.WITHDRAWN
    assert not ProposalEvent.objects.filter(version=stopped, kind=EventKind.BODY_DECIDED).exists()


# --- The part on the proposal's page -----------------------------------------------------------


def test_the_page_offers_the_click_to_who_may(board, stopped, client_for):
    w = board.world
    page = client_for(w.manager).get(version_url(stopped))
    assert url(stopped) in page.text and 'id="proposal-agenda"' in page.text
    assert url(stopped) not in client_for(w.lead_a).get(version_url(stopped)).text
    context = agenda_part(w.manager, stopped)
    assert context["bodies"] == [board.body] and context["form"] is None


def test_once_on_the_agenda_everyone_sees_where_it_is(board, stopped, client_for):
    decision = put(board, stopped)
    page = client_for(board.world.lead_a).get(version_url(stopped))
    assert decision.get_absolute_url() in page.text
    assert url(stopped) not in page.text


def test_the_part_shows_nothing_for_a_proposal_that_has_not_stalled(board, stopped, django_assert_num_queries):
    IndicatorVersion.objects.filter(pk=stopped.pk).update(status=VersionStatus.ADOPTED)
    stopped.refresh_from_db()
    with django_assert_num_queries(0):
        assert agenda_part(board.world.manager, stopped) is None


def test_the_part_costs_a_fixed_number_of_queries(board, stopped, django_assert_max_num_queries):
    manager = board.world.manager
    agenda_part(manager, stopped)  # the role cache
    with django_assert_max_num_queries(3):
        assert agenda_part(manager, stopped) is not None


def test_the_decision_page_says_it_decides_the_proposal(board, stopped, client_for):
    decision = put(board, stopped)
    page = client_for(board.world.viewer).get(decision.get_absolute_url())
    assert 'id="decides-proposal"' in page.text and version_url(stopped) in page.text
