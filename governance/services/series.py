"""When the meetings of a series fall: python-dateutil's rrule on Amsterdam wall-clock times.

A series is planned as "every other Tuesday at 10:00", and 10:00 stays 10:00 in summer and in
winter. So the rule runs on *naive local* times (the wall clock in Europe/Amsterdam) and each
occurrence is only then given its offset (+01:00 or +02:00): a series that crosses the last
Sunday of March or of October keeps its local time, and its moment in UTC moves by an hour.

Kinds of series (``SeriesFrequency``):

- every n weeks, on the weekday of the first meeting;
- every n months on the date of the first meeting (months without that date, such as the 31st in
  April, are skipped, as RFC 5545 and every calendar application do);
- every n months on the n-th weekday of the first meeting ("the second Tuesday"); a first meeting
  in the month's fifth week means "the last" weekday of the month.

A series ends on a date (``until``) or after a number of meetings (``count``); one of the two is
required and not both (RFC 5545 forbids both). A series has at most ``MAX_MEETINGS``; one that
would have more is cut there, and ``Occurrences.capped`` says so. The rule's RFC 5545 text (the
``RRULE`` line) is kept on ``MeetingSeries.rrule``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from django.conf import settings

from stakeholders.dates import LAST_YEAR

from ..models import SeriesFrequency

MAX_MEETINGS = 120


def local_zone() -> ZoneInfo:
    """The portal's time zone (Europe/Amsterdam): the wall clock meetings are planned on."""
    return ZoneInfo(settings.TIME_ZONE)


def aware(local: datetime) -> datetime:
    """A naive Amsterdam wall-clock time as an aware moment. A time that does not exist (02:30 on
    the last Sunday of March) is read with the offset before the change, i.e. as 03:30 summer time;
    a time that exists twice (02:30 in October) as the first of the two."""
    moment = local.replace(tzinfo=local_zone(), fold=0)
    # Round trip through UTC, so a non-existent time comes back as the real one it means.
    return moment.astimezone(UTC).astimezone(local_zone())


def wall_clock(moment: datetime) -> datetime:
    """An aware moment as a naive Amsterdam wall-clock time."""
    return moment.astimezone(local_zone()).replace(tzinfo=None)


def nth_weekday(day: date) -> weekday:
    """The dateutil weekday that falls on ``day`` in its month: the 1st–4th, or -1 (the last) in
    the fifth week."""
    n = (day.day - 1) // 7 + 1
    return weekday(day.weekday(), n if n <= 4 else -1)


@dataclass(frozen=True)
class Occurrences:
    starts: list[datetime]  # aware, in Europe/Amsterdam
    capped: bool  # the rule has more than MAX_MEETINGS; only the first MAX_MEETINGS are here
    rrule_text: str  # the RFC 5545 RRULE line of what is planned


def _rule(
    frequency: str, interval: int, first: datetime, until: date | None, count: int | None
) -> tuple[rrule, datetime | None]:
    """The rrule on naive wall-clock times, and the (naive) last moment it may reach."""
    until_local = datetime.combine(until, time(23, 59, 59)) if until else None
    options: dict = {"dtstart": first, "interval": interval}
    if until_local is not None:
        options["until"] = until_local
    if count is not None:
        options["count"] = count
    if frequency == SeriesFrequency.WEEKLY:
        return rrule(WEEKLY, **options), until_local
    if frequency == SeriesFrequency.MONTHLY_DATE:
        return rrule(MONTHLY, bymonthday=first.day, **options), until_local
    if frequency == SeriesFrequency.MONTHLY_WEEKDAY:
        return rrule(MONTHLY, byweekday=nth_weekday(first.date()), **options), until_local
    raise ValueError(f"unknown frequency {frequency!r}")


def _rrule_line(rule: rrule) -> str:
    """The RRULE line of ``rule``; a (local) UNTIL as UTC with a Z, as RFC 5545 requires when the
    start has a time zone (dateutil writes the naive value it was given)."""
    line = next(part for part in str(rule).splitlines() if part.startswith("RRULE:"))

    def utc(match: re.Match) -> str:
        local = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")
        return "UNTIL=" + aware(local).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return re.sub(r"UNTIL=(\d{8}T\d{6})(?!Z)", utc, line)


def occurrences(
    frequency: str,
    interval: int,
    first_start: datetime,
    *,
    until: date | None = None,
    count: int | None = None,
) -> Occurrences:
    """The starts of a series' meetings (aware, Amsterdam time), at most MAX_MEETINGS.

    ``first_start`` is aware (or naive Amsterdam wall-clock time). ValueError for a series without
    an end, with both ends, or beyond the years the portal accepts."""
    if until is None and count is None:
        raise ValueError("a series needs an end: a date or a number of meetings")
    if until is not None and count is not None:
        raise ValueError("a series ends on a date or after a number of meetings, not both")
    first = wall_clock(first_start) if first_start.tzinfo else first_start
    rule, _ = _rule(frequency, interval, first, until, count)
    starts: list[datetime] = []
    capped = False
    for local in rule:
        if len(starts) == MAX_MEETINGS:
            capped = True
            break
        if local.year > LAST_YEAR:
            raise ValueError("the series runs past the last year the portal accepts")
        starts.append(aware(local))
    if capped:
        # What is planned: the same rule, ending with the last meeting that was kept.
        rule, _ = _rule(frequency, interval, first, None, MAX_MEETINGS)
    return Occurrences(starts=starts, capped=capped, rrule_text=_rrule_line(rule))


def in_words(frequency: str, interval: int, first_start: datetime) -> str:
    """The rule as a person says it: "every 2 weeks on Tuesday", "monthly on the second Tuesday"."""
    from django.utils.dates import WEEKDAYS
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    local = wall_clock(first_start) if first_start.tzinfo else first_start
    day = str(WEEKDAYS[local.weekday()])
    if frequency == SeriesFrequency.WEEKLY:
        return ngettext("every week on %(day)s", "every %(n)d weeks on %(day)s", interval) % {"n": interval, "day": day}
    if frequency == SeriesFrequency.MONTHLY_DATE:
        return ngettext("every month on day %(date)d", "every %(n)d months on day %(date)d", interval) % {
            "n": interval,
            "date": local.day,
        }
    nth = {
        1: _("the first %(day)s"),
        2: _("the second %(day)s"),
        3: _("the third %(day)s"),
        4: _("the fourth %(day)s"),
        -1: _("the last %(day)s"),
    }[nth_weekday(local.date()).n] % {"day": day}
    return ngettext("every month on %(nth)s", "every %(n)d months on %(nth)s", interval) % {"n": interval, "nth": nth}
