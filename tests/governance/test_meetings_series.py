"""Meeting series (governance/services/series.py) and planning with the host rotation
(governance/services/meetings.py): local times across daylight saving, the kinds of series, the
end of a series, the cap, the RFC 5545 rule and whose turn it is to host."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from governance.models import Body, BodyLevel, Meeting, MeetingSeries, MeetingStatus, SeriesFrequency
from governance.services import meetings, series
from stakeholders.models import PartnershipStatus
from tests.factories import OrganisationFactory, PartnershipFactory

AMS = ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def local_times(starts: list[datetime]) -> set[tuple[int, int]]:
    return {(s.astimezone(AMS).hour, s.astimezone(AMS).minute) for s in starts}


# --- The rule ---------------------------------------------------------------------------------


def test_it_keeps_the_local_time_across_both_daylight_saving_changes_of_2026():
    # Weekly from early March to mid November: clocks go forward on 29 March, back on 25 October.
    found = series.occurrences(SeriesFrequency.WEEKLY, 1, at(2026, 3, 3, 10, 0), until=date(2026, 11, 10))
    assert local_times(found.starts) == {(10, 0)}
    utc_hours = {s.date(): s.astimezone(UTC).hour for s in found.starts}
    assert utc_hours[date(2026, 3, 24)] == 9  # winter time, +01:00
    assert utc_hours[date(2026, 3, 31)] == 8  # summer time, +02:00
    assert utc_hours[date(2026, 10, 20)] == 8
    assert utc_hours[date(2026, 10, 27)] == 9  # winter time again
    assert found.starts[0] == at(2026, 3, 3, 10, 0) and found.starts[-1] == at(2026, 11, 10, 10, 0)
    assert all(
        b - a in (timedelta(days=7), timedelta(days=7, hours=-1), timedelta(days=7, hours=1))
        for a, b in zip(found.starts, found.starts[1:], strict=False)
    )
    assert not found.capped


def test_it_keeps_the_local_time_of_a_monthly_series_across_both_changes():
    found = series.occurrences(SeriesFrequency.MONTHLY_WEEKDAY, 1, at(2026, 1, 13, 19, 30), count=12)
    assert local_times(found.starts) == {(19, 30)}
    offsets = [s.utcoffset() for s in found.starts]
    assert offsets[:2] == [timedelta(hours=1)] * 2 and offsets[3:9] == [timedelta(hours=2)] * 6
    assert offsets[10:] == [timedelta(hours=1)] * 2


def test_it_repeats_every_n_weeks_on_the_weekday_of_the_first_meeting():
    found = series.occurrences(SeriesFrequency.WEEKLY, 2, at(2026, 3, 17, 9, 0), count=4)
    assert [s.date() for s in found.starts] == [
        date(2026, 3, 17),
        date(2026, 3, 31),
        date(2026, 4, 14),
        date(2026, 4, 28),
    ]
    assert found.rrule_text == "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4"


def test_it_repeats_monthly_on_a_date_and_skips_months_without_it():
    found = series.occurrences(SeriesFrequency.MONTHLY_DATE, 1, at(2026, 1, 31, 14, 0), until=date(2026, 8, 31))
    assert [s.date() for s in found.starts] == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 8, 31),
    ]
    assert found.rrule_text.startswith("RRULE:FREQ=MONTHLY;") and "BYMONTHDAY=31" in found.rrule_text


def test_it_repeats_monthly_on_the_nth_weekday_and_the_fifth_week_means_the_last():
    second_tuesday = series.occurrences(SeriesFrequency.MONTHLY_WEEKDAY, 1, at(2026, 3, 10, 10, 0), count=3)
    assert [s.date() for s in second_tuesday.starts] == [date(2026, 3, 10), date(2026, 4, 14), date(2026, 5, 12)]
    assert "BYDAY=+2TU" in second_tuesday.rrule_text
    # 31 March 2026 is the fifth Tuesday: "the last Tuesday", also in months with four.
    last = series.occurrences(SeriesFrequency.MONTHLY_WEEKDAY, 1, at(2026, 3, 31, 10, 0), count=3)
    assert [s.date() for s in last.starts] == [date(2026, 3, 31), date(2026, 4, 28), date(2026, 5, 26)]
    assert "BYDAY=-1TU" in last.rrule_text
    every_other = series.occurrences(SeriesFrequency.MONTHLY_WEEKDAY, 2, at(2026, 1, 5, 10, 0), count=3)
    assert [s.date() for s in every_other.starts] == [date(2026, 1, 5), date(2026, 3, 2), date(2026, 5, 4)]


def test_it_refuses_a_series_without_an_end_or_with_two():
    with pytest.raises(ValueError, match="needs an end"):
        series.occurrences(SeriesFrequency.WEEKLY, 1, at(2026, 3, 3, 10, 0))
    with pytest.raises(ValueError, match="not both"):
        series.occurrences(SeriesFrequency.WEEKLY, 1, at(2026, 3, 3, 10, 0), until=date(2026, 5, 1), count=3)


def test_it_caps_a_series_at_120_meetings_and_says_so():
    found = series.occurrences(SeriesFrequency.WEEKLY, 1, at(2026, 1, 6, 10, 0), until=date(2029, 12, 31))
    assert len(found.starts) == series.MAX_MEETINGS == 120
    assert found.capped
    assert found.rrule_text == "RRULE:FREQ=WEEKLY;COUNT=120"
    exactly = series.occurrences(SeriesFrequency.WEEKLY, 1, at(2026, 1, 6, 10, 0), count=120)
    assert len(exactly.starts) == 120 and not exactly.capped


def test_it_refuses_a_series_that_runs_past_the_portals_years():
    with pytest.raises(ValueError, match="past the last year"):
        series.occurrences(SeriesFrequency.MONTHLY_DATE, 1, at(2100, 6, 1, 10, 0), count=12)


def test_its_rule_text_reads_back_as_the_same_meetings():
    first = at(2026, 3, 3, 10, 0)
    found = series.occurrences(SeriesFrequency.WEEKLY, 3, first, until=date(2026, 12, 1))
    # With a time zone on the start, RFC 5545 wants UNTIL in UTC: the end of 1 December in Amsterdam.
    assert found.rrule_text == "RRULE:FREQ=WEEKLY;INTERVAL=3;UNTIL=20261201T225959Z"
    assert list(rrulestr(found.rrule_text, dtstart=first)) == found.starts


def test_a_time_the_clocks_skip_is_read_as_the_hour_after():
    # 02:30 on 29 March 2026 does not exist in Amsterdam: it is 03:30 summer time.
    moment = series.aware(datetime(2026, 3, 29, 2, 30))
    assert (moment.hour, moment.minute, moment.utcoffset()) == (3, 30, timedelta(hours=2))


# --- Planning and the host rotation ----------------------------------------------------------------


@pytest.fixture
def body(world) -> Body:
    return Body.objects.create(chain=world.chain, name="Tactisch overleg", level=BodyLevel.TACTICAL)


def test_it_plans_a_series_as_drafts_whose_hosts_take_turns_alphabetically(world, body):
    # Core partners: OM and Politie (the world's), and the Reclassering; a partner of the chain is no core partner.
    reclassering = PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name="Reclassering"))
    PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Rechtspraak"),
        status=PartnershipStatus.PARTNER_OF_CHAIN,
    )
    first = at(2026, 3, 24, 13, 0)
    planned = meetings.plan(
        meetings.MeetingPlan(
            body=body,
            starts_at=first,
            ends_at=first + timedelta(hours=2),
            place="Stadhuis, zaal 3",
            host=world.partner_b,  # Openbaar Ministerie
            frequency=SeriesFrequency.WEEKLY,
            interval=1,
            count=5,
        ),
        by=world.manager,
    )
    rows = list(Meeting.objects.filter(body=body).order_by("starts_at"))
    assert len(rows) == 5 and all(m.status == MeetingStatus.DRAFT and m.series == planned.series for m in rows)
    assert [m.host for m in rows] == [world.partner_b, world.partner_a, reclassering, world.partner_b, world.partner_a]
    # Both ends keep their local time across the change to summer time on 29 March.
    assert local_times([m.starts_at for m in rows]) == {(13, 0)}
    assert local_times([m.ends_at for m in rows]) == {(15, 0)}
    stored = MeetingSeries.objects.get()
    assert (stored.count, stored.until, stored.duration_minutes, stored.rrule) == (
        5,
        None,
        120,
        "RRULE:FREQ=WEEKLY;COUNT=5",
    )


def test_the_next_host_continues_after_the_previous_meetings_host(world, body):
    reclassering = PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name="Reclassering"))
    start = at(2026, 5, 1, 10, 0)
    assert meetings.next_host(body, start) == world.partner_b  # no meeting yet: the first alphabetically
    Meeting.objects.create(
        body=body,
        starts_at=start - timedelta(days=60),
        ends_at=start - timedelta(days=60, hours=-1),
        host=world.partner_b,
    )
    Meeting.objects.create(
        body=body,
        starts_at=start - timedelta(days=30),
        ends_at=start - timedelta(days=30, hours=-1),
        host=world.partner_a,
    )
    assert meetings.next_host(body, start) == reclassering
    # A cancelled meeting hosted nothing: the turn stays.
    Meeting.objects.create(
        body=body,
        starts_at=start - timedelta(days=1),
        ends_at=start - timedelta(days=1, hours=-1),
        host=reclassering,
        status=MeetingStatus.CANCELLED,
    )
    assert meetings.next_host(body, start) == reclassering
    # A host that is no core partner (any more) is followed by the next name after it.
    reclassering.left_on = date(2020, 1, 1)
    reclassering.save()
    Meeting.objects.create(
        body=body, starts_at=start - timedelta(hours=5), ends_at=start - timedelta(hours=4), host=reclassering
    )
    assert meetings.next_host(body, start) == world.partner_b  # after "Reclassering" comes none: round again


def test_the_host_after_a_partner_outside_the_rotation_is_the_next_name(world):
    turns = meetings.rotation(world.chain.pk)
    assert [p.organisation.name for p in turns] == ["Openbaar Ministerie", "Politie"]
    outside = PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Kinderbescherming"), status=PartnershipStatus.OBSERVER
    )
    assert meetings.host_after(turns, outside) == world.partner_b
    assert meetings.host_after([], outside) is None
