"""The agenda's suggestions (governance/services/suggestions.py): what is suggested for a meeting,
what is left out, accepting and dismissing, carrying over, and the constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambitions.models import Indicator, VersionStatus
from ambitions.services import dashboard
from ambitions.services.progress import Status
from governance.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    BodyLevel,
    DecisionStatus,
    DecisionWay,
    MeetingStatus,
    SuggestionChoice,
)
from governance.services import suggestions
from governance.services.agenda import MeetingClosed
from tests.governance.agenda_fixtures import action, at, build_board, decision, item, make_meeting
from tests.measures import adopted_version, enter_off_track


@pytest.fixture
def board(world):
    return build_board(world)


def keys(meeting) -> set[str]:
    return {s.key for s in suggestions.compute(meeting)}


def off_track(measures):
    """The share indicator far behind its trajectory, the count indicator ahead."""
    enter_off_track(measures)


def test_it_suggests_what_waits_for_the_body(board, measures):
    w, body, meeting = board.world, board.body, board.meeting
    today = timezone.localdate()
    agreed = action(body, w.lead_a, today + timedelta(days=30), "Begroting uitwerken", meeting=board.previous)
    unfinished = item(board.previous, "Begroting", status=AgendaItemStatus.UNFINISHED, action=agreed)
    item(board.previous, "Afgerond", status=AgendaItemStatus.FINISHED)
    overdue = action(body, w.lead_a, today - timedelta(days=1))
    action(body, w.lead_a, today - timedelta(days=3), status=ActionStatus.DONE, closing_note="Klaar")
    other_body = build_board(w, BodyLevel.TACTICAL, "Tactisch overleg").body
    action(other_body, w.lead_a, today - timedelta(days=3))
    waiting = decision(body, w.lead_a, "Capaciteit")
    decision(body, w.lead_a, "Schriftelijk", way=DecisionWay.WRITTEN)
    decision(other_body, w.lead_a, "Elders")
    review = decision(body, w.lead_a, "Werkwijze", status=DecisionStatus.ADOPTED, review_on=today + timedelta(days=14))
    decision(body, w.lead_a, "Later", status=DecisionStatus.ADOPTED, review_on=today + timedelta(days=200))
    proposal = adopted_version(measures.share, [w.unit_a], number=2, status=VersionStatus.PROPOSED)
    off_track(measures)

    assert keys(meeting) == {
        f"carry:{unfinished.pk}",
        f"action:{overdue.pk}",
        f"decision:{waiting.pk}",
        f"review:{review.pk}",
        f"proposal:{proposal.pk}",
        f"indicator:{measures.share.pk}",
    }
    # A tactical body sees a proposal only when one of its decisions is about it.
    tactical = make_meeting(other_body, at(today + timedelta(days=3)))
    assert f"proposal:{proposal.pk}" not in keys(tactical)
    decision(other_body, w.lead_a, "Indicator vaststellen", indicator_version=proposal)
    assert f"proposal:{proposal.pk}" in keys(tactical)


def test_it_says_why_in_words(board, measures):
    off_track(measures)
    found = {s.kind: s for s in suggestions.compute(board.meeting)}
    indicator = found[suggestions.SuggestionKind.INDICATOR]
    assert indicator.title == measures.share.name
    # The month judged: last month, or the month before in the days before last month's deadline.
    assert indicator.reason in {f"Uit koers in {p.label()}." for p in (measures.period, measures.period.previous)}
    assert indicator.kind_label == "Indicator uit koers of met risico"


def test_the_indicator_status_is_the_dashboards(board, measures):
    off_track(measures)
    tiles = {
        tile.indicator.pk: tile.progress.status
        for block in dashboard.build(board.world.chain).ambitions
        for tile in block.tiles
    }
    standings = {indicator.pk: standing.status for indicator, standing in dashboard.standings(board.world.chain)}
    assert standings == tiles
    assert standings[measures.share.pk] == Status.OFF_TRACK
    assert standings[measures.count.pk] == Status.ON_TRACK


def test_it_reviews_a_decision_at_the_last_meeting_before_its_review_date(board):
    w, body, meeting = board.world, board.body, board.meeting
    day = timezone.localtime(meeting.starts_at).date()
    soon = decision(body, w.lead_a, "Evaluatie", status=DecisionStatus.ADOPTED, review_on=day + timedelta(days=20))
    stale = decision(body, w.lead_a, "Oud", status=DecisionStatus.ADOPTED, review_on=day - timedelta(days=45))
    assert f"review:{soon.pk}" in keys(meeting)  # no next meeting planned: 31 days ahead
    assert f"review:{stale.pk}" not in keys(meeting)  # before the previous meeting: that one's turn
    # The next meeting comes before the review date: the review waits for that one.
    following = make_meeting(body, at(day + timedelta(days=14)))
    later = make_meeting(body, at(day + timedelta(days=60)))
    assert f"review:{soon.pk}" not in keys(meeting)
    assert f"review:{soon.pk}" in keys(following)
    # Not taken up there, the meeting after it still has it; taken up there, not again.
    assert f"review:{soon.pk}" in keys(later)
    suggestions.accept(following, f"review:{soon.pk}", by=board.secretary)
    assert f"review:{soon.pk}" not in keys(later)


def test_it_leaves_out_what_is_answered_or_on_the_agenda(board, measures):
    w, meeting = board.world, board.meeting
    off_track(measures)
    overdue = action(board.body, w.lead_a, timezone.localdate() - timedelta(days=1))
    assert {f"indicator:{measures.share.pk}", f"action:{overdue.pk}"} <= keys(meeting)
    suggestions.dismiss(meeting, f"action:{overdue.pk}", by=board.secretary)
    item(meeting, "Koers", indicator=measures.share)  # typed in by hand
    assert not keys(meeting) & {f"indicator:{measures.share.pk}", f"action:{overdue.pk}"}
    assert SuggestionChoice.objects.get(meeting=meeting).accepted is False
    # Another meeting still gets them.
    other = make_meeting(board.body, at(timezone.localdate() + timedelta(days=40)))
    assert {f"indicator:{measures.share.pk}", f"action:{overdue.pk}"} <= keys(other)


def test_accepting_puts_it_last_on_the_agenda(board, measures):
    w, meeting = board.world, board.meeting
    off_track(measures)
    item(meeting, "Opening", order=1)
    waiting = decision(board.body, w.lead_a, "Capaciteit")
    first = suggestions.accept(meeting, f"decision:{waiting.pk}", by=board.secretary)
    second = suggestions.accept(meeting, f"indicator:{measures.share.pk}", by=board.secretary)
    assert [i.title for i in meeting.agenda_items.order_by("order")] == ["Opening", "Capaciteit", measures.share.name]
    assert (first.decision, first.suggestion_key) == (waiting, f"decision:{waiting.pk}")
    assert second.indicator == measures.share
    assert SuggestionChoice.objects.filter(meeting=meeting, accepted=True).count() == 2
    with pytest.raises(suggestions.SuggestionGone):
        suggestions.accept(meeting, f"decision:{waiting.pk}", by=board.secretary)
    assert meeting.agenda_items.count() == 3


def test_it_carries_an_unfinished_item_over(board):
    w, meeting = board.world, board.meeting
    agreed = action(board.body, w.lead_a, timezone.localdate() + timedelta(days=30), meeting=board.previous)
    unfinished = item(
        board.previous,
        "Begroting",
        status=AgendaItemStatus.UNFINISHED,
        action=agreed,
        duration_minutes=40,
        presenter=w.lead_a,
        description="Vervolg",
    )
    carried = suggestions.accept(meeting, f"carry:{unfinished.pk}", by=board.secretary)
    assert (carried.title, carried.duration_minutes, carried.presenter, carried.description) == (
        "Begroting",
        40,
        w.lead_a,
        "Vervolg",
    )
    assert (carried.carried_from, carried.action, carried.status) == (unfinished, agreed, AgendaItemStatus.OPEN)
    agreed.refresh_from_db()
    assert agreed.carried_over
    with pytest.raises(ProtectedError):
        agreed.delete()


def test_accepting_an_overdue_action_marks_it_carried_over(board):
    overdue = action(board.body, board.world.lead_a, timezone.localdate() - timedelta(days=1), meeting=board.previous)
    suggestions.accept(board.meeting, f"action:{overdue.pk}", by=board.secretary)
    assert ActionItem.objects.get(pk=overdue.pk).carried_over


def test_it_never_links_what_it_did_not_suggest(board, measures):
    """A forged key (another chain's indicator, or one that is on track) is refused: nothing made."""
    off_track(measures)
    for key in (f"indicator:{measures.other_indicator.pk}", f"indicator:{measures.count.pk}", "indicator:x", ""):
        with pytest.raises(suggestions.SuggestionGone):
            suggestions.accept(board.meeting, key, by=board.secretary)
        with pytest.raises(suggestions.SuggestionGone):
            suggestions.dismiss(board.meeting, key, by=board.secretary)
    assert not AgendaItem.objects.filter(meeting=board.meeting).exists()
    assert not SuggestionChoice.objects.exists()


@pytest.mark.parametrize("status", [MeetingStatus.MINUTES_APPROVED, MeetingStatus.CANCELLED])
def test_it_refuses_when_the_agenda_no_longer_changes(board, measures, status):
    off_track(measures)
    board.meeting.status = status
    board.meeting.save()
    with pytest.raises(MeetingClosed):
        suggestions.accept(board.meeting, f"indicator:{measures.share.pk}", by=board.secretary)
    assert not AgendaItem.objects.filter(meeting=board.meeting).exists()


def _queries(meeting) -> int:
    with CaptureQueriesContext(connection) as captured:
        suggestions.compute(meeting)
    return len(captured)


def test_it_runs_a_constant_number_of_queries(board, measures):
    w, body = board.world, board.body
    meeting = body.meetings.select_related("body__chain").get(pk=board.meeting.pk)
    today = timezone.localdate()
    off_track(measures)
    item(board.previous, "Begroting", status=AgendaItemStatus.UNFINISHED)
    action(body, w.lead_a, today - timedelta(days=1))
    decision(body, w.lead_a)
    few = _queries(meeting)
    assert few <= suggestions.QUERIES

    for n in range(30):
        past = make_meeting(body, at(today - timedelta(days=60 + 30 * n)), MeetingStatus.MINUTES_APPROVED)
        agreed = action(body, w.lead_a, today - timedelta(days=n + 2), meeting=past)
        item(board.previous, f"Punt {n}", status=AgendaItemStatus.UNFINISHED, action=agreed)
        decision(body, w.lead_a, f"Open {n}")
        decision(body, w.lead_a, f"Herzien {n}", status=DecisionStatus.ADOPTED, review_on=today + timedelta(days=n % 9))
        indicator = Indicator.objects.create(ambition=measures.ambition, name=f"Indicator {n}")
        adopted_version(indicator, [w.unit_a])
        adopted_version(indicator, [w.unit_a], number=2, status=VersionStatus.PROPOSED)
    many = _queries(meeting)
    assert len(suggestions.compute(meeting)) > 120
    assert many == few
