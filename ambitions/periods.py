"""Reporting periods: a period is identified by the date it starts and its frequency.

Months start on the 1st, quarters on 1 January/April/July/October, years on 1 January.
In URLs a period is written as ``2026-03`` (month), ``2026-K1`` (quarter) or ``2026`` (year).

Every period or date a person or a system gives us lies in the years 2000–2100 (``FIRST_YEAR`` to
``LAST_YEAR``): ``Period.from_slug`` refuses others and ``check_date`` bounds a date typed as a
date, so every channel (URLs, query parameters, forms, the API, commands) shares one rule. Outside
it a period's neighbours would leave what ``date`` can hold (year 1 or 9999) and a stored year 9999
is an absurdity nobody meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

from stakeholders.dates import FIRST_YEAR, LAST_YEAR, in_range, range_message, validate_in_range
from stakeholders.models.chains import ReportingFrequency as Frequency

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "Frequency",
    "OutOfRange",
    "Period",
    "check_date",
    "in_range",
    "range_message",
    "validate_in_range",
]


class OutOfRange(ValueError):
    """A well-formed period or date outside 2000–2100 (a ValueError, so every caller that refuses
    malformed input refuses this too; catch it first to say why)."""


_MONTHS_PER = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.YEAR: 12}
_SLUG = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|K(?P<quarter>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    start: date
    frequency: str

    @classmethod
    def containing(cls, day: date, frequency: str) -> Period:
        months = _MONTHS_PER[frequency]
        month = (day.month - 1) // months * months + 1
        return cls(date(day.year, month, 1), frequency)

    @classmethod
    def from_slug(cls, slug: str) -> Period:
        """Parse ``2026-03``, ``2026-K1`` or ``2026``; ValueError for anything else, and for a year
        outside 2000–2100."""
        match = _SLUG.match(slug)
        if not match:
            raise ValueError(slug)
        year = int(match["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise OutOfRange(slug)
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(slug)
            return cls(date(year, month, 1), Frequency.MONTH)
        if match["quarter"]:
            return cls(date(year, (int(match["quarter"]) - 1) * 3 + 1, 1), Frequency.QUARTER)
        return cls(date(year, 1, 1), Frequency.YEAR)

    @property
    def slug(self) -> str:
        if self.frequency == Frequency.MONTH:
            return f"{self.start:%Y-%m}"
        if self.frequency == Frequency.QUARTER:
            return f"{self.start.year}-K{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods later (or earlier, when negative)."""
        index = self.start.year * 12 + self.start.month - 1 + steps * _MONTHS_PER[self.frequency]
        return Period(date(index // 12, index % 12 + 1, 1), self.frequency)

    @property
    def next(self) -> Period:
        return self.shifted(1)

    @property
    def previous(self) -> Period:
        return self.shifted(-1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.next.start - timedelta(days=1)

    def steps_until(self, other: Period) -> int:
        """How many periods from this one to ``other`` (negative when ``other`` is earlier)."""
        months = (other.start.year - self.start.year) * 12 + other.start.month - self.start.month
        return months // _MONTHS_PER[self.frequency]

    def label(self) -> str:
        if self.frequency == Frequency.MONTH:
            return formats.date_format(self.start, "F Y")
        if self.frequency == Frequency.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return str(self.start.year)

    def short_label(self) -> str:
        if self.frequency == Frequency.MONTH:
            return formats.date_format(self.start, "M Y")
        return self.label()

    def __str__(self) -> str:
        return self.label()


def check_date(day: date) -> date:
    """``day`` itself when it lies in 2000–2100; ValueError otherwise (callers turn it into their
    channel's answer: a form error, a 400 or a 404)."""
    if not in_range(day):
        raise OutOfRange(day.isoformat())
    return day


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive (empty when ``last`` is earlier)."""
    return [first.shifted(i) for i in range(first.steps_until(last) + 1)]
