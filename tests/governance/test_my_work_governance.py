"""What governance adds to My work (governance/my_work.py, services/work.py), across all chains:
the positions I must record, the meetings I prepare (agenda to publish) or chair (minutes to
approve), and my open actions with their due dates; in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import policy
from governance.models import (
    ActionStatus,
    DecisionPosition,
    DecisionStatus,
    MeetingStatus,
    MemberPosition,
    PositionKind,
)
from governance.my_work import items
from governance.services import work
from stakeholders.models import MandateScope, Role
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.governance import action_fixtures as make


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def vote(person, partnership, **dates):
    return MandateFactory(person=person, partnership=partnership, scope=MandateScope.VOTE_IN_BODY, **dates)


@pytest.fixture
def board(world: World):
    """A steering group: lead A for partner A (with a mandate to vote) and a second lead of A as
    alternate (with one too); lead B for partner B without a mandate; the contributor of A keeps
    the minutes; the manager chairs."""
    body = make.body(world.chain, "Stuurgroep ZSM")
    deputy = PersonFactory(email="deputy-a@example.nl", full_name="Deputy A", organisation=world.org_a)
    MembershipFactory(person=deputy, chain=world.chain, role=Role.PARTNER_LEAD)
    make.seat(body, world.lead_a, world.partner_a, alternate=deputy)
    make.seat(body, world.lead_b, world.partner_b)
    make.seat(body, world.contributor_a, position=MemberPosition.SECRETARY)
    make.seat(body, world.manager, world.partner_a, MemberPosition.ADVISOR)
    vote(world.lead_a, world.partner_a)
    vote(deputy, world.partner_a)
    body.deputy = deputy
    return body


def asked(person) -> set[tuple[int, int, bool]]:
    return {(a.decision.pk, a.partnership.pk, a.as_alternate) for a in work.positions_to_record(person)}


def test_it_asks_whom_speakers_for_names_and_nobody_else(world: World, board):
    """The set-based query restates policy.speakers_for: both give the same people per partner."""
    decision = make.decision(board, world.manager)
    people = [world.lead_a, board.deputy, world.lead_b, world.contributor_a, world.manager, world.viewer, world.admin]
    for partnership in (world.partner_a, world.partner_b):
        speakers = set(policy.speakers_for(board, partnership))
        asked_people = {p for p in people if any(pk == partnership.pk for _, pk, _ in asked(p))}
        assert asked_people == speakers
    assert asked(world.lead_a) == {(decision.pk, world.partner_a.pk, False)}
    assert asked(board.deputy) == {(decision.pk, world.partner_a.pk, True)}  # as the alternate
    assert asked(world.lead_b) == set()  # no mandate to vote


def test_it_stops_asking_once_the_partner_answered_and_asks_again_in_a_new_round(world: World, board):
    decision = make.decision(board, world.manager)
    DecisionPosition.objects.create(
        decision=decision, partnership=world.partner_a, kind=PositionKind.CONSENT, recorded_by=world.lead_a
    )
    assert asked(world.lead_a) == set() and asked(board.deputy) == set()
    decision.round = 2  # amended after an objection: every partner is asked again
    decision.save()
    assert asked(world.lead_a) == {(decision.pk, world.partner_a.pk, False)}


def test_it_asks_nothing_of_closed_or_decided_proposals_or_with_a_lapsed_mandate(world: World, board):
    make.decision(board, world.manager, closes_on=timezone.localdate() - timedelta(days=1))
    make.decision(board, world.manager, "Al besloten", status=DecisionStatus.ADOPTED)
    assert asked(world.lead_a) == set()
    make.decision(board, world.manager, "Open")
    world.lead_a.mandates.update(
        valid_until=timezone.localdate() - timedelta(days=1), valid_from=timezone.localdate() - timedelta(days=9)
    )
    assert asked(world.lead_a) == set()


def test_it_lists_the_meetings_to_prepare_and_the_minutes_to_approve(world: World, board):
    make.seat(make.body(world.chain, "Tactisch"), world.lead_b, world.partner_b, MemberPosition.CHAIR)
    soon = make.meeting(board, timezone.now() + timedelta(days=10))
    make.meeting(board, timezone.now() + timedelta(days=90))  # far ahead: not yet
    make.meeting(board, timezone.now() + timedelta(days=5), status=MeetingStatus.ANNOUNCED)
    held = make.meeting(board, timezone.now() - timedelta(days=3), status=MeetingStatus.HELD)
    secretary = work.meetings_to_prepare(world.contributor_a)
    assert secretary.agendas_to_publish == [soon]
    assert secretary.minutes_to_approve == []  # the secretary does not approve minutes
    board.members.filter(person=world.lead_a).update(position=MemberPosition.CHAIR)
    chair = work.meetings_to_prepare(world.lead_a)
    assert (chair.agendas_to_publish, chair.minutes_to_approve) == ([soon], [held])
    assert work.meetings_to_prepare(world.viewer) == work.MeetingsToPrepare([], [])


def test_it_shows_my_open_actions_with_their_due_dates_over_all_chains(world: World, board, client_for):
    today = timezone.localdate()
    make.action(board, world.lead_a, today - timedelta(days=4), "Te laat opgeleverd")
    make.action(board, world.lead_a, today + timedelta(days=6), "Nog even")
    make.action(board, world.lead_a, today - timedelta(days=9), "Klaar", status=ActionStatus.DONE, closing_note="Ja.")
    make.action(board, world.lead_b, today, "Van een ander")
    MembershipFactory(person=world.lead_a, chain=world.other_chain, role=Role.VIEWER)
    make.action(make.body(world.other_chain, "Jeugdoverleg"), world.lead_a, today, "In de andere keten")
    page = client_for(world.lead_a).get(reverse("stakeholders:my_work")).text
    assert "In de andere keten" in page and "Jeugdzorg Regio Noord" in page
    assert "My open actions" in page
    assert "Te laat opgeleverd" in page and "overdue: was due on" in page
    assert "Nog even" in page and "Klaar" not in page and "Van een ander" not in page


def test_it_links_each_item_to_its_page(world: World, board, client_for):
    decision = make.decision(board, world.manager, "Gezamenlijke intake")
    board.members.filter(person=world.lead_a).update(position=MemberPosition.CHAIR)
    held = make.meeting(board, timezone.now() - timedelta(days=3), status=MeetingStatus.HELD)
    action = make.action(board, world.lead_a)
    page = client_for(world.lead_a).get(reverse("stakeholders:my_work")).text
    assert "Positions to record" in page and "Gezamenlijke intake" in page
    assert reverse("governance:decision_detail", args=["zsm", decision.pk]) in page
    assert "Minutes to approve" in page
    assert reverse("governance:meeting_detail", args=["zsm", held.pk]) in page
    assert reverse("governance:action_detail", args=["zsm", action.pk]) in page


def test_it_shows_nothing_of_its_own_when_nothing_waits(world: World, client_for):
    page = client_for(world.viewer).get(reverse("stakeholders:my_work")).text
    assert "Nothing is waiting for you." in page
    assert "My open actions" not in page


def test_it_keeps_a_constant_number_of_queries(world: World, board, client_for, max_page_queries):
    def grow(first: int, last: int) -> None:
        """Per step a body lead A chairs, with a draft and a held meeting, and a proposal and an action."""
        for n in range(first, last):
            body = make.body(world.chain, f"Overleg {n}")
            make.seat(body, world.lead_a, world.partner_a, MemberPosition.CHAIR)
            make.meeting(body, timezone.now() + timedelta(days=n + 1))
            make.meeting(body, timezone.now() - timedelta(days=n + 1), status=MeetingStatus.HELD)
            make.decision(board, world.manager, f"Voorstel {n}")
            make.action(board, world.lead_a, timezone.localdate() + timedelta(days=n - 3))

    client = client_for(world.lead_a)
    grow(0, 1)
    client.get(reverse("stakeholders:my_work"))
    with max_page_queries(40) as few:
        client.get(reverse("stakeholders:my_work"))
    grow(1, 12)
    with max_page_queries(len(few.captured_queries)):
        page = client.get(reverse("stakeholders:my_work")).text
    assert page.count("Voorstel ") == 12


def test_it_costs_the_fragment_six_queries_at_most(world: World, board, django_assert_max_num_queries):
    make.decision(board, world.manager)
    make.action(board, world.lead_a)
    with django_assert_max_num_queries(6):  # seats, proposals, answers, partners; meetings; actions
        found = items(world.lead_a)
    assert found["positions_to_record"] and found["my_open_actions"]
