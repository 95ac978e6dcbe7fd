"""Progress reports: drafting a frozen snapshot, regenerating, commentary, publishing, the calendar.

The snapshot is computed once from the roll-ups (ChainAggregate, OrganisationAggregate) and the
figures of the report's period, and stored as JSON on the report; pages and the PDF only read it.
Its typed, versioned shape (report_schema.Snapshot) is written and read only in report_schema.py:
numbers as decimal strings with what is needed to show them (unit label, decimals), so formatting
follows the reader's language while the numbers never change, and a report stored by an earlier
version is upgraded as it is read.

Idempotency: a report is one row, inserted inside a transaction; the unique constraint on
(chain, frequency, period, revision) makes a second, concurrent or repeated draft of the same
period find the first instead of adding one. A worker killed mid-draft leaves nothing behind: the
insert is rolled back with its connection.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import (
    Ambition,
    ChainAggregate,
    Figure,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
    ProgressReport,
    ReportCommentary,
    ReportStatus,
)
from ambitions.periods import Period
from ambitions.services import progress
from ambitions.services.display import value_from_sums
from ambitions.services.progress import IndicatorProgress
from ambitions.services.report_schema import (
    SCHEMA_VERSION,
    AmbitionResult,
    IndicatorResult,
    OffTrackUnit,
    OrganisationResult,
    PartnerResult,
    Snapshot,
    UnitResult,
)
from ambitions.services.versions import pick, reporting_units_per_organisation, versions_in_force
from stakeholders.models import Chain, Membership, Person
from stakeholders.notify import notify

# The reporting calendar counts working days in the chain's own (Dutch) calendar.
CHAIN_TIMEZONE = ZoneInfo("Europe/Amsterdam")
FORECAST_PERIODS = 12
FURTHEST_OFF_TRACK = 10
# The snapshot's stored shape and its versions: report_schema.py.
SNAPSHOT_SCHEMA = SCHEMA_VERSION


class ReportRefused(Exception):
    """A step on a report that is not allowed (publishing twice, editing a published report)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# The reporting calendar


def chain_today(now: datetime | None = None) -> date:
    """Today's date in the chain's time zone: runs are keyed on dates, never on hours, so a
    daylight-saving change can neither skip nor repeat a day."""
    return (now or timezone.now()).astimezone(CHAIN_TIMEZONE).date()


def report_day(period: Period, working_day: int) -> date:
    """The ``working_day``-th working day (Monday to Friday) after ``period`` ends."""
    day = period.end
    counted = 0
    while counted < working_day:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def due_period(chain: Chain, today: date) -> Period | None:
    """The period whose report is due on ``today`` or earlier: the one that ended last, once its
    report day has come (a missed run is caught up by the next one; the unique key stops doubles)."""
    period = Period.containing(today, chain.reporting_frequency).previous
    return period if today >= report_day(period, chain.report_working_day) else None


# ---------------------------------------------------------------------------------------------
# The snapshot


@dataclass
class _Inputs:
    """What a snapshot is computed from, read in a fixed number of queries (_read)."""

    versions: dict[int, list[IndicatorVersion]]  # indicator id → its versions in force
    plans: dict[int, tuple[IndicatorVersion, Period]]  # indicator id → (version, its latest period in the report)
    units: dict[int, dict[int, tuple[str, int]]]  # version id → organisation id → (name, reporting units)
    standings: dict[int, progress.Standing]
    org_rows: dict[tuple[int, date], dict[int, tuple]]  # (indicator, period) → organisation id → sums
    unit_rows: dict[int, list[tuple]]  # indicator id → (unit id, name, organisation id, value)
    baselines: dict[int, dict[int, tuple[int, Decimal]]]  # indicator id → unit id → (organisation id, value)


def _indicator_period(version: IndicatorVersion | None, report: Period) -> Period | None:
    """The indicator's latest period (in its own frequency) that ends on or before the report's end."""
    if version is None:
        return None
    period = Period.containing(report.end, version.frequency)
    return period if period.end <= report.end else period.previous


def build_snapshot(chain: Chain, period: Period, today: date | None = None) -> Snapshot:
    """Everything a report shows, computed once (a fixed number of queries).

    Per indicator the headline is chosen by progress.standing, as on the dashboard: the latest
    period up to the report's end whose deadline had passed on ``today`` (the drafting day); a
    later one still coming in is recorded as in progress. Partners and units are judged against
    their own standard (progress.part_standard), never a sum's chain total."""
    today = today or chain_today()
    ambitions = list(Ambition.objects.filter(chain=chain))
    indicators = list(Indicator.objects.filter(ambition__chain=chain))
    inputs = _read(indicators, {a.pk: a.horizon for a in ambitions}, period, today)
    results: dict[int, IndicatorResult] = {}
    behind: list[tuple[Decimal, OffTrackUnit]] = []
    by_ambition: dict[int, list[IndicatorResult]] = defaultdict(list)
    for indicator in indicators:
        results[indicator.pk], off_track = _indicator_result(indicator, inputs)
        by_ambition[indicator.ambition_id].append(results[indicator.pk])
        behind.extend(off_track)
    behind.sort(key=lambda item: item[0], reverse=True)
    return Snapshot(
        period=period,
        drafted_on=today,
        ambitions=[AmbitionResult(a.pk, a.statement, a.horizon, by_ambition.get(a.pk, [])) for a in ambitions],
        partners=_partners(results.values()),
        off_track=[unit for _distance, unit in behind[:FURTHEST_OFF_TRACK]],
    )


class _TypedSnapshots:
    """The typed snapshots of the reports read last, per process (least recently read dropped).

    A stored snapshot never changes (a new revision is a new report), so it is read from the
    database and typed once per process instead of on every request: for a chain of 20 indicators
    and 200 units that took five times as long as showing the page. The key includes when the
    report was drafted, so an id used again (SQLite reuses them after a rollback) never finds
    another report's snapshot. Callers treat what they get as read-only: it is shared."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._found: OrderedDict[tuple, Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, report: ProgressReport) -> Snapshot:
        key = (report.pk, report.drafted_at)
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                return found
        # Outside the lock: reading a deferred snapshot is a query, typing it takes a while.
        found = Snapshot.from_json(report.snapshot)
        if report.pk is not None:
            with self._lock:
                self._found[key] = found
                while len(self._found) > self.size:
                    self._found.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


_typed_snapshots = _TypedSnapshots(size=16)


def snapshot_of(report: ProgressReport) -> Snapshot:
    """The report's stored snapshot in the current typed shape, whatever version it was stored in
    (read-only: shared by every request of this process that reads the report).

    The report may come with its ``snapshot`` deferred: it is only loaded when this process has
    not typed it yet. report_schema.SnapshotError when this code cannot show it (made by a newer
    version); that answer is not kept."""
    return _typed_snapshots.get(report)


def _read(indicators: list[Indicator], horizons: dict[int, date], period: Period, today: date) -> _Inputs:
    versions = versions_in_force([i.pk for i in indicators])
    plans: dict[int, tuple[IndicatorVersion, Period]] = {}
    for indicator in indicators:
        own = _indicator_period(pick(versions[indicator.pk], period.end), period)
        version = pick(versions[indicator.pk], own.start) if own else None
        if version is not None and version.frequency == own.frequency:
            plans[indicator.pk] = (version, own)
    units = reporting_units_per_organisation(v.pk for vs in versions.values() for v in vs)
    chain_rows = _chain_rows(plans)
    standings = {
        indicator.pk: progress.standing(
            _series(versions[indicator.pk], plans[indicator.pk][1], chain_rows, indicator.pk, units),
            today,
            horizons[indicator.ambition_id],
        )
        for indicator in indicators
        if indicator.pk in plans
    }
    headlines = {pk: st.headline for pk, st in standings.items() if st.headline is not None}
    unit_rows, baselines = _unit_rows(headlines)
    return _Inputs(versions, plans, units, standings, _organisation_rows(headlines), unit_rows, baselines)


def _indicator_result(
    indicator: Indicator, inputs: _Inputs
) -> tuple[IndicatorResult, list[tuple[Decimal, OffTrackUnit]]]:
    """The indicator's headline, partners and units, and its units that are off track (with how far)."""
    if indicator.pk not in inputs.plans:
        return IndicatorResult(indicator.pk, indicator.name, IndicatorProgress()), []
    found = inputs.standings[indicator.pk]
    shown = IndicatorProgress.of(found, inputs.plans[indicator.pk][0])
    if found.headline is None:
        return IndicatorResult(indicator.pk, indicator.name, shown), []
    version, own = found.headline.version, found.headline.period
    unit_shares, organisation_shares = _baseline_shares(version, inputs.baselines.get(indicator.pk, {}))
    organisations = []
    for organisation_id, (name, expected) in inputs.units.get(version.pk, {}).items():
        sums = inputs.org_rows.get((indicator.pk, own.start), {}).get(organisation_id)
        value = value_from_sums(version, *sums[:4]) if sums else None
        reported, late = (sums[3], sums[4]) if sums else (0, 0)
        share, counted = organisation_shares.get(organisation_id, (None, 0))
        # A partner whose units did not all report the baseline period has no whole share.
        standard = progress.part_standard(version, found.target, share if counted >= expected else None)
        status = progress.judge_part(version, value, standard, complete=reported >= expected)
        target = standard.target if standard else None
        organisations.append(OrganisationResult(organisation_id, name, value, target, status, reported, expected, late))
    units, behind = [], []
    for unit_id, unit_name, organisation_id, value in inputs.unit_rows.get(indicator.pk, []):
        standard = progress.part_standard(version, found.target, unit_shares.get(unit_id))
        status = progress.judge_part(version, value, standard)
        unit = UnitResult(unit_id, unit_name, organisation_id, value, standard.target if standard else None, status)
        units.append(unit)
        if status == progress.Status.OFF_TRACK:
            distance = progress.distance_behind(version, value, standard)
            behind.append(
                (distance, OffTrackUnit(unit, indicator.pk, indicator.name, version.unit_label, version.decimals))
            )
    result = IndicatorResult(
        indicator.pk,
        indicator.name,
        shown,
        sorted(organisations, key=lambda o: o.name.lower()),
        sorted(units, key=lambda u: u.name.lower()),
    )
    return result, behind


def _partners(results: Iterable[IndicatorResult]) -> list[PartnerResult]:
    """Each partner's reported, expected and late figures over all indicators with a headline."""
    totals: dict[int, PartnerResult] = {}
    for result in results:
        for o in result.organisations:
            seen = totals.get(o.id, PartnerResult(o.id, o.name, 0, 0, 0))
            totals[o.id] = replace(
                seen, reported=seen.reported + o.reported, expected=seen.expected + o.expected, late=seen.late + o.late
            )
    return sorted(totals.values(), key=lambda p: p.name.lower())


def _series(
    versions: list[IndicatorVersion],
    last: Period,
    chain_rows: dict[tuple[int, date], tuple],
    indicator_id: int,
    units: dict[int, dict[int, tuple[str, int]]],
) -> list[progress.Point]:
    """The indicator's chain figures for the FORECAST_PERIODS periods up to ``last``."""
    points = []
    for step in range(FORECAST_PERIODS - 1, -1, -1):
        p = last.shifted(-step)
        version = pick(versions, p.start)
        if version is None or version.frequency != p.frequency:
            points.append(progress.Point(p, None))
            continue
        expected = sum(n for _name, n in units.get(version.pk, {}).values())
        row = chain_rows.get((indicator_id, p.start))
        value = value_from_sums(version, *row[:4]) if row else None
        points.append(progress.Point(p, version, value, row[3] if row else 0, row[4] if row else 0, expected))
    return points


def _baseline_shares(
    version: IndicatorVersion, baselines: dict[int, tuple[int, Decimal]]
) -> tuple[dict[int, Decimal], dict[int, tuple[Decimal, int]]]:
    """(unit id → its share of the chain's baseline, organisation id → (its share, units counted))."""
    unit_shares = progress.baseline_shares(version, {unit: value for unit, (_org, value) in baselines.items()})
    per_organisation: dict[int, Decimal] = defaultdict(Decimal)
    counted: dict[int, int] = defaultdict(int)
    for organisation_id, value in baselines.values():
        per_organisation[organisation_id] += value
        counted[organisation_id] += 1
    shares = progress.baseline_shares(version, per_organisation)
    return unit_shares, {org: (share, counted[org]) for org, share in shares.items()}


def _chain_rows(plans: dict[int, tuple[IndicatorVersion, Period]]) -> dict[tuple[int, date], tuple]:
    if not plans:
        return {}
    first = min(p.shifted(-(FORECAST_PERIODS - 1)).start for _v, p in plans.values())
    last = max(p.start for _v, p in plans.values())
    rows = ChainAggregate.objects.filter(indicator_id__in=list(plans), period__gte=first, period__lte=last).values_list(
        "indicator_id", "period", "value_sum", "numerator_sum", "denominator_sum", "reported", "late"
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def _organisation_rows(headlines: dict[int, progress.Point]) -> dict[tuple[int, date], dict[int, tuple]]:
    """(indicator id, headline period) → organisation id → (Σvalue, Σnumerator, Σdenominator, reported, late)."""
    rows: dict[tuple[int, date], dict[int, tuple]] = defaultdict(dict)
    if not headlines:
        return rows
    for row in OrganisationAggregate.objects.filter(
        indicator_id__in=list(headlines), period__in={h.period.start for h in headlines.values()}
    ).values_list(
        "indicator_id", "period", "organisation_id", "value_sum", "numerator_sum", "denominator_sum", "reported", "late"
    ):
        rows[(row[0], row[1])][row[2]] = row[3:]
    return rows


def _unit_rows(
    headlines: dict[int, progress.Point],
) -> tuple[dict[int, list[tuple]], dict[int, dict[int, tuple[int, Decimal]]]]:
    """Per indicator: (unit id, unit name, organisation id, value) for its headline period, and for
    a sum, each unit's (organisation id, value) in its definition's baseline period (its share)."""
    if not headlines:
        return {}, {}
    baseline_of = {
        pk: Period.containing(h.version.baseline_period, h.version.frequency).start
        for pk, h in headlines.items()
        if not h.version.is_ratio
    }
    result: dict[int, list[tuple]] = defaultdict(list)
    baselines: dict[int, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    # A ratio's figure stores its value (numerator / denominator × factor) beside its parts.
    rows = Figure.objects.filter(
        indicator_id__in=list(headlines),
        period__in={h.period.start for h in headlines.values()} | set(baseline_of.values()),
    ).values_list("indicator_id", "period", "unit_id", "unit__name", "organisation_id", "value")
    for indicator_id, period, unit_id, name, organisation_id, value in rows:
        if value is None:
            continue
        if period == headlines[indicator_id].period.start:
            result[indicator_id].append((unit_id, name, organisation_id, value))
        if period == baseline_of.get(indicator_id):
            baselines[indicator_id][unit_id] = (organisation_id, value)
    return result, baselines


# ---------------------------------------------------------------------------------------------
# Drafting, regenerating, commentary, publishing


def draft_report(
    chain: Chain, period: Period, by: Person | None = None, pause: Callable[[], None] | None = None
) -> tuple[ProgressReport, bool]:
    """Revision 1 of the chain's report for ``period``: (report, created). Idempotent: a report
    that exists (or is being drafted by a concurrent run) is returned, never doubled.

    ``pause`` runs after the insert, before the commit (the reliability tests slow drafting there).
    """
    key = {"chain": chain, "frequency": period.frequency, "period": period.start}
    existing = ProgressReport.objects.filter(**key).order_by("revision").first()
    if existing is not None:
        return existing, False
    snapshot = build_snapshot(chain, period).to_json()
    with transaction.atomic():
        try:
            with transaction.atomic():
                report = ProgressReport.objects.create(**key, revision=1, drafted_by=by, snapshot=snapshot)
        except IntegrityError:
            # A concurrent run inserted it first (we waited for its commit on the unique index).
            return ProgressReport.objects.get(**key, revision=1), False
        if pause is not None:
            pause()
    return report, True


def latest_revision(report: ProgressReport) -> int:
    return ProgressReport.objects.filter(
        chain_id=report.chain_id, frequency=report.frequency, period=report.period
    ).aggregate(n=Max("revision"))["n"]


def regenerate(report: ProgressReport, by: Person | None) -> ProgressReport:
    """A new revision with a fresh snapshot; the earlier revisions stay as they were. The newest
    revision's commentary is carried over, so the manager need not write it again."""
    chain = report.chain
    snapshot = build_snapshot(chain, report.period_obj).to_json()
    with transaction.atomic():
        # Lock the chain's row, so two regenerations of one report take turns and number correctly.
        Chain.objects.select_for_update().filter(pk=chain.pk).first()
        siblings = ProgressReport.objects.filter(chain=chain, frequency=report.frequency, period=report.period)
        newest = siblings.order_by("-revision").first()
        new = ProgressReport.objects.create(
            chain=chain,
            frequency=report.frequency,
            period=report.period,
            revision=newest.revision + 1,
            drafted_by=by,
            snapshot=snapshot,
        )
        ReportCommentary.objects.bulk_create(
            ReportCommentary(
                report=new, ambition_id=c.ambition_id, indicator_id=c.indicator_id, text=c.text, updated_by=by
            )
            for c in newest.commentary.all()
        )
    return new


def commentary_of(report: ProgressReport) -> tuple[dict[int, str], dict[int, str]]:
    """(ambition id → text, indicator id → text)."""
    ambitions, indicators = {}, {}
    for ambition_id, indicator_id, text in report.commentary.values_list("ambition_id", "indicator_id", "text"):
        if ambition_id:
            ambitions[ambition_id] = text
        else:
            indicators[indicator_id] = text
    return ambitions, indicators


def save_commentary(report: ProgressReport, by: Person, ambitions: dict[int, str], indicators: dict[int, str]) -> None:
    """Store the commentary per ambition and indicator (only ids in the snapshot); drafts only."""
    snapshot = snapshot_of(report)
    known_ambitions = {a.id for a in snapshot.ambitions}
    known_indicators = {i.id for i in snapshot.indicators()}
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if locked.is_published:
            raise ReportRefused(_("This report has been published; its commentary can no longer be changed."))
        for field, texts, known in (
            ("ambition_id", ambitions, known_ambitions),
            ("indicator_id", indicators, known_indicators),
        ):
            for pk, text in texts.items():
                if pk not in known:
                    continue
                ReportCommentary.objects.update_or_create(
                    report=locked, **{field: pk}, defaults={"text": text.strip(), "updated_by": by}
                )


def publish(report: ProgressReport, by: Person) -> ProgressReport:
    """Publish a draft and notify every member of the chain (once per person, whatever happens)."""
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update().select_related("chain").get(pk=report.pk)
        if locked.is_published:
            raise ReportRefused(_("This report has already been published."))
        if locked.revision != latest_revision(locked):
            raise ReportRefused(_("A newer revision of this report exists; publish that one instead."))
        locked.status = ReportStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.save(update_fields=["status", "published_at", "published_by"])
        chain = locked.chain
        people = Person.objects.humans().filter(pk__in=Membership.objects.filter(chain=chain).values("person_id"))
        notify(
            people,
            chain,
            _("The progress report for %(period)s of %(chain)s has been published.")
            % {"period": locked.period_obj.label(), "chain": chain.name},
            locked.get_absolute_url(),
            key=f"report-published:{locked.pk}",
        )
    return locked
