"""Which periods a chain can take figures for now: the entry index, and the partners behind
(services.oversight.late_partners) read it. The dates are the version's (IndicatorVersion.dates_of);
each partner's own deadline follows its agreed delivery day where its delivery terms are in force
(models/delivery.py ``AgreedDays``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ambitions.models import (
    AgreedDays,
    EntryDates,
    Figure,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.periods import Period
from ambitions.services.versions import versions_in_force
from stakeholders.models import Chain, Organisation

RECENT = 12  # at most this many periods per frequency on the entry index


@dataclass
class PeriodRow:
    """One period on the entry index: its deadline and each organisation's status."""

    period: Period
    deadline: date
    closes: date
    statuses: list[OrganisationStatus]

    def is_past_deadline(self, on: date) -> bool:
        return on > self.deadline


@dataclass
class OrganisationStatus:
    organisation: Organisation
    status: str
    entered: int
    expected: int
    deadline: date | None = None  # its own: the agreed delivery day under its delivery terms

    def is_past_deadline(self, on: date) -> bool:
        return self.deadline is not None and on > self.deadline

    @property
    def status_label(self) -> str:
        return SubmissionStatus(self.status).label


def open_periods(chain: Chain, organisations: list[Organisation], today: date | None = None) -> list[PeriodRow]:
    """The recent periods whose entry window is open today, newest first, with per organisation
    its submission status and how many of its expected figures are in (constant queries)."""
    today = today or timezone.localdate()
    indicator_ids = list(Indicator.objects.filter(ambition__chain=chain).values_list("pk", flat=True))
    per_period = _versions_per_open_period(versions_in_force(indicator_ids), today)
    recent = _most_recent(per_period)
    if not recent:
        return []
    org_ids = [o.pk for o in organisations]
    units_per = _units_per_organisation({v.pk for p in recent for v in per_period[p]}, org_ids)
    starts = {p.start for p in recent}
    counted: dict[tuple[int, int, date], int] = defaultdict(int)
    for key in (
        Figure.objects.with_data()
        .filter(indicator_id__in=indicator_ids, organisation_id__in=org_ids, period__in=starts)
        .values_list("indicator_id", "organisation_id", "period")
    ):
        counted[key] += 1
    statuses = {
        (s.organisation_id, s.frequency, s.period): s.status
        for s in PeriodSubmission.objects.filter(chain=chain, organisation_id__in=org_ids, period__in=starts)
    }

    agreed = AgreedDays.of_chains([chain.pk])  # partners' delivery terms in force: their own deadline
    rows = []
    for period in recent:
        versions = per_period[period]
        dates = _merged(v.dates_of(period) for v in versions)
        row = PeriodRow(period=period, deadline=dates.deadline, closes=dates.closes, statuses=[])
        for organisation in organisations:
            own = [v for v in versions if units_per[(v.pk, organisation.pk)]]
            row.statuses.append(
                OrganisationStatus(
                    organisation=organisation,
                    status=statuses.get((organisation.pk, period.frequency, period.start), SubmissionStatus.OPEN),
                    entered=sum(counted[(v.indicator_id, organisation.pk, period.start)] for v in versions),
                    expected=sum(units_per[(v.pk, organisation.pk)] for v in versions),
                    deadline=_merged(agreed.dates_of(v, organisation.pk, period) for v in own).deadline
                    if own
                    else dates.deadline,
                )
            )
        rows.append(row)
    return rows


def _merged(dates) -> EntryDates:
    merged = None
    for one in dates:
        merged = one.merged(merged)
    return merged


def _versions_per_open_period(
    in_force: dict[int, list[IndicatorVersion]], today: date
) -> dict[Period, list[IndicatorVersion]]:
    """Period → the versions that govern it, for every period in its window today."""
    per_period: dict[Period, list[IndicatorVersion]] = defaultdict(list)
    for versions in in_force.values():
        for version in versions:
            for period in version.due_periods(today, versions):
                per_period[period].append(version)
    return per_period


def _most_recent(per_period: dict[Period, list[IndicatorVersion]]) -> list[Period]:
    """Newest first, at most RECENT periods per frequency."""
    periods = sorted(per_period, key=lambda p: (p.start, p.frequency), reverse=True)
    by_frequency: dict[str, int] = defaultdict(int)
    recent = []
    for period in periods:
        if by_frequency[period.frequency] < RECENT:
            by_frequency[period.frequency] += 1
            recent.append(period)
    return recent


def _units_per_organisation(version_ids: set[int], org_ids: list[int]) -> dict[tuple[int, int], int]:
    """(version, organisation) → how many of the organisation's units report the version."""
    units_per: dict[tuple[int, int], int] = defaultdict(int)
    for version_id, organisation_id in IndicatorVersion.reporting_units.through.objects.filter(
        indicatorversion_id__in=version_ids, unit__organisation_id__in=org_ids
    ).values_list("indicatorversion_id", "unit__organisation_id"):
        units_per[(version_id, organisation_id)] += 1
    return units_per
