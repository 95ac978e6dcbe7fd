"""Where an indicator stands: expected value per period (the trajectory), status, trend and forecast.

``standing()`` is the one place that decides what a tile on the dashboard and an indicator in a
progress report show: which period is the headline, its status, the change since the period
before, what is still coming in, and the forecast. ``part_standard()`` decides what a partner or a
unit is held to (the report's per-partner figures and its "units furthest behind").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from ambitions.models import Direction, IndicatorVersion, Trajectory
from ambitions.periods import Period
from ambitions.services.entry import deadline  # the deadline rule, shared with the grid and reminders


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")
    # A sum's total while some units have not reported: judging it against the target would call
    # a chain off track for figures that are merely not in yet.
    PROVISIONAL = "provisional", _("Provisional")
    # A period whose deadline has not passed (or that is still running): figures are coming in.
    IN_PROGRESS = "in_progress", _("In progress")
    # A partner or unit of a sum without a share to scale the chain's target by (part_standard).
    NOT_JUDGED = "not_judged", _("No target of its own")


def expected(version: IndicatorVersion, period: date) -> Decimal | None:
    """The trajectory's value for ``period``; None before the baseline."""
    if period < version.baseline_period:
        return None
    if version.trajectory == Trajectory.STEPPED:
        reached = [m for m in _milestones(version) if m[0] <= period]
        return reached[-1][1] if reached else version.baseline_value
    if period >= version.target_period:
        return version.target_value
    start = Period.containing(version.baseline_period, version.frequency)
    total = start.steps_until(Period.containing(version.target_period, version.frequency))
    done = start.steps_until(Period.containing(period, version.frequency))
    return version.baseline_value + (version.target_value - version.baseline_value) * Decimal(done) / Decimal(total)


def _milestones(version: IndicatorVersion) -> list[tuple[date, Decimal]]:
    return sorted((date.fromisoformat(m["period"]), Decimal(str(m["value"]))) for m in version.milestones)


def status(version: IndicatorVersion, actual: Decimal | None, period: date, *, complete: bool = True) -> Status:
    """``actual`` against the trajectory for ``period``; ``complete``: every reporting unit has reported."""
    return judge(version, actual, expected(version, period), complete=complete)


def judge(
    version: IndicatorVersion,
    actual: Decimal | None,
    target: Decimal | None,
    *,
    complete: bool = True,
    tolerance: Decimal | None = None,
) -> Status:
    """status() with the target already known (the indicator page asks this per cell).

    A ratio is judged on the units that have reported (their numerators over their denominators
    estimate the whole); a sum only once it is complete, and until then is provisional.
    ``tolerance``: a part's own (part_standard); the version's by default."""
    if actual is None:
        return Status.NO_DATA
    if not complete and not version.is_ratio:
        return Status.PROVISIONAL
    if target is None:
        return Status.ON_TRACK
    behind = behind_by(version, actual, target)
    if behind <= 0:
        return Status.ON_TRACK
    return Status.AT_RISK if behind <= (version.tolerance if tolerance is None else tolerance) else Status.OFF_TRACK


def behind_by(version: IndicatorVersion, actual: Decimal, target: Decimal) -> Decimal:
    """How far ``actual`` is behind ``target`` in the indicator's direction (negative: ahead)."""
    return target - actual if version.direction == Direction.HIGHER else actual - target


@dataclass(frozen=True)
class Forecast:
    value: Decimal
    period: Period


def forecast(version: IndicatorVersion, series: list[tuple[Period, Decimal | None]], horizon: date) -> Forecast | None:
    """A straight line through the last twelve reported periods, read off at the horizon.

    Least squares on (period index, value); needs three points. Clamped to what the unit allows
    (never below zero for shares, never above the factor for a share).
    """
    points = [(p, v) for p, v in series if v is not None][-12:]
    if len(points) < 3:
        return None
    origin = points[0][0]
    xs = [Decimal(origin.steps_until(p)) for p, _ in points]
    ys = [v for _, v in points]
    n = Decimal(len(points))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    # Lists rather than generators, each difference once: the same Decimal operations in the same
    # order (so the same result to the last digit), in half the time.
    dxs = [x - mean_x for x in xs]
    spread = sum([dx**2 for dx in dxs])
    slope = sum([dx * (y - mean_y) for dx, y in zip(dxs, ys, strict=True)]) / spread if spread else Decimal(0)
    target_period = Period.containing(horizon, version.frequency)
    value = mean_y + slope * (Decimal(origin.steps_until(target_period)) - mean_x)
    if not version.allow_negative or version.is_ratio:
        value = max(value, Decimal(0))
    if version.is_ratio and version.is_share:
        value = min(value, version.factor)
    return Forecast(value, target_period)


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    if current is None or previous is None:
        return None
    return current - previous


def improving(version: IndicatorVersion, delta: Decimal | None) -> bool | None:
    if delta is None or delta == 0:
        return None
    return (delta > 0) == (version.direction == Direction.HIGHER)


# ---------------------------------------------------------------------------------------------
# Partners and units: what each part is held to


@dataclass(frozen=True)
class Standard:
    """What one partner or unit is held to in a period: its expected value and its tolerance."""

    target: Decimal
    tolerance: Decimal
    share: Decimal  # of the chain's target (1 for a ratio)


def part_standard(version: IndicatorVersion, chain_target: Decimal | None, share: Decimal | None) -> Standard | None:
    """A ratio's target holds for every part as it is (a share of cases is a share at any size).

    A sum's target is the chain's total, so a part is held to its share of it: its own figure in
    the version's baseline period over the chain's baseline value. The part is then expected to
    move from where it started by the same factor as the chain's trajectory (a parket with 240 of
    the chain's 3,000 cases at the baseline is expected to have 8% of the chain's expected total),
    and its tolerance scales with it. A part without a figure in the baseline period (a new unit,
    or a baseline measured before the portal) has no share, so no target of its own (None): it
    is not judged rather than judged against a guess. ``share`` comes from baseline_shares()."""
    if chain_target is None:
        return None
    if version.is_ratio:
        return Standard(chain_target, version.tolerance, Decimal(1))
    if share is None:
        return None
    return Standard(chain_target * share, version.tolerance * share, share)


def baseline_shares(version: IndicatorVersion, values: dict[int, Decimal]) -> dict[int, Decimal]:
    """Part id → its share of the chain's baseline value, from its own value in the baseline period.

    The chain's agreed baseline is the denominator, not the sum of the figures: a unit that did
    not report the baseline period must not inflate the others' shares."""
    if version.baseline_value <= 0:
        return {}
    return {part: value / version.baseline_value for part, value in values.items()}


def judge_part(
    version: IndicatorVersion, actual: Decimal | None, standard: Standard | None, *, complete: bool = True
) -> Status:
    """A partner's or unit's status against its own standard (part_standard)."""
    if actual is None:
        return Status.NO_DATA
    if standard is None:
        return Status.NOT_JUDGED
    return judge(version, actual, standard.target, complete=complete, tolerance=standard.tolerance)


def distance_behind(version: IndicatorVersion, actual: Decimal, standard: Standard) -> Decimal:
    """How far a part is behind its own target, in its own tolerances (so a small unit and a large
    one, a count and a percentage, rank on one scale)."""
    unit = standard.tolerance or standard.share  # no tolerance: in whole units of the measure, scaled
    return behind_by(version, actual, standard.target) / (unit or Decimal(1))


# ---------------------------------------------------------------------------------------------
# The headline: one rule for the dashboard's tiles and the progress report


class Point(NamedTuple):
    """One period of an indicator's chain series, from the roll-ups. (A named tuple: a dashboard
    makes 480 per request, and a frozen dataclass took three times as long to make.)"""

    period: Period
    version: IndicatorVersion | None  # the definition governing the period (None: none of its frequency)
    value: Decimal | None = None
    reported: int = 0
    late: int = 0
    expected: int = 0  # the reporting units of ``version``

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected


@dataclass(frozen=True)
class Standing:
    """What a tile or a report shows for one indicator (see standing())."""

    headline: Point | None = None
    target: Decimal | None = None
    status: Status = Status.NO_DATA
    previous: Point | None = None
    change: Decimal | None = None
    change_is_provisional: bool = False
    improving: bool | None = None
    in_progress: Point | None = None
    in_progress_deadline: date | None = None
    trend: list[Point] = field(default_factory=list)  # up to and including the headline
    forecast: Forecast | None = None


def _same(version: IndicatorVersion | None, other: IndicatorVersion) -> bool:
    """``version == other``, quicker: the points of a series share their version objects, and
    Model.__eq__, asked for every point of every tile, costs more than the rest of standing()."""
    return version is other or (version is not None and version.pk == other.pk)


def is_due(point: Point, today: date) -> bool:
    """Whether the point's deadline has passed: only then are its figures all in (or late)."""
    return point.version is not None and today > deadline(point.version, point.period)


def standing(series: list[Point], today: date, horizon: date) -> Standing:
    """The headline of ``series`` (consecutive periods, oldest first) as seen on ``today``.

    - The headline is the latest period whose deadline has passed and that has a value: a running
      period, or one whose deadline is still to come, is never the headline (half a month of cases
      is not a fall in cases). The first later period with a value is ``in_progress``, shown as
      what has come in so far.
    - The change compares the headline with the period before it. It compares like with like
      only when both periods fall under the same definition and every reporting unit reported in
      both (then they are the same units); otherwise it is marked provisional.
    - The forecast draws its line through the periods up to the headline under the headline's
      definition (a new definition may measure something else).
    """
    index = next(
        (i for i in range(len(series) - 1, -1, -1) if series[i].value is not None and is_due(series[i], today)),
        None,
    )
    later = series[index + 1 :] if index is not None else series
    in_progress = next((p for p in later if p.value is not None), None)
    progress_deadline = deadline(in_progress.version, in_progress.period) if in_progress is not None else None
    if index is None:
        return Standing(in_progress=in_progress, in_progress_deadline=progress_deadline)
    headline = series[index]
    version = headline.version
    target = expected(version, headline.period.start)
    before = series[index - 1] if index else None
    previous = before if before is not None and before.value is not None else None
    delta = change(headline.value, previous.value) if previous is not None else None
    like_with_like = (
        previous is not None and _same(previous.version, version) and previous.complete and headline.complete
    )
    trend = series[: index + 1]
    result = None
    if Period.containing(horizon, version.frequency) > headline.period:
        result = forecast(version, [(p.period, p.value if _same(p.version, version) else None) for p in trend], horizon)
    return Standing(
        headline=headline,
        target=target,
        status=judge(version, headline.value, target, complete=headline.complete),
        previous=previous,
        change=delta,
        change_is_provisional=previous is not None and not like_with_like,
        improving=improving(version, delta),
        in_progress=in_progress,
        in_progress_deadline=progress_deadline,
        trend=trend,
        forecast=result,
    )


# ---------------------------------------------------------------------------------------------
# The value object a tile and a report row show


@dataclass(frozen=True)
class Measure:
    """What is needed to show an indicator's numbers and judge their direction, without its version
    (a stored report has no version to ask)."""

    unit_label: str
    decimals: int
    direction: str

    @classmethod
    def of(cls, version: IndicatorVersion) -> Measure:
        return cls(version.unit_label, version.decimals, version.direction)


@dataclass(frozen=True)
class InProgress:
    """A period after the headline whose figures are still coming in (Standing.in_progress)."""

    period: Period
    value: Decimal | None
    reported: int
    expected: int
    deadline: date
    measure: Measure  # of the period's own definition


@dataclass(frozen=True)
class IndicatorProgress:
    """Where one indicator stands, as the dashboard's tile and the progress report show it.

    Built once from standing() (``of``), by the dashboard and by the report's snapshot, which
    stores it (ambitions/services/report_schema.py); display.show_progress() turns it into text
    for both. Plain values only, so a stored report reads it back without the definitions."""

    measure: Measure | None = None  # None: no adopted definition governs the indicator's periods
    status: Status = Status.NO_DATA
    period: Period | None = None  # the headline; None: no period with figures past its deadline
    version: int | None = None  # the number of the headline's definition
    value: Decimal | None = None
    target: Decimal | None = None  # the trajectory's value for ``period``
    previous: Decimal | None = None  # the value of the period before, when it had one
    previous_period: Period | None = None
    change: Decimal | None = None
    change_is_provisional: bool = False
    improving: bool | None = None
    reported: int = 0
    expected: int = 0
    late: int = 0
    forecast: Forecast | None = None
    in_progress: InProgress | None = None

    @classmethod
    def of(cls, found: Standing, shown: IndicatorVersion) -> IndicatorProgress:
        """``found`` as a value object; ``shown``: the definition whose measure applies when
        there is no headline (the one in force)."""
        coming = None
        if found.in_progress is not None:
            point = found.in_progress
            coming = InProgress(
                point.period,
                point.value,
                point.reported,
                point.expected,
                found.in_progress_deadline,
                Measure.of(point.version),
            )
        headline = found.headline
        if headline is None:
            return cls(measure=Measure.of(shown), in_progress=coming)
        version = headline.version
        return cls(
            measure=Measure.of(version),
            status=found.status,
            period=headline.period,
            version=version.number,
            value=headline.value,
            target=found.target,
            previous=found.previous.value if found.previous is not None else None,
            previous_period=headline.period.previous,
            change=found.change,
            change_is_provisional=found.change_is_provisional,
            improving=found.improving,
            reported=headline.reported,
            expected=headline.expected,
            late=headline.late,
            forecast=found.forecast,
            in_progress=coming,
        )
