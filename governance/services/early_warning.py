"""Early warning from the forecast: the rule, and the sweep that raises warnings (issue 15).

**The rule** (``assess``). For each indicator, under its headline's definition and at chain level,
the dashboard forecasts the value at the ambition's horizon (ambitions/services/progress.py:
``standing`` picks the headline P, the latest period past its deadline with a value, and
``forecast`` draws a line through the last twelve reported periods up to it). A warning is due at
P when the forecast made on the series up to P *and* the one made up to P−1 both fall short of the
trajectory's value at the horizon, in the indicator's direction, by more than the version's
tolerance: two periods in a row, so one bad month does not raise it.

**Once** (``_quiet``). No warning while one is proposed, or accepted while the bottleneck it filed
is open; never twice for one period (a unique constraint, so a sweep that runs twice, or two at
once, raises it once), never for a period before the latest warning's. A dismissed warning keeps
the indicator quiet until the forecast falls short by more than it did when it was dismissed.

**The sweep** reads every chain at once, in a fixed number of queries whatever their size: the
indicators (1), the dashboard's window of roll-ups (3: ambitions.services.dashboard.chain_series),
the warnings of the indicators whose forecast misses (1); and only when it raises some, their units'
figures (1), the inserts (1), the warnings read back and their chains' programme managers told
(2 + the notifications).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambitions.models import Figure, Indicator, IndicatorVersion
from ambitions.periods import Period
from ambitions.services import progress
from ambitions.services.dashboard import chain_series
from ambitions.services.display import NumberFormat, PeriodLabels
from governance.models import BottleneckStatus
from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from stakeholders.models import Membership, Role
from stakeholders.notify import notify

LAGGING_SHOWN = 5  # units kept with a warning, furthest behind first
PARTNERS_NAMED = 3  # partners (of those units) a bottleneck made from the warning concerns


@dataclass(frozen=True)
class Finding:
    """A forecast that misses the target two periods in a row, at ``period`` (P)."""

    version: IndicatorVersion
    period: Period
    forecast: progress.Forecast
    target: Decimal
    gap: Decimal  # how far the forecast made at P falls short of ``target``
    previous_gap: Decimal  # the same for the forecast made at P−1


def _short_by(version: IndicatorVersion, found: progress.Forecast | None) -> tuple[Decimal, Decimal] | None:
    """(how far the forecast falls short of the trajectory at its period, that target value)."""
    if found is None:
        return None
    target = progress.expected(version, found.period.start)
    if target is None:
        return None
    return progress.behind_by(version, found.value, target), target


def assess(series: list[progress.Point], today: date, horizon: date) -> Finding | None:
    """Whether the chain series (oldest first, as the dashboard's) warrants a warning on ``today``."""
    found = progress.standing(series, today, horizon)
    if found.headline is None or found.forecast is None:
        return None
    version = found.headline.version
    now = _short_by(version, found.forecast)
    if now is None or now[0] <= version.tolerance:
        return None
    # The forecast as the dashboard showed it a period earlier: the same line, without P.
    earlier = [
        (p.period, p.value if p.version is not None and p.version.pk == version.pk else None) for p in found.trend[:-1]
    ]
    before = _short_by(version, progress.forecast(version, earlier, horizon))
    if before is None or before[0] <= version.tolerance:
        return None
    return Finding(version, found.headline.period, found.forecast, now[1], now[0], before[0])


def current_gap(indicator: Indicator, today: date | None = None) -> Decimal | None:
    """How far the indicator's forecast falls short of its target now (None: no forecast), for
    the dismissal's mark. Three queries."""
    today = today or timezone.localdate()
    series = chain_series([indicator], today).get(indicator.pk)
    if series is None:
        return None
    found = progress.standing(series[1], today, indicator.ambition.horizon)
    if found.headline is None:
        return None
    gap = _short_by(found.headline.version, found.forecast)
    return gap[0] if gap is not None else None


# --- The sweep -----------------------------------------------------------------------------------


def sweep(today: date | None = None) -> list[EarlyWarning]:
    """Raise the warnings due on ``today`` in every chain; the warnings raised (each once)."""
    today = today or timezone.localdate()
    indicators = list(Indicator.objects.select_related("ambition"))
    by_id = {indicator.pk: indicator for indicator in indicators}
    findings: dict[int, Finding] = {}
    for pk, (_current, series) in chain_series(indicators, today).items():
        finding = assess(series, today, by_id[pk].ambition.horizon)
        if finding is not None:
            findings[pk] = finding
    if not findings:
        return []
    history = _history(findings)
    due = {pk: finding for pk, finding in findings.items() if not _quiet(finding, history.get(pk, []))}
    if not due:
        return []
    lagging = lagging_units(due)
    rows = [
        EarlyWarning(
            chain_id=by_id[pk].ambition.chain_id,
            indicator_id=pk,
            version=finding.version,
            period=finding.period.start,
            forecast_value=finding.forecast.value,
            forecast_period=finding.forecast.period.start,
            target=finding.target,
            gap=finding.gap,
            previous_gap=finding.previous_gap,
            lagging=lagging.get(pk, []),
        )
        for pk, finding in due.items()
    ]
    with transaction.atomic():
        # A sweep running at the same moment inserts the same rows: the constraints keep one.
        EarlyWarning.objects.bulk_create(rows, ignore_conflicts=True)
    raised = list(
        EarlyWarning.objects.filter(
            indicator_id__in=list(due), status=EarlyWarningStatus.PROPOSED, period__in={r.period for r in rows}
        ).select_related("chain", "indicator", "version")
    )
    raised = [w for w in raised if w.period == due[w.indicator_id].period.start]
    _tell_programme_managers(raised)
    return raised


def _history(findings: dict[int, Finding]) -> dict[int, list[tuple]]:
    """Per indicator its warnings, newest first: (period, status, gap at dismissal, bottleneck status)."""
    rows = (
        EarlyWarning.objects.filter(indicator_id__in=list(findings))
        .order_by("indicator_id", "-period", "-pk")
        .values_list("indicator_id", "period", "status", "gap_at_dismissal", "bottleneck__status")
    )
    found: dict[int, list[tuple]] = defaultdict(list)
    for indicator_id, *rest in rows:
        found[indicator_id].append(tuple(rest))
    return found


def _quiet(finding: Finding, history: list[tuple]) -> bool:
    """Whether the indicator's earlier warnings keep this finding from being raised (see the top)."""
    if not history:
        return False
    for _period, status, _gap, bottleneck_status in history:
        if status == EarlyWarningStatus.PROPOSED:
            return True
        if status == EarlyWarningStatus.ACCEPTED and bottleneck_status in BottleneckStatus.open():
            return True
    latest_period, latest_status, latest_gap, _bottleneck = history[0]
    if latest_period >= finding.period.start:
        return True
    return latest_status == EarlyWarningStatus.DISMISSED and latest_gap is not None and finding.gap <= latest_gap


def lagging_units(due: dict[int, Finding]) -> dict[int, list[dict]]:
    """Per indicator, its units furthest behind their own part at P (progress.part_standard: a
    ratio's target as it is, a sum's scaled by the unit's share of the baseline), worst first, as
    plain values for the warning's snapshot. One query for all."""
    baseline_of = {
        pk: Period.containing(f.version.baseline_period, f.version.frequency).start
        for pk, f in due.items()
        if not f.version.is_ratio
    }
    rows = Figure.objects.filter(
        indicator_id__in=list(due), period__in={f.period.start for f in due.values()} | set(baseline_of.values())
    ).values_list("indicator_id", "period", "unit_id", "unit__name", "organisation_id", "organisation__name", "value")
    at_period: dict[int, list[tuple]] = defaultdict(list)
    baselines: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for indicator_id, period, unit_id, unit, organisation_id, partner, value in rows:
        if value is None:
            continue
        if period == due[indicator_id].period.start:
            at_period[indicator_id].append((unit_id, unit, organisation_id, partner, value))
        if period == baseline_of.get(indicator_id):
            baselines[indicator_id][unit_id] = value
    result = {}
    for pk, finding in due.items():
        version = finding.version
        chain_target = progress.expected(version, finding.period.start)
        shares = progress.baseline_shares(version, baselines.get(pk, {}))
        behind = []
        for unit_id, unit, organisation_id, partner, value in at_period.get(pk, []):
            standard = progress.part_standard(version, chain_target, shares.get(unit_id))
            if standard is None:
                continue
            distance = progress.distance_behind(version, value, standard)
            if distance > 0:
                behind.append((distance, unit_id, unit, organisation_id, partner, value, standard.target))
        behind.sort(key=lambda row: (-row[0], row[2]))
        result[pk] = [
            {
                "unit_id": unit_id,
                "unit": unit,
                "organisation_id": organisation_id,
                "partner": partner,
                "value": str(value),
                "target": str(target.quantize(Decimal("0.0001"))),
                "distance": str(distance.quantize(Decimal("0.01"))),
            }
            for distance, unit_id, unit, organisation_id, partner, value, target in behind[:LAGGING_SHOWN]
        ]
    return result


def lagging_partners(warning: EarlyWarning) -> list[int]:
    """The organisations of the warning's lagging units, worst first (at most PARTNERS_NAMED)."""
    found: list[int] = []
    for row in warning.lagging:
        if row["organisation_id"] not in found:
            found.append(row["organisation_id"])
    return found[:PARTNERS_NAMED]


# --- Words and telling ---------------------------------------------------------------------------


def forecast_text(warning: EarlyWarning, fmt: NumberFormat | None = None, labels: PeriodLabels | None = None) -> str:
    """ "At this pace 71% by June 2027, against a target of 80%" (the dashboard's words)."""
    fmt, labels = fmt or NumberFormat(), labels or PeriodLabels()
    version = warning.version
    return _("At this pace: %(value)s by %(period)s, against a target of %(target)s") % {
        "value": fmt.with_unit(warning.forecast_value, version),
        "period": labels(warning.forecast_period_obj),
        "target": fmt.with_unit(warning.target, version),
    }


def lagging_text(warning: EarlyWarning) -> str:
    """ "Lagging most: Parket Utrecht (OM), Team Noord (Politie)"."""
    if not warning.lagging:
        return ""
    names = ", ".join(f"{row['unit']} ({row['partner']})" for row in warning.lagging)
    return _("Lagging most: %(units)s") % {"units": names}


def _tell_programme_managers(warnings: list[EarlyWarning]) -> None:
    """Each chain's programme managers, once per warning (notify is idempotent per key)."""
    if not warnings:
        return
    managers: dict[int, list] = defaultdict(list)
    memberships = Membership.objects.filter(
        chain_id__in={w.chain_id for w in warnings}, role=Role.PROGRAMME_MANAGER
    ).select_related("person")
    for membership in memberships:
        managers[membership.chain_id].append(membership.person)
    with translation.override(settings.LANGUAGE_CODE):
        for warning in warnings:
            text = _("Early warning: %(indicator)s is heading off target. %(forecast)s.") % {
                "indicator": warning.indicator.name,
                "forecast": forecast_text(warning),
            }
            notify(
                managers.get(warning.chain_id, []),
                warning.chain,
                text,
                warning.get_absolute_url(),
                key=f"early-warning:{warning.pk}",
            )
