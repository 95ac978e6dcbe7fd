"""Progress reports: drafting a frozen snapshot, regenerating, commentary, publishing, the calendar.

The snapshot is computed once from the roll-ups (ChainAggregate, OrganisationAggregate) and the
figures of the report's period, and stored as JSON on the report; pages and the PDF only read it.
Numbers are stored as decimal strings with what is needed to show them (unit label, decimals), so
formatting follows the reader's language while the numbers never change.

Idempotency: a report is one row, inserted inside a transaction; the unique constraint on
(chain, frequency, period, revision) makes a second, concurrent or repeated draft of the same
period find the first instead of adding one. A worker killed mid-draft leaves nothing behind: the
insert is rolled back with its connection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
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
from ambitions.services.versions import pick, reporting_units_per_organisation, versions_in_force
from stakeholders.models import Chain, Membership, Person
from stakeholders.notify import notify

# The reporting calendar counts working days in the chain's own (Dutch) calendar.
CHAIN_TIMEZONE = ZoneInfo("Europe/Amsterdam")
FORECAST_PERIODS = 12
FURTHEST_OFF_TRACK = 10


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


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _indicator_period(version: IndicatorVersion | None, report: Period) -> Period | None:
    """The indicator's latest period (in its own frequency) that ends on or before the report's end."""
    if version is None:
        return None
    period = Period.containing(report.end, version.frequency)
    return period if period.end <= report.end else period.previous


def build_snapshot(chain: Chain, period: Period) -> dict:
    """Everything a report shows, computed once (a fixed number of queries)."""
    ambitions = list(Ambition.objects.filter(chain=chain))
    indicators = list(Indicator.objects.filter(ambition__chain=chain))
    versions = versions_in_force([i.pk for i in indicators])

    plans: dict[int, tuple[IndicatorVersion, Period]] = {}
    for indicator in indicators:
        own = _indicator_period(pick(versions[indicator.pk], period.end), period)
        version = pick(versions[indicator.pk], own.start) if own else None
        if version is not None and version.frequency == own.frequency:
            plans[indicator.pk] = (version, own)

    units = reporting_units_per_organisation(v.pk for v, _p in plans.values())
    chain_rows = _chain_rows(plans)
    org_rows: dict[tuple[int, date], dict[int, tuple]] = defaultdict(dict)
    if plans:
        for row in OrganisationAggregate.objects.filter(
            indicator_id__in=list(plans), period__in={p.start for _v, p in plans.values()}
        ).values_list(
            "indicator_id",
            "period",
            "organisation_id",
            "value_sum",
            "numerator_sum",
            "denominator_sum",
            "reported",
            "late",
        ):
            org_rows[(row[0], row[1])][row[2]] = row[3:]
    unit_rows = _unit_rows(plans)

    partners: dict[int, dict] = {}
    off_track: list[tuple[Decimal, dict]] = []
    by_ambition: dict[int, list[dict]] = defaultdict(list)
    for indicator in indicators:
        entry: dict = {"id": indicator.pk, "name": indicator.name, "status": progress.Status.NO_DATA}
        by_ambition[indicator.ambition_id].append(entry)
        if indicator.pk not in plans:
            continue
        version, own = plans[indicator.pk]
        entry.update(
            period=own.slug,
            version=version.number,
            unit_label=version.unit_label,
            decimals=version.decimals,
            direction=version.direction,
        )
        series = []
        for step in range(FORECAST_PERIODS - 1, -1, -1):
            p = own.shifted(-step)
            v = pick(versions[indicator.pk], p.start)
            row = chain_rows.get((indicator.pk, p.start))
            value = value_from_sums(v, *row[:4]) if v is version and row else None
            series.append((p, value))
        value = series[-1][1]
        previous = series[-2][1]
        target = progress.expected(version, own.start)
        row = chain_rows.get((indicator.pk, own.start))
        expected_units = sum(n for _name, n in units.get(version.pk, {}).values())
        entry.update(
            value=_text(value),
            target=_text(target),
            status=progress.status(version, value, own.start, complete=(row[3] if row else 0) >= expected_units),
            previous=_text(previous),
            previous_period=own.previous.slug,
            change=_text(progress.change(value, previous)),
            improving=progress.improving(version, progress.change(value, previous)),
            reported=row[3] if row else 0,
            late=row[4] if row else 0,
            expected=expected_units,
            forecast=None,
        )
        horizon = next(a.horizon for a in ambitions if a.pk == indicator.ambition_id)
        if Period.containing(horizon, version.frequency) > own:
            result = progress.forecast(version, series, horizon)
            if result is not None:
                entry["forecast"] = {"value": _text(result.value), "period": result.period.slug}

        organisations = []
        for organisation_id, (name, expected) in units.get(version.pk, {}).items():
            sums = org_rows.get((indicator.pk, own.start), {}).get(organisation_id)
            org_value = value_from_sums(version, *sums[:4]) if sums else None
            reported, late = (sums[3], sums[4]) if sums else (0, 0)
            organisations.append(
                {
                    "id": organisation_id,
                    "name": name,
                    "value": _text(org_value),
                    "status": progress.status(version, org_value, own.start, complete=reported >= expected),
                    "reported": reported,
                    "expected": expected,
                    "late": late,
                }
            )
            partner = partners.setdefault(
                organisation_id, {"id": organisation_id, "name": name, "reported": 0, "expected": 0, "late": 0}
            )
            partner["reported"] += reported
            partner["expected"] += expected
            partner["late"] += late
        entry["organisations"] = sorted(organisations, key=lambda o: o["name"].lower())

        unit_entries = []
        for unit_id, unit_name, organisation_id, unit_value in unit_rows.get(indicator.pk, []):
            unit_status = progress.status(version, unit_value, own.start)
            unit_entry = {
                "id": unit_id,
                "name": unit_name,
                "organisation": organisation_id,
                "value": _text(unit_value),
                "status": unit_status,
            }
            unit_entries.append(unit_entry)
            if unit_status == progress.Status.OFF_TRACK and target is not None:
                # Ranked by how many tolerances the unit is behind, so different measures compare.
                distance = progress.behind_by(version, unit_value, target) / (version.tolerance or Decimal(1))
                off_track.append(
                    (
                        distance,
                        {
                            **unit_entry,
                            "indicator": indicator.pk,
                            "indicator_name": indicator.name,
                            "target": _text(target),
                            "unit_label": version.unit_label,
                            "decimals": version.decimals,
                        },
                    )
                )
        entry["units"] = sorted(unit_entries, key=lambda u: u["name"].lower())

    off_track.sort(key=lambda item: item[0], reverse=True)
    return {
        "period": period.slug,
        "frequency": period.frequency,
        "ambitions": [
            {
                "id": ambition.pk,
                "statement": ambition.statement,
                "horizon": ambition.horizon.isoformat(),
                "indicators": by_ambition.get(ambition.pk, []),
            }
            for ambition in ambitions
        ],
        "partners": sorted(partners.values(), key=lambda p: p["name"].lower()),
        "off_track": [entry for _distance, entry in off_track[:FURTHEST_OFF_TRACK]],
    }


def _chain_rows(plans: dict[int, tuple[IndicatorVersion, Period]]) -> dict[tuple[int, date], tuple]:
    if not plans:
        return {}
    first = min(p.shifted(-(FORECAST_PERIODS - 1)).start for _v, p in plans.values())
    last = max(p.start for _v, p in plans.values())
    rows = ChainAggregate.objects.filter(indicator_id__in=list(plans), period__gte=first, period__lte=last).values_list(
        "indicator_id", "period", "value_sum", "numerator_sum", "denominator_sum", "reported", "late"
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def _unit_rows(plans: dict[int, tuple[IndicatorVersion, Period]]) -> dict[int, list[tuple]]:
    """Indicator id → (unit id, unit name, organisation id, value) for the indicator's period."""
    if not plans:
        return {}
    result: dict[int, list[tuple]] = defaultdict(list)
    # A ratio's figure stores its value (numerator / denominator × factor) beside its parts.
    rows = Figure.objects.filter(
        indicator_id__in=list(plans), period__in={p.start for _v, p in plans.values()}
    ).values_list("indicator_id", "period", "unit_id", "unit__name", "organisation_id", "value")
    for indicator_id, period, unit_id, name, organisation_id, value in rows:
        if period != plans[indicator_id][1].start:
            continue
        if value is not None:
            result[indicator_id].append((unit_id, name, organisation_id, value))
    return result


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
    snapshot = build_snapshot(chain, period)
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
    snapshot = build_snapshot(chain, report.period_obj)
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
    known_ambitions = {a["id"] for a in report.snapshot.get("ambitions", [])}
    known_indicators = {i["id"] for a in report.snapshot.get("ambitions", []) for i in a["indicators"]}
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
        people = Person.objects.filter(pk__in=Membership.objects.filter(chain=chain).values("person_id"))
        notify(
            people,
            chain,
            _("The progress report for %(period)s of %(chain)s has been published.")
            % {"period": locked.period_obj.label(), "chain": chain.name},
            locked.get_absolute_url(),
            key=f"report-published:{locked.pk}",
        )
    return locked
