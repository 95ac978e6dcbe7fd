"""Course checks' life cycle (governance/services/course_checks.py): the cadence windows, opening
with its snapshot of respondents and statements, the one reminder, the close and the alert hook,
each exactly once however often the service runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from governance.models import BodyMember
from governance.models.course_checks import (
    CourseCheck,
    CourseCheckRespondent,
    CourseCheckStatement,
    CourseCheckStatus,
    Dimension,
)
from governance.services import course_checks as service
from stakeholders.models import Notification
from tests.governance.course_check_fixtures import at, full_scores, opened, seated

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "cadence", "start", "next_start"),
    [
        (date(2026, 1, 1), 6, date(2026, 1, 1), date(2026, 7, 1)),
        (date(2026, 6, 30), 6, date(2026, 1, 1), date(2026, 7, 1)),
        (date(2026, 7, 1), 6, date(2026, 7, 1), date(2027, 1, 1)),
        (date(2026, 12, 31), 6, date(2026, 7, 1), date(2027, 1, 1)),
        (date(2026, 3, 15), 3, date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 11, 2), 12, date(2026, 1, 1), date(2027, 1, 1)),
        # 5 does not divide 12: windows run on from January 2000, across years.
        (date(2026, 1, 10), 5, date(2025, 11, 1), date(2026, 4, 1)),
        (date(2026, 2, 10), 1, date(2026, 2, 1), date(2026, 3, 1)),
    ],
)
def test_cadence_windows(day, cadence, start, next_start):
    assert service.window(day, cadence) == (start, next_start)


def test_closing_day_is_four_weeks_late_openings_get_two_weeks_and_the_last_week_waits():
    start, end = date(2026, 1, 1), date(2026, 7, 1)
    assert service.closing_day(start, end, date(2026, 1, 1)) == date(2026, 1, 29)
    assert service.closing_day(start, end, date(2026, 3, 1)) == date(2026, 3, 15)
    assert service.closing_day(start, end, date(2026, 6, 20)) == date(2026, 6, 30)  # within the window
    assert service.closing_day(start, end, date(2026, 6, 25)) is None  # less than a week left
    # A one-month window in February: the check closes on its last day, not in March.
    assert service.closing_day(date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 1)) == date(2026, 2, 28)


def test_opening_snapshots_the_partners_representatives_once_each(world):
    w = world
    seats = seated(w)
    BodyMember.objects.create(body=seats.tactical, person=w.lead_b, partnership=w.partner_b, ended_on=date(2025, 1, 1))
    check = opened(w)
    asked = dict(CourseCheckRespondent.objects.filter(course_check=check).values_list("person_id", "partnership_id"))
    # The secretary represents no partner; lead-a sits in two bodies and is asked once.
    assert asked == {w.lead_a.pk: w.partner_a.pk, w.lead_b.pk: w.partner_b.pk, w.contributor_a.pk: w.partner_a.pk}
    assert (check.opens_on, check.closes_on, check.status) == (date(2026, 1, 1), date(2026, 1, 29), "open")
    assert check.question == "Wat moet er veranderen?"
    statements = list(check.statements.values_list("dimension", "position"))
    assert sorted(statements) == sorted((d, p) for d in Dimension.values for p in (1, 2))
    assert CourseCheckStatement.objects.get(course_check=check, dimension="relations", position=1).text == (
        "De partners vertrouwen elkaar."
    )
    told = Notification.objects.filter(key=f"course-check-open:{check.pk}")
    assert sorted(told.values_list("person_id", flat=True)) == sorted(asked)
    assert told.first().url == f"/ketens/zsm/overleg/koerschecks/{check.pk}/antwoorden/"


def test_an_inactive_body_and_an_inactive_person_are_not_asked(world):
    w = world
    seats = seated(w)
    seats.tactical.is_active = False
    seats.tactical.save()
    w.lead_b.is_active = False
    w.lead_b.save()
    check = opened(w)
    assert list(check.respondents.values_list("person_id", flat=True)) == [w.lead_a.pk]


def test_opening_twice_in_a_window_opens_once(world):
    seated(world)
    first = service.sweep(at(date(2026, 1, 2)))
    second = service.sweep(at(date(2026, 1, 3)))
    assert (first.opened, second.opened) == (1, 0)
    assert service.open_check(world.chain, date(2026, 2, 1)) is None
    assert CourseCheck.objects.count() == 1
    assert Notification.objects.filter(key__startswith="course-check-open:").count() == 3


def test_the_next_window_opens_the_next_check_with_the_previous_statements(world):
    seated(world)
    first = opened(world, date(2026, 1, 2))
    first.statements.filter(dimension="culture", position=2).update(text="Wij zijn één team.")
    service.sweep(at(date(2026, 2, 1)))  # closes the first
    result = service.sweep(at(date(2026, 7, 1)))
    assert result.opened == 1
    second = CourseCheck.objects.get(opens_on=date(2026, 7, 1))
    assert second.statements.get(dimension="culture", position=2).text == "Wij zijn één team."
    assert second.statements.count() == 8


def test_a_chain_with_a_shorter_cadence_opens_more_often(world):
    seated(world)
    world.chain.course_check_cadence_months = 3
    world.chain.save()
    for day in (date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 8, 1)):
        service.sweep(at(day))
    assert list(CourseCheck.objects.order_by("opens_on").values_list("opens_on", flat=True)) == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
    ]


def test_a_chain_without_bodies_gets_no_check(world):
    assert service.sweep(at(date(2026, 1, 1))).opened == 0
    assert not CourseCheck.objects.exists()


def test_the_reminder_goes_once_to_those_who_have_not_answered_a_few_days_before_closing(world):
    w = world
    seated(w)
    check = opened(w)  # closes 29 January
    service.answer(check, w.lead_b, full_scores(check), {}, "", now=at(date(2026, 1, 10)))
    assert service.sweep(at(date(2026, 1, 25))).reminded == 0  # too early
    assert service.sweep(at(date(2026, 1, 26))).reminded == 2  # people told
    assert service.sweep(at(date(2026, 1, 27))).reminded == 0
    assert service.remind(check) == 0  # called again directly: still once
    told = Notification.objects.filter(key=f"course-check-reminder:{check.pk}")
    assert sorted(told.values_list("person_id", flat=True)) == sorted([w.lead_a.pk, w.contributor_a.pk])
    assert "Herinnering" in told.first().text
    check.refresh_from_db()
    assert check.reminded_at is not None
    reminded = set(check.respondents.filter(reminded_at__isnull=False).values_list("person_id", flat=True))
    assert reminded == {w.lead_a.pk, w.contributor_a.pk}


def test_closing_happens_after_the_closing_day_once_and_calls_the_alert_hook(world, monkeypatch):
    w = world
    seated(w)
    check = opened(w)
    computed = []
    monkeypatch.setattr(service, "_compute_alert", lambda: computed.append)
    assert service.sweep(at(date(2026, 1, 29), 23)).closed == 0  # the closing day still counts
    result = service.sweep(at(date(2026, 1, 30), 1))
    assert result.closed == 1
    assert service.sweep(at(date(2026, 1, 30), 2)).closed == 0
    assert service.close(check) is False
    check.refresh_from_db()
    assert check.status == CourseCheckStatus.CLOSED and check.closed_at == at(date(2026, 1, 30), 1)
    # The hook runs for the closed check until it marks its alert done (alert_notified_at).
    assert [c.pk for c in computed] == [check.pk, check.pk]
    CourseCheck.objects.filter(pk=check.pk).update(alert_notified_at=at(date(2026, 1, 30), 2))
    service.sweep(at(date(2026, 1, 30), 3))
    assert len(computed) == 2


def test_a_check_closed_long_ago_is_not_recomputed(world, monkeypatch):
    seated(world)
    opened(world)
    computed = []
    monkeypatch.setattr(service, "_compute_alert", lambda: computed.append)
    service.sweep(at(date(2026, 1, 30)))
    service.sweep(at(date(2026, 1, 30) + timedelta(days=service.ALERT_RETRY_DAYS + 1)))
    assert len(computed) == 1


def test_the_stub_stands_in_until_the_results_module_exists():
    assert service._compute_alert_stub_until_d2(None) is None


def test_statements_come_in_the_dimensions_order(world):
    seated(world)
    check = opened(world)
    assert [(s.dimension, s.position) for s in service.statements_of(check)] == [
        (d, p) for d in ("content", "procedure", "relations", "culture") for p in (1, 2)
    ]
