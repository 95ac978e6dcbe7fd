"""A course check's alert (governance/services/course_check_alerts.py): the rules at their edges
(a drop of 0.5 against 0.4, a score of 2 against 2.01), stored once and the programme manager told
once, and the steering group's agenda suggestion (strategic bodies only, not twice)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import BodyLevel
from governance.models.course_checks import CourseCheck
from governance.services import course_check_alerts as alerts
from governance.services import suggestions
from governance.services.course_check_results import (
    DimensionResult,
    PartnerResult,
    Results,
    TrendPoint,
    compute_alert,
)
from stakeholders.models import Notification
from tests.governance.agenda_fixtures import at, build_board, make_meeting
from tests.governance.course_check_result_fixtures import DIMENSIONS, answer, make_check, partner

pytestmark = pytest.mark.django_db

DECEMBER, JUNE = date(2025, 12, 1), date(2026, 6, 1)


def five_answers(check, partners, pairs: list[tuple[int, int]]) -> None:
    """Two respondents for the first two partners, one for the third; relations as ``pairs``."""
    owners = [partners[0], partners[0], partners[1], partners[1], partners[2]]
    for owner, pair in zip(owners, pairs, strict=True):
        answer(check, owner, {"relations": pair})


@pytest.fixture
def partners(world):
    return [world.partner_a, world.partner_b, partner(world.chain, "Reclassering")]


@pytest.fixture
def december(world, partners):
    """Relations 3.8 for the chain: 4 × (4, 4) + (3, 3) = 38 over 10 answers."""
    check = make_check(world.chain, DECEMBER)
    five_answers(check, partners, [(4, 4)] * 4 + [(3, 3)])
    return check


def june(world, partners, last: tuple[int, int]) -> CourseCheck:
    """Relations 4 × (4, 3) + ``last``: 3.3 with (3, 2), 3.4 with (3, 3)."""
    check = make_check(world.chain, JUNE)
    five_answers(check, partners, [(4, 3)] * 4 + [last])
    return check


def test_a_drop_of_half_a_point_alerts(world, partners, december):
    check = june(world, partners, (3, 2))
    alert = compute_alert(check)
    assert alert == {"drops": [{"dimension": "relations", "was": 3.8, "now": 3.3}], "low": []}
    check.refresh_from_db()
    assert check.alert == alert and check.alert_notified_at is not None


def test_a_drop_of_four_tenths_does_not(world, partners, december):
    check = june(world, partners, (3, 3))
    assert compute_alert(check) == {}
    check.refresh_from_db()
    assert check.alert == {} and check.alert_notified_at is not None  # done: not worked out again
    assert not Notification.objects.filter(key=f"course-check-alert:{check.pk}").exists()


def test_the_first_check_has_nothing_to_drop_from(world, partners):
    assert compute_alert(june(world, partners, (3, 2))) == {}


def test_a_partner_scoring_two_alerts(world, partners):
    check = make_check(world.chain, JUNE)
    answer(check, partners[0], 4)
    answer(check, partners[1], {"culture": (2, 2)})
    answer(check, partners[2], {"culture": (3, 2)})  # 2.5: not low
    alert = compute_alert(check)
    assert alert["drops"] == []
    assert alert["low"] == [
        {"partnership": partners[1].pk, "partner": "Openbaar Ministerie", "dimension": "culture", "score": 2.0}
    ]


def _results(score: Fraction) -> Results:
    check = CourseCheck(opens_on=JUNE, status="closed")
    low = PartnerResult(1, "Reclassering", 1, 1, {"culture": score}, shown=True)
    return Results(check, [low], [DimensionResult(d) for d in DIMENSIONS])


def test_two_is_low_and_just_above_is_not():
    assert alerts.findings(_results(Fraction(2)))["low"][0]["score"] == 2.0
    assert alerts.findings(_results(Fraction(201, 100))) == {}


def test_the_drop_edge_is_exact():
    def drop(was: Fraction, now: Fraction) -> dict:
        results = _results(Fraction(3))
        results.dimension("relations").chain_score = now
        results.trend = [TrendPoint(1, DECEMBER, {"relations": was}), TrendPoint(2, JUNE, {"relations": now})]
        return alerts.findings(results)

    assert drop(Fraction(38, 10), Fraction(33, 10))["drops"][0]["dimension"] == "relations"
    assert drop(Fraction(38, 10), Fraction(3301, 1000)) == {}


def test_a_hidden_partner_is_never_named(world):
    """Two partners, one of them with one respondent: partners are hidden, so is their low score."""
    check = make_check(world.chain, JUNE)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_b, 1)
    assert compute_alert(check) == {}


def test_the_programme_manager_is_told_once(world, partners, december):
    check = june(world, partners, (3, 2))
    compute_alert(check)
    first = CourseCheck.objects.get(pk=check.pk).alert_notified_at
    compute_alert(check)
    told = Notification.objects.filter(key=f"course-check-alert:{check.pk}")
    assert [n.person for n in told] == [world.manager]
    assert "relaties 3,3 (was 3,8)" in told.get().text
    assert CourseCheck.objects.get(pk=check.pk).alert_notified_at == first


def test_an_open_check_has_no_alert(world, partners, december):
    check = june(world, partners, (3, 2))
    CourseCheck.objects.filter(pk=check.pk).update(status="open", closed_at=None)
    assert compute_alert(check) == {}


# --- The agenda ----------------------------------------------------------------------------------


def course_check_suggestions(meeting) -> list:
    return [s for s in suggestions.compute(meeting) if s.kind == suggestions.SuggestionKind.COURSE_CHECK]


@pytest.fixture
def alerted(world, partners, december):
    check = june(world, partners, (3, 2))
    compute_alert(check)
    return check


def test_the_steering_group_gets_it_on_its_agenda(world, alerted):
    board = build_board(world)
    found = course_check_suggestions(board.meeting)
    assert [s.key for s in found] == [f"course_check:{alerted.pk}"]
    assert found[0].title == "Koerscheck juni 2026: relaties 3,3 (was 3,8)"
    assert "daalde van 3,8 naar 3,3" in found[0].reason


def test_a_tactical_body_does_not(world, alerted):
    board = build_board(world, level=BodyLevel.TACTICAL, name="Tactisch overleg")
    assert course_check_suggestions(board.meeting) == []


def test_once_answered_it_is_not_suggested_again(world, alerted):
    board = build_board(world)
    suggestions.accept(board.meeting, f"course_check:{alerted.pk}", world.manager)
    assert course_check_suggestions(board.meeting) == []
    later = make_meeting(board.body, at(timezone.localdate() + timedelta(days=40)), board.meeting.status)
    assert course_check_suggestions(later) == []


def test_a_newer_check_without_alert_replaces_it(world, partners, alerted):
    newer = make_check(world.chain, date(2026, 12, 1))
    five_answers(newer, partners, [(4, 3)] * 4 + [(3, 2)])
    compute_alert(newer)
    assert course_check_suggestions(build_board(world).meeting) == []


def test_its_queries_are_constant(world, alerted):
    board = build_board(world)
    for n in range(5):
        make_check(world.chain, date(2020 + n, 1, 1))
    with CaptureQueriesContext(connection) as captured:
        alerts.agenda_flags(board.meeting, timezone.localdate())
    assert len(captured) == alerts.QUERIES
