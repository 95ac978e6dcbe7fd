"""A bending trajectory for the early-warning tests (tests/governance/test_early_warning*.py).

The share indicator of tests/measures.py (a ratio, higher is better: 24% in January 2024 to 80% by
June 2027, tolerance 5 points), with the ambition's horizon at June 2027. Unit A (Politie) and unit
B (OM) report every month of 2025 and 2026: both follow the trajectory until BEND, after which
unit A stands still at its level and unit B keeps up; so the chain's line bends and its forecast
slowly turns off target.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ambitions.models import Figure
from ambitions.periods import Frequency, Period
from ambitions.services import aggregates, progress

FIRST = Period.containing(date(2025, 1, 1), Frequency.MONTH)
LAST = Period.containing(date(2026, 12, 1), Frequency.MONTH)
BEND = Period.containing(date(2025, 9, 1), Frequency.MONTH)


def months(first: Period = FIRST, last: Period = LAST) -> list[Period]:
    return [first.shifted(i) for i in range(first.steps_until(last) + 1)]


def on_the_trajectory(m, period: Period) -> Decimal:
    return progress.expected(m.share_v1, period.start)


def unit_value(m, unit, period: Period, stall: Period | None = BEND) -> Decimal:
    """Unit A stands still from ``stall`` on (when given); unit B follows the trajectory."""
    if unit == m.world.unit_a and stall is not None and period >= stall:
        return on_the_trajectory(m, stall.previous).quantize(Decimal(1))
    return on_the_trajectory(m, period).quantize(Decimal(1))


def report(m, upto: Period = LAST, stall: Period | None = BEND, first: Period = FIRST) -> None:
    """Both units' figures (out of 100 cases each) for every month from ``first`` to ``upto``, and their roll-ups."""
    m.ambition.horizon = date(2027, 6, 30)
    m.ambition.save()
    figures = []
    for period in months(first, upto):
        for unit in (m.world.unit_a, m.world.unit_b):
            numerator = unit_value(m, unit, period, stall)
            figures.append(
                Figure(
                    indicator=m.share,
                    version=m.share_v1,
                    unit=unit,
                    organisation=unit.organisation,
                    period=period.start,
                    numerator=numerator,
                    denominator=Decimal(100),
                    value=numerator,
                )
            )
    Figure.objects.bulk_create(figures)
    aggregates.recompute({(f.indicator_id, f.period, f.organisation_id) for f in figures})


def seen_on(period: Period) -> date:
    """A day on which ``period`` is the headline: past its deadline (the 10th), before the next one's."""
    return period.next.start.replace(day=20)
