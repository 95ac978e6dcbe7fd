"""Capacity on the strategic body's agenda (governance/services/capacity_flags.py): a core partner
whose latest assessment scores 2 or lower, or dropped by 2, is suggested once — for a strategic
body only — and the secretary's accept or dismiss answers it for the body."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from governance.models import BodyLevel, MeetingStatus
from governance.services import capacity_flags, suggestions
from stakeholders.models import PartnershipStatus
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.governance.agenda_fixtures import at, build_board, make_meeting
from tests.stakeholders.capacity_fixtures import assess

FIRST, SECOND, THIRD = date(2025, 1, 1), date(2025, 7, 1), date(2026, 1, 1)


@pytest.fixture
def board(world):
    return build_board(world)


def capacity(meeting) -> list[suggestions.Suggestion]:
    return [s for s in suggestions.compute(meeting) if s.kind == suggestions.SuggestionKind.CAPACITY]


def test_a_low_score_is_suggested_to_the_strategic_body_with_its_words(board):
    w = board.world
    assess(w.partner_a, FIRST, people=4)
    flagged = assess(w.partner_a, SECOND, people=2)
    (found,) = capacity(board.meeting)
    assert found.key == f"capacity:{flagged.pk}"
    assert found.title == "Capaciteit Politie: mensen 2 (was 4)"
    assert found.reason == "Laatste capaciteitsbeoordeling van Politie: Mensen: 2, laag en gedaald van 4."


def test_a_tactical_body_gets_no_capacity_suggestion(board):
    w = board.world
    assess(w.partner_a, SECOND, people=1)
    tactical = build_board(w, BodyLevel.TACTICAL, "Tactisch overleg")
    assert capacity(tactical.meeting) == []
    assert len(capacity(board.meeting)) == 1


def test_the_edges_of_the_rule(board):
    w = board.world
    assess(w.partner_a, FIRST, people=5, money=4)
    assess(w.partner_a, SECOND, people=4, money=3)  # a drop of 1, a score of 3: nothing
    assert capacity(board.meeting) == []
    assess(w.partner_b, FIRST, knowledge=5)
    dropped = assess(w.partner_b, SECOND, knowledge=3)  # a drop of 2
    (found,) = capacity(board.meeting)
    assert found.object_id == dropped.pk
    assert found.title == "Capaciteit Openbaar Ministerie: kennis 3 (was 5)"


def test_only_the_latest_assessment_counts_and_each_partner_once(board):
    w = board.world
    assess(w.partner_a, FIRST, people=1, money=1)
    assess(w.partner_a, SECOND, people=3, money=3)  # recovered
    assert capacity(board.meeting) == []
    latest = assess(w.partner_a, THIRD, people=2, money=2, data_it=2)
    (found,) = capacity(board.meeting)
    assert found.object_id == latest.pk
    assert found.title == "Capaciteit Politie: mensen 2 (was 3), geld 2 (was 3), data en IT 2 (was 4)"


def test_a_partner_that_is_not_core_or_has_left_is_not_suggested(board):
    w = board.world
    court = PartnershipFactory(
        chain=w.chain, organisation=OrganisationFactory(name="Rechtspraak"), status=PartnershipStatus.PARTNER_OF_CHAIN
    )
    assess(court, SECOND, people=1)
    w.partner_b.left_on = timezone.localdate() - timedelta(days=1)
    w.partner_b.save()
    assess(w.partner_b, SECOND, people=1)
    assess(w.partner_c, SECOND, people=1)  # the other chain's
    assert capacity(board.meeting) == []


def test_accepting_puts_it_on_the_agenda_once_and_the_body_is_not_asked_again(board):
    w = board.world
    flagged = assess(w.partner_a, SECOND, people=2)
    key = f"capacity:{flagged.pk}"
    item = suggestions.accept(board.meeting, key, board.secretary)
    assert item.title == "Capaciteit Politie: mensen 2"
    assert item.suggestion_key == key
    assert capacity(board.meeting) == []
    with pytest.raises(suggestions.SuggestionGone):
        suggestions.accept(board.meeting, key, board.secretary)
    later = make_meeting(board.body, at(timezone.localdate() + timedelta(days=40)), MeetingStatus.DRAFT)
    assert capacity(later) == []
    # A newer assessment that is flagged again is a new suggestion.
    newer = assess(w.partner_a, THIRD, people=1)
    assert [s.object_id for s in capacity(later)] == [newer.pk]


def test_dismissing_leaves_it_off_and_the_body_is_not_asked_again(board):
    w = board.world
    flagged = assess(w.partner_a, SECOND, people=2)
    suggestions.dismiss(board.meeting, f"capacity:{flagged.pk}", board.secretary)
    assert capacity(board.meeting) == []
    assert not board.meeting.agenda_items.exists()
    later = make_meeting(board.body, at(timezone.localdate() + timedelta(days=40)), MeetingStatus.DRAFT)
    assert capacity(later) == []


def test_it_costs_a_fixed_number_of_queries(board, django_assert_num_queries):
    w = board.world
    for n in range(6):
        partner = PartnershipFactory(chain=w.chain, organisation=OrganisationFactory(name=f"Gemeente {n}"))
        for year in (2023, 2024, 2025):
            assess(partner, date(year, 1, 1), people=1 + n % 5)
    meeting = type(board.meeting).objects.select_related("body__chain").get(pk=board.meeting.pk)
    with django_assert_num_queries(capacity_flags.QUERIES):
        found = capacity_flags.agenda_flags(meeting, timezone.localdate())
    assert len(found) == 3  # the partners scoring 1 or 2
