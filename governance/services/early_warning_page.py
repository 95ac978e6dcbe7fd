"""What an early warning's page shows besides the warning itself: the chain's line against the
trajectory (the indicator page's chart, ambitions/services/charts.py) over the dashboard's window,
continued to the ambition's horizon with the warning's forecast as a dotted line, the same numbers
as a table (the chart's text alternative, no script needed), and the lagging units' numbers in
words. Three queries (ambitions.services.dashboard.chain_series)."""

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

# Periods the chart runs on past the window to reach the horizon (ten years of months): further
# off, the forecast is only given in words and in the table.
MAX_AHEAD = 120


@dataclass(frozen=True)
class LaggingRow:
    unit: str
    partner: str
    value: str
    target: str


@dataclass(frozen=True)
class ChartRow:
    """One line of the chart's table: a period with the chain's value, the target and the forecast."""

    period: str
    value: str
    target: str
    forecast: str


@dataclass(frozen=True)
class WarningPage:
    chart: Chart | None
    rows: list[ChartRow]
    lagging: list[LaggingRow]
    gap: str
    previous_gap: str


def build(warning: EarlyWarning, today: date | None = None) -> WarningPage:
    """``warning`` with its indicator (and ambition) and version loaded."""
    today = today or timezone.localdate()
    version, fmt = warning.version, NumberFormat()
    measure = Measure.of(version)
    found = chain_series([warning.indicator], today).get(warning.indicator_id)
    drawn, rows = None, []
    if found is not None:
        points = [p for p in found[1] if p.version is not None and p.version.pk == version.pk]
        if points:
            periods = [p.period for p in points]
            values = [p.value for p in points]
            horizon = warning.forecast_period_obj
            # Continued to the horizon, the periods after the window without values, so that the
            # forecast is drawn where it falls; a horizon inside the window gets no line.
            ahead = periods[-1] < horizon <= periods[-1].shifted(MAX_AHEAD)
            while ahead and periods[-1] < horizon:
                periods.append(periods[-1].next)
                values.append(None)
            targets = [progress.expected(version, period.start) for period in periods]
            drawn = chart(
                warning.indicator.name,
                periods,
                values,
                targets,
                measure,
                fmt,
                forecast=warning.forecast_value if ahead else None,
            )
            rows = _rows(periods, values, targets, warning, measure, fmt, ahead)
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
    return WarningPage(drawn, rows, lagging, gap, previous)


def _rows(periods, values, targets, warning: EarlyWarning, measure: Measure, fmt: NumberFormat, ahead: bool):
    """The reported periods with their value and target, then the horizon with its forecast (the
    periods in between carry no figure: the target line runs on straight)."""

    def shown(number: Decimal | None) -> str:
        return "" if number is None else fmt.with_unit(number, measure)

    rows = [
        ChartRow(period.label(), shown(value), shown(target), "")
        for period, value, target in zip(periods, values, targets, strict=True)
        if value is not None
    ]
    if ahead:
        rows.append(ChartRow(periods[-1].label(), "", shown(targets[-1]), shown(warning.forecast_value)))
    return rows
