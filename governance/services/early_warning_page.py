"""What an early warning's page shows besides the warning itself: the chain's line against the
trajectory (the indicator page's chart, ambitions/services/charts.py) over the dashboard's window,
and the lagging units' numbers in words. Three queries (ambitions.services.dashboard.chain_series)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from ambitions.services import progress
from ambitions.services.charts import Chart, chart
from ambitions.services.dashboard import chain_series
from ambitions.services.display import NumberFormat
from ambitions.services.progress import Measure
from governance.models.early_warnings import EarlyWarning


@dataclass(frozen=True)
class LaggingRow:
    unit: str
    partner: str
    value: str
    target: str


@dataclass(frozen=True)
class WarningPage:
    chart: Chart | None
    lagging: list[LaggingRow]
    gap: str
    previous_gap: str


def build(warning: EarlyWarning, today: date | None = None) -> WarningPage:
    """``warning`` with its indicator (and ambition) and version loaded."""
    today = today or timezone.localdate()
    version, fmt = warning.version, NumberFormat()
    measure = Measure.of(version)
    found = chain_series([warning.indicator], today).get(warning.indicator_id)
    drawn = None
    if found is not None:
        points = [p for p in found[1] if p.version is not None and p.version.pk == version.pk]
        if points:
            drawn = chart(
                warning.indicator.name,
                [p.period for p in points],
                [p.value for p in points],
                [progress.expected(version, p.period.start) for p in points],
                measure,
                fmt,
            )
    lagging = [
        LaggingRow(
            row["unit"],
            row["partner"],
            fmt.with_unit(Decimal(row["value"]), measure),
            fmt.with_unit(Decimal(row["target"]), measure),
        )
        for row in warning.lagging
    ]
    gap, previous = fmt.with_unit(warning.gap, measure), fmt.with_unit(warning.previous_gap, measure)
    return WarningPage(drawn, lagging, gap, previous)
