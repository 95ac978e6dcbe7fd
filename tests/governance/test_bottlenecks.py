"""Bottlenecks on the escalation ladder: working days, the clock, escalating by hand, the response,
the sweep (once per level, constant queries, never past the top) and the notices (once per person)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from governance import tasks
from governance.models import Body, BodyLevel, BottleneckStatus, Escalation, EscalationNotice
from governance.services import bottlenecks as service
from stakeholders.models import Notification
from stakeholders.working_days import add_working_days, is_working_day, working_days_between
from tests.conftest import enqueued
from tests.governance.bottleneck_fixtures import bottleneck, ladder

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _english():
    """The messages and suggestions in English (the portal's default is Dutch)."""
    with translation.override("en"):
        yield


SAVEPOINT = 2  # the sweep's transaction is a savepoint inside the test's: its start and release


def moment(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=AMS)


# --- Working days ---------------------------------------------------------------------------------


def test_it_skips_weekends_and_dutch_public_holidays():
    assert add_working_days(date(2026, 11, 27), 2) == date(2026, 12, 1)  # Friday → Tuesday
    # Thursday before Easter 2026: Good Friday, the weekend and Easter Monday are no working days.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert not is_working_day(date(2026, 4, 27))  # King's Day
    assert not is_working_day(date(2026, 12, 25))
    assert working_days_between(date(2026, 11, 27), date(2026, 12, 1)) == 2


def test_it_refuses_a_response_time_below_one_day():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 27), 0)


# --- The ladder's own rules -------------------------------------------------------------------------


def test_it_refuses_a_response_time_of_zero_or_less_at_the_field(world):
    for days in (0, -1):
        body = Body(chain=world.chain, name="Overleg", level=BodyLevel.OPERATIONAL, response_days=days)
        with pytest.raises(ValidationError) as refused:
            body.full_clean()
        assert "response_days" in refused.value.message_dict


def test_it_refuses_a_ladder_that_loops_through_other_bodies(world):
    lad = ladder(world)
    # The steering group made operational would let the tactical body escalate "down" to it; and it
    # could then escalate back to the tactical body: a loop through others.
    lad.steering.level = BodyLevel.OPERATIONAL
    with pytest.raises(ValidationError) as refused:
        lad.steering.full_clean()
    assert "level" in refused.value.message_dict
    assert "Tactisch overleg" in refused.value.message_dict["level"][0]
    # A loop that exists in the rows (written around the forms) is named with its path.
    Body.objects.filter(pk=lad.steering.pk).update(level=BodyLevel.OPERATIONAL, escalates_to=lad.local)
    lad.local.refresh_from_db()
    assert [body.name for body in lad.local.ladder_loop()] == [
        "Locatieoverleg",
        "Tactisch overleg",
        "Stuurgroep",
        "Locatieoverleg",
    ]
    with pytest.raises(ValidationError) as refused:
        lad.local.full_clean()
    assert "escalates_to" in refused.value.message_dict


# --- The clock ---------------------------------------------------------------------------------


def test_it_runs_the_clock_in_working_days(world):
    lad = ladder(world, response_days=2)
    friday = moment(date(2026, 11, 27))
    item = bottleneck(world, lad.local, at=friday)
    assert item.due_on == date(2026, 12, 1)
    assert not item.is_overdue(date(2026, 12, 1))
    clock = item.clock(date(2026, 12, 3))
    assert clock.is_overdue and clock.overdue_days == 2 and not clock.at_top


# --- By hand -----------------------------------------------------------------------------------


def test_it_escalates_by_hand_with_a_reason_and_restarts_the_clock(world, django_capture_on_commit_callbacks):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        escalation = service.escalate(item, world.lead_a, "Geen capaciteit bij de reclassering.")
    assert len(enqueued(callbacks)) == 1  # send_escalation_notices, enqueued once the transaction commits
    tasks.send_escalation_notices()
    item.refresh_from_db()
    assert item.body == lad.tactical and item.responded_at is None
    assert (escalation.from_body, escalation.to_body, escalation.by, escalation.automatic) == (
        lad.local,
        lad.tactical,
        world.lead_a,
        False,
    )
    assert {message.to[0] for message in mail.outbox} == {lad.tactical_chair.email, lad.tactical_secretary.email}


def test_it_refuses_to_escalate_a_resolved_bottleneck_and_saves_nothing(world):
    lad = ladder(world)
    item = bottleneck(world, lad.local, status=BottleneckStatus.RESOLVED, resolution="Opgelost.", cause="Rooster.")
    with pytest.raises(service.EscalationRefused) as refused:
        service.escalate(item, world.lead_a, "Toch nog.")
    assert "resolved" in refused.value.message
    assert not Escalation.objects.exists()
    item.refresh_from_db()
    assert item.body == lad.local


def test_it_refuses_to_escalate_past_the_top_or_without_a_reason(world):
    lad = ladder(world)
    item = bottleneck(world, lad.steering)
    with pytest.raises(service.EscalationRefused):
        service.escalate(item, world.lead_a, "Hoger.")
    with pytest.raises(ValidationError):
        service.escalate(bottleneck(world, lad.local), world.lead_a, "  ")
    assert not Escalation.objects.exists()


def test_it_requires_resolution_and_cause_to_resolve(world):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    item.status = BottleneckStatus.RESOLVED
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert {"resolution", "cause"} <= set(refused.value.message_dict)


def test_a_reopened_bottleneck_gets_the_full_response_time_again(world):
    lad = ladder(world, response_days=2)
    start = moment(date(2026, 11, 2))
    item = bottleneck(world, lad.local, at=start)
    item.status, item.resolution, item.cause = BottleneckStatus.RESOLVED, "Opgelost.", "Rooster."
    item.save()
    item.status = BottleneckStatus.IN_PROGRESS  # it came back a month later
    item.save()
    item.refresh_from_db()
    assert item.closed_at is None and item.level_since > start
    assert item.due_on == add_working_days(item.level_since.astimezone(AMS).date(), 2)
    assert service.sweep() == 0  # not taken for a month overdue


def test_a_response_stops_the_clock_and_is_kept_on_the_escalation(world):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    service.escalate(item, world.lead_a, "Geen capaciteit.")
    service.record_response(item, lad.tactical_chair, "We zetten een extra adviseur in.")
    item.refresh_from_db()
    assert item.status == BottleneckStatus.IN_PROGRESS and item.responded_at is not None
    escalation = item.escalations.get()
    assert escalation.response == "We zetten een extra adviseur in." and escalation.responded_by == lad.tactical_chair
    assert not item.is_overdue(item.due_on + timedelta(days=30))
    with pytest.raises(service.EscalationRefused):
        service.record_response(item, lad.tactical_chair, "Nog een keer.")


# --- The sweep -----------------------------------------------------------------------------------


def test_the_sweep_escalates_each_overdue_bottleneck_once_per_level(world, django_assert_max_num_queries):
    lad = ladder(world, response_days=2)
    start = moment(date(2026, 11, 23))  # Monday; due Wednesday 25th
    overdue = [bottleneck(world, lad.local, at=start, title=f"Knelpunt {n}") for n in range(5)]
    at_tactical = bottleneck(world, lad.tactical, at=start, title="Al tactisch")
    answered = bottleneck(world, lad.local, at=start, title="Beantwoord")
    service.record_response(answered, lad.local_chair, "Opgepakt.")
    at_top = bottleneck(world, lad.steering, at=start, title="Bovenaan")
    later = moment(date(2026, 11, 27))
    with django_assert_max_num_queries(service.SWEEP_QUERIES + SAVEPOINT):
        assert service.sweep(later) == 6
    assert service.sweep(later) == 0  # a second beat, or the same task delivered twice
    for item in [*overdue, at_tactical]:
        item.refresh_from_db()
    assert {item.body_id for item in overdue} == {lad.tactical.pk}
    assert at_tactical.body == lad.steering
    assert overdue[0].due_on == date(2026, 12, 1) and overdue[0].level_since == later
    assert Escalation.objects.filter(automatic=True).count() == 6
    assert all(e.why.startswith("Automatically") for e in Escalation.objects.all())
    at_top.refresh_from_db()
    assert at_top.body == lad.steering and at_top.is_overdue(date(2026, 11, 27))
    # Days later the tactical level ran out too: up once more, never past the top.
    assert service.sweep(moment(date(2026, 12, 2))) == 5
    assert service.sweep(moment(date(2026, 12, 30))) == 0
    assert Escalation.objects.count() == 11


def test_the_sweep_costs_the_same_queries_for_many(world, django_assert_max_num_queries):
    lad = ladder(world, response_days=1)
    start = moment(date(2026, 11, 23))
    for n in range(40):
        bottleneck(world, lad.local if n % 2 else lad.tactical, at=start, title=f"Knelpunt {n}")
    with django_assert_max_num_queries(service.SWEEP_QUERIES + SAVEPOINT):
        assert service.sweep(moment(date(2026, 11, 27))) == 40


def test_the_receivers_are_told_once_by_mail_and_in_the_portal(world):
    lad = ladder(world, response_days=1)
    start = moment(date(2026, 11, 23))
    for n in range(3):
        bottleneck(world, lad.local, at=start, title=f"Knelpunt {n}")
    later = moment(date(2026, 11, 26))
    service.sweep(later)
    assert service.send_notices(later) == 2  # the tactical chair and secretary, one mail each
    assert service.send_notices(later) == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [lad.tactical_chair.email, lad.tactical_secretary.email]
    )
    assert "Knelpunt 2" in mail.outbox[0].body
    assert EscalationNotice.objects.count() == 6
    notifications = Notification.objects.filter(person=lad.tactical_chair, key__startswith="escalation:")
    assert notifications.count() == 3 and all(n.mailed_at for n in notifications)


def test_a_refusing_mail_server_keeps_nothing_and_the_next_run_retries(world, monkeypatch):
    lad = ladder(world, response_days=1)
    bottleneck(world, lad.local, at=moment(date(2026, 11, 23)))
    later = moment(date(2026, 11, 26))
    service.sweep(later)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(service, "send_templated_mail", refuse)
    assert service.send_notices(later) == 0
    assert not EscalationNotice.objects.exists() and not Notification.objects.exists()
    monkeypatch.undo()
    assert service.send_notices(later) == 2


# --- On the receiving body's next agenda -----------------------------------------------------------


def test_an_escalation_is_suggested_for_the_receiving_bodys_next_agenda(world):
    from governance.models import Meeting
    from governance.services import suggestions

    lad = ladder(world, response_days=1)
    item = bottleneck(world, lad.local, at=moment(date(2026, 11, 23)))
    bottleneck(world, lad.tactical, at=moment(date(2026, 11, 23)), title="Direct tactisch gemeld")
    service.sweep(moment(date(2026, 11, 25)))
    starts = moment(date(2026, 12, 3), 14)
    meeting = Meeting.objects.create(body=lad.tactical, starts_at=starts, ends_at=starts + timedelta(hours=2))
    found = [s for s in suggestions.compute(meeting) if s.kind == suggestions.SuggestionKind.ESCALATION]
    assert [(s.object_id, s.title) for s in found] == [(item.pk, "Bottleneck: Advies reclassering te laat")]
    assert "Locatieoverleg" in found[0].reason
    agenda_item = suggestions.accept(meeting, found[0].key, lad.tactical_secretary)
    assert agenda_item.title == "Bottleneck: Advies reclassering te laat"
    assert not [s for s in suggestions.compute(meeting) if s.kind == suggestions.SuggestionKind.ESCALATION]
    # Once the body responded, the next meeting is not asked again.
    item.refresh_from_db()
    service.record_response(item, lad.tactical_chair, "Opgepakt.")
    two_weeks = starts + timedelta(days=14)
    later = Meeting.objects.create(body=lad.tactical, starts_at=two_weeks, ends_at=two_weeks + timedelta(hours=2))
    assert not [s for s in suggestions.compute(later) if s.kind == suggestions.SuggestionKind.ESCALATION]
