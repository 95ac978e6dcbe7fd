"""Where an indicator stands: expected value per period (the trajectory), status, trend and forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ambitions.models import Direction, IndicatorVersion, Trajectory
from ambitions.periods import Period


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")
    # A sum's total while some units have not reported: judging it against the target would call
    # a chain off track for figures that are merely not in yet.
    PROVISIONAL = "provisional", _("Provisional")


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
    version: IndicatorVersion, actual: Decimal | None, target: Decimal | None, *, complete: bool = True
) -> Status:
    """status() with the target already known (the indicator page asks this per cell).

    A ratio is judged on the units that have reported (their numerators over their denominators
    estimate the whole); a sum only once it is complete, and until then is provisional."""
    if actual is None:
        return Status.NO_DATA
    if not complete and not version.is_ratio:
        return Status.PROVISIONAL
    if target is None:
        return Status.ON_TRACK
    behind = behind_by(version, actual, target)
    if behind <= 0:
        return Status.ON_TRACK
    return Status.AT_RISK if behind <= version.tolerance else Status.OFF_TRACK


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
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else Decimal(0)
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
