"""SVG drawn on the server: a dashboard tile's sparkline and the indicator page's chart of the chain's
line against its target.

Both are data, not pictures: coordinates are strings made here (so a template never localises them
with a decimal comma), a gap in the data starts a new line, and each comes with a text alternative.
A tile's sparkline writes its own SVG (``Sparkline.svg``: twenty of them per dashboard, where a
template include each cost more than drawing them); the chart's template is ``ambitions/_chart.html``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ambitions.periods import Period
from ambitions.services.display import NumberFormat, with_unit
from ambitions.services.progress import Measure, Point

SPARK_WIDTH = 120
SPARK_HEIGHT = 32

# The chart's drawing area, in SVG user units (it scales to the width of the page). The right margin
# holds half of the latest period's label, which is centred on the last point ("Nov 2026").
CHART_WIDTH, CHART_HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 36, 14, 40


def _segments(points: Sequence[tuple[str, str] | None]) -> list[str]:
    """SVG polyline ``points`` attributes: one per run of points without a gap (None)."""
    segments: list[list[str]] = []
    current: list[str] | None = None
    for point in points:
        if point is None:
            current = None
            continue
        if current is None:
            current = []
            segments.append(current)
        current.append(",".join(point))
    return [" ".join(segment) for segment in segments]


# ---------------------------------------------------------------------------------------------
# A tile's sparkline


@dataclass
class Sparkline:
    segments: list[str]  # SVG polyline points; a gap in the data starts a new segment
    last: tuple[str, str] | None  # the latest point, marked with a dot (strings: never localised)
    summary: str  # the text alternative

    def svg(self, title_id: str) -> SafeString:
        """The sparkline as an image with ``summary`` as its text alternative (``title_id``: unique
        on the page). The view box leaves room for the dot on the latest value."""
        lines = "".join(f'<polyline class="kp-sparkline__line" points="{points}"/>' for points in self.segments)
        dot = (
            f'<circle class="kp-sparkline__dot" cx="{self.last[0]}" cy="{self.last[1]}" r="2.5"/>' if self.last else ""
        )
        title_id, summary = escape(title_id), escape(self.summary)
        return mark_safe(  # noqa: S308 (the id and summary escaped; points and coordinates are numbers made here)
            '<svg class="kp-sparkline" viewBox="-3 -1 126 34" width="126" height="34" role="img" '
            f'aria-labelledby="{title_id}" focusable="false"><title id="{title_id}">{summary}</title>{lines}{dot}</svg>'
        )


def sparkline(
    series: list[Point], measure: Measure, fmt: NumberFormat, label: Callable[[Period], str]
) -> Sparkline | None:
    """The trend of ``series`` (progress.Standing.trend); None when it has no value at all."""
    numbers = [None if p.value is None else float(p.value) for p in series]
    values = [n for n in numbers if n is not None]
    if not values:
        return None
    high = max(values)
    spread = (high - min(values)) or 1.0
    step = SPARK_WIDTH / max(len(series) - 1, 1)
    # 2px of room above and below, so the line and its dot are never clipped.
    points = [
        None if n is None else (f"{i * step:.1f}", f"{2 + (SPARK_HEIGHT - 4) * (high - n) / spread:.1f}")
        for i, n in enumerate(numbers)
    ]
    first_point = next(p for p in series if p.value is not None)
    last_point = next(p for p in reversed(series) if p.value is not None)
    summary = _("Trend over %(count)s periods: from %(first)s in %(first_period)s to %(last)s in %(last_period)s") % {
        "count": len(series),
        "first": fmt.with_unit(first_point.value, measure),
        "first_period": label(first_point.period),
        "last": fmt.with_unit(last_point.value, measure),
        "last_period": label(last_point.period),
    }
    return Sparkline(_segments(points), next(p for p in reversed(points) if p is not None), summary)


# ---------------------------------------------------------------------------------------------
# The indicator page's chart


@dataclass
class Chart:
    title: str
    description: str
    actual: list[str]  # polyline points; a gap in the data starts a new line
    dots: list[tuple[str, str]]
    target: list[str]
    y_ticks: list[tuple[str, str]]  # (y, label)
    x_ticks: list[tuple[str, str]]  # (x, label)
    plot_left: int = LEFT
    plot_right: int = CHART_WIDTH - RIGHT
    plot_bottom: int = CHART_HEIGHT - BOTTOM
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    # From the last reported value to the forecast at the horizon (early warnings); empty elsewhere.
    forecast: list[str] = field(default_factory=list)
    forecast_dot: tuple[str, str] | None = None


@dataclass(frozen=True)
class _Scale:
    """Maps a period's index and a value to SVG coordinates."""

    bottom: float
    top: float
    step: float  # between two ticks on the value axis
    spacing: float  # between two periods

    @classmethod
    def fit(cls, numbers: list[float], periods: int) -> _Scale:
        low, high = min(numbers + [0.0]), max(numbers + [1.0])
        step = _nice_step((high - low) / 4 or 1)
        bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
        if top == bottom:
            top = bottom + step
        return cls(bottom, top, step, (CHART_WIDTH - LEFT - RIGHT) / max(periods - 1, 1))

    def x(self, i: int) -> float:
        return round(LEFT + i * self.spacing, 1)

    def y(self, number: float) -> float:
        plot_height = CHART_HEIGHT - TOP - BOTTOM
        return round(TOP + plot_height * (self.top - number) / (self.top - self.bottom), 1)

    def point(self, i: int, value: Decimal | None) -> tuple[str, str] | None:
        return None if value is None else (str(self.x(i)), str(self.y(float(value))))


def chart(
    name: str,
    periods: list[Period],
    values: list[Decimal | None],
    targets: list[Decimal | None],
    measure: Measure,
    fmt: NumberFormat,
    forecast: Decimal | None = None,
) -> Chart:
    """The chain's ``values`` against the trajectory's ``targets``, one of each per period; with
    ``forecast``, a line from the last reported value to that value in the last period."""
    numbers = [float(v) for v in [*values, *targets, forecast] if v is not None]
    scale = _Scale.fit(numbers, len(periods))
    actual = [scale.point(i, value) for i, value in enumerate(values)]
    ahead: list[str] = []
    ahead_dot = None
    reported = [point for point in actual if point is not None]
    if forecast is not None and reported:
        ahead_dot = scale.point(len(periods) - 1, forecast)
        ahead = _segments([reported[-1], ahead_dot])
    return Chart(
        title=_("%(indicator)s (%(unit)s): chain value and target, %(first)s to %(last)s")
        % {"indicator": name, "unit": measure.unit_label, "first": periods[0].label(), "last": periods[-1].label()},
        description=_description(periods, values, measure, fmt),
        actual=_segments(actual),
        dots=[point for point in actual if point is not None],
        target=_segments([scale.point(i, value) for i, value in enumerate(targets)]),
        y_ticks=_y_ticks(scale, measure, fmt),
        x_ticks=_x_ticks(scale, periods),
        forecast=ahead,
        forecast_dot=ahead_dot,
    )


def _y_ticks(scale: _Scale, measure: Measure, fmt: NumberFormat) -> list[tuple[str, str]]:
    decimals = 0 if scale.step >= 1 else min(4, max(1, -math.floor(math.log10(scale.step))))
    percent = "%" if measure.unit_label == "%" else ""  # other units are named in the title
    ticks = []
    tick = scale.bottom
    while tick <= scale.top + scale.step / 1000:
        ticks.append((str(scale.y(tick)), with_unit(fmt(Decimal(str(round(tick, 6))), decimals), percent)))
        tick += scale.step
    return ticks


def _x_ticks(scale: _Scale, periods: list[Period]) -> list[tuple[str, str]]:
    """About six period labels, the latest period always among them."""
    every = math.ceil(len(periods) / 6)
    return [
        (str(scale.x(i)), period.short_label())
        for i, period in enumerate(periods)
        if (len(periods) - 1 - i) % every == 0
    ]


def _description(periods: list[Period], values: list[Decimal | None], measure: Measure, fmt: NumberFormat) -> str:
    reported = [(p, v) for p, v in zip(periods, values, strict=True) if v is not None]
    if not reported:
        return _("No figures in these periods yet; only the target line is drawn.")
    return _(
        "The chain's value from %(first)s in %(first_period)s to %(last)s in %(last_period)s, "
        "against the target line. The table below lists every value."
    ) % {
        "first": fmt.with_unit(reported[0][1], measure),
        "first_period": reported[0][0].label(),
        "last": fmt.with_unit(reported[-1][1], measure),
        "last_period": reported[-1][0].label(),
    }


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude
