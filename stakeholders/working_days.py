"""Working days in the Netherlands: weekdays that are not Dutch public holidays.

The holidays come from the ``holidays`` package (its NL calendar: New Year, Good Friday, Easter,
King's Day, Ascension, Whitsun, Christmas, and Liberation Day in the years it is a day off), never
from a list of our own. An escalation level's response time (governance/models/bottlenecks.py)
and a partner's agreed delivery day (ambitions/models/delivery.py) count these days; the module
lives in stakeholders so every app can use it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: date, days: int) -> date:
    """The working day ``days`` working days after ``start`` (``start`` itself does not count):
    a response due in 2 working days from Friday is due on Tuesday, or Wednesday after Easter Monday."""
    if days < 1:
        raise ValueError("a response time is at least one working day")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
