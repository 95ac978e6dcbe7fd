"""The entry grid: one organisation's reporting units × the chain's indicators for one period.

``build()`` reads everything the grid page shows in a fixed number of queries, however many
units and indicators there are: the indicators, their versions in force, which of the
organisation's units report them, the figures of this period and the three before it (for
context), and the organisation's submission for the period. Writing stays in services.entry
and services.submissions; this module only reads.

It also answers the entry questions of *My work*: which periods are due or overdue for a
person's organisation, and which submitted periods wait for their approval.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from ambitions.models import (
    Figure,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.models.figures import locks_cell
from ambitions.periods import Period
from ambitions.services.entry import CellContext, entry_window
from ambitions.services.entry import deadline as deadline_of
from ambitions.services.numbers import for_input, show
from ambitions.services.versions import pick, versions_in_force
from stakeholders.models import Chain, Mandate, MandateScope, Membership, Organisation, Partnership, Person, Role, Unit

HISTORY = 3  # previous periods shown next to each cell


@dataclass
class GridCell:
    """One unit's figure for one indicator in the period, with what the page needs around it."""

    indicator: Indicator
    version: IndicatorVersion
    unit: Unit
    period: Period
    figure: Figure | None
    previous: list[str]  # the HISTORY periods before, oldest first, formatted
    submission_status: str
    opens: date
    closes: date
    deadline: date
    today: date
    form: object = None  # the page's form for this cell, attached by the view

    @property
    def key(self) -> str:
        """The form prefix and DOM id of the cell."""
        return f"cell-{self.indicator.pk}-{self.unit.pk}"

    @property
    def has_data(self) -> bool:
        return self.figure is not None and self.figure.has_data

    @property
    def is_open(self) -> bool:
        return self.opens <= self.today <= self.closes

    @property
    def locked(self) -> bool:
        """Approval locks the figures that are in (the submission rule, models.figures.locks_cell)."""
        return locks_cell(self.submission_status, self.figure)

    @property
    def open_for_late_delivery(self) -> bool:
        """The period is approved, but this cell had no figure: a late unit can still deliver it."""
        return self.submission_status == SubmissionStatus.APPROVED and not self.locked

    @property
    def awaiting_approval(self) -> bool:
        """Delivered after the period's approval; the lead has yet to approve it."""
        return self.has_data and self.figure.awaiting_approval

    @property
    def editable(self) -> bool:
        return self.is_open and not self.locked

    @property
    def late(self) -> bool:
        """Entered after the deadline (timeliness is about the first report)."""
        return self.has_data and self.figure.is_late

    @property
    def overdue(self) -> bool:
        """No figure yet and the deadline has passed."""
        return not self.has_data and self.today > self.deadline

    @property
    def shown(self) -> str:
        return shown_state(self.figure, self.version)

    def context(self) -> CellContext:
        """What services.entry.write_cell checks, as this cell was read (under the roll-up lock
        when the grid was built ``for_update``): a grid only has cells whose unit reports the
        indicator under a definition of the period's frequency."""
        return CellContext(self.indicator, self.unit, self.period, self.version, {self.unit.pk}, self.submission_status)


@dataclass
class GridSection:
    """One indicator's part of the grid: its definition and one cell per reporting unit."""

    indicator: Indicator
    version: IndicatorVersion
    opens: date
    closes: date
    deadline: date
    today: date
    cells: list[GridCell] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.opens <= self.today <= self.closes

    @property
    def deadline_passed(self) -> bool:
        return self.today > self.deadline


@dataclass
class Grid:
    chain: Chain
    organisation: Organisation
    period: Period
    previous_periods: list[Period]  # oldest first
    sections: list[GridSection]
    submission: PeriodSubmission | None
    today: date

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else SubmissionStatus.OPEN

    @property
    def status_label(self) -> str:
        return SubmissionStatus(self.status).label

    @property
    def locked(self) -> bool:
        """Approved with every cell locked: nothing can be entered any more."""
        return self.status == SubmissionStatus.APPROVED and all(cell.locked for cell in self.cells())

    @property
    def is_open(self) -> bool:
        return any(section.is_open for section in self.sections)

    @property
    def editable(self) -> bool:
        return any(cell.editable for cell in self.cells())

    @property
    def missing(self) -> list[GridCell]:
        """The cells without a figure, in the grid's order."""
        return [cell for cell in self.cells() if not cell.has_data]

    @property
    def awaiting_approval(self) -> list[GridCell]:
        """Figures delivered after the period's approval, waiting for the lead's."""
        return [cell for cell in self.cells() if cell.awaiting_approval]

    @property
    def deadline(self) -> date | None:
        return min((s.deadline for s in self.sections), default=None)

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.today > self.deadline

    def cells(self) -> Iterator[GridCell]:
        for section in self.sections:
            yield from section.cells

    @property
    def expected(self) -> int:
        return sum(len(section.cells) for section in self.sections)

    @property
    def entered(self) -> int:
        return sum(1 for cell in self.cells() if cell.has_data)

    @property
    def units(self) -> list[Unit]:
        """The organisation's units that report at least one indicator in this period."""
        seen: dict[int, Unit] = {}
        for cell in self.cells():
            seen.setdefault(cell.unit.pk, cell.unit)
        return sorted(seen.values(), key=lambda unit: unit.name)

    def cell(self, indicator_id: int, unit_id: int) -> GridCell | None:
        return next((c for c in self.cells() if c.indicator.pk == indicator_id and c.unit.pk == unit_id), None)


def build(
    chain: Chain,
    organisation: Organisation,
    period: Period,
    *,
    today: date | None = None,
    indicators: Iterable[Indicator] | None = None,
    indicator_ids: Iterable[int] | None = None,
    unit: Unit | None = None,
    unit_ids: Iterable[int] | None = None,
    for_update: bool = False,
) -> Grid:
    """The grid (or, with ``indicators``/``indicator_ids``/``unit``/``unit_ids``, part of it) in
    five queries.

    ``indicators`` are the chain's indicators the caller loaded already (with their ambition),
    ``unit`` the one unit of the organisation to show (four queries then);
    ``for_update`` locks the organisation's submission for the period, as a save must (see
    services.entry.load_context), and leaves out who submitted, approved or reopened it."""
    today = today or timezone.localdate()
    if indicators is None:
        queryset = Indicator.objects.filter(ambition__chain=chain).select_related("ambition")
        if indicator_ids is not None:
            queryset = queryset.filter(pk__in=list(indicator_ids))
        indicators = queryset.order_by("ambition__position", "ambition__pk", "position", "pk")
    indicators = list(indicators)
    in_force = versions_in_force((i.pk for i in indicators), reported_by=unit)
    previous_periods = [period.shifted(-steps) for steps in range(HISTORY, 0, -1)]

    chosen: dict[int, IndicatorVersion] = {}
    for indicator in indicators:
        version = pick(in_force[indicator.pk], period.start)
        if version is not None and version.frequency == period.frequency:
            chosen[indicator.pk] = version

    units_of: dict[int, list[Unit]] = defaultdict(list)
    if unit is not None:
        # Whether the unit reports each version came with the versions.
        unit_ids = [unit.pk]
        for version in chosen.values():
            if version.unit_reports and unit.organisation_id == organisation.pk:
                units_of[version.pk].append(unit)
    else:
        reporting = IndicatorVersion.reporting_units.through.objects.filter(
            indicatorversion_id__in=[v.pk for v in chosen.values()], unit__organisation=organisation
        ).select_related("unit")
        if unit_ids is not None:
            reporting = reporting.filter(unit_id__in=list(unit_ids))
        for row in reporting:
            row.unit.organisation = organisation  # known: spares a query wherever a cell names its organisation
            units_of[row.indicatorversion_id].append(row.unit)

    figures: dict[tuple[int, int, date], Figure] = {}
    if chosen:
        queryset = Figure.objects.filter(
            indicator_id__in=list(chosen),
            organisation=organisation,
            period__in=[period.start] + [p.start for p in previous_periods],
        ).select_related("entered_by")
        if unit_ids is not None:
            queryset = queryset.filter(unit_id__in=list(unit_ids))
        for figure in queryset:
            figures[(figure.indicator_id, figure.unit_id, figure.period)] = figure

    submissions = PeriodSubmission.objects.filter(
        chain=chain, organisation=organisation, frequency=period.frequency, period=period.start
    )
    if for_update:
        submissions = submissions.select_for_update()
    else:
        submissions = submissions.select_related("submitted_by", "approved_by", "reopened_by")
    submission = submissions.first()
    status = submission.status if submission else SubmissionStatus.OPEN

    sections = []
    for indicator in indicators:
        version = chosen.get(indicator.pk)
        if version is None or not units_of[version.pk]:
            continue
        opens, closes = entry_window(version, period)
        section = GridSection(indicator, version, opens, closes, deadline_of(version, period), today)
        for unit in sorted(units_of[version.pk], key=lambda u: (u.name, u.pk)):
            previous = []
            for earlier in previous_periods:
                figure = figures.get((indicator.pk, unit.pk, earlier.start))
                earlier_version = pick(in_force[indicator.pk], earlier.start) or version
                previous.append(show(figure.value if figure else None, earlier_version.decimals))
            section.cells.append(
                GridCell(
                    indicator=indicator,
                    version=version,
                    unit=unit,
                    period=period,
                    figure=figures.get((indicator.pk, unit.pk, period.start)),
                    previous=previous,
                    submission_status=status,
                    opens=opens,
                    closes=closes,
                    deadline=section.deadline,
                    today=today,
                )
            )
        sections.append(section)
    return Grid(chain, organisation, period, previous_periods, sections, submission, today)


def shown_state(saved, version: IndicatorVersion) -> str:
    """A saved state (a Figure or FigureChange) as one short text: '12,5', or for a ratio
    '30 / 120 (25,0)'; an em dash without data."""
    if version.is_ratio:
        if saved is None or saved.numerator is None or saved.denominator is None:
            return show(None, 0)
        return f"{for_input(saved.numerator)} / {for_input(saved.denominator)} ({show(saved.value, version.decimals)})"
    return show(saved.value if saved is not None else None, version.decimals)


# --- Which periods a chain can take figures for ------------------------------------------------

RECENT = 12  # at most this many periods per frequency on the entry index


@dataclass
class PeriodRow:
    """One period on the entry index: its deadline and each organisation's status."""

    period: Period
    deadline: date
    closes: date
    statuses: list[OrganisationStatus]


@dataclass
class OrganisationStatus:
    organisation: Organisation
    status: str
    entered: int
    expected: int

    @property
    def status_label(self) -> str:
        return SubmissionStatus(self.status).label


def open_periods(chain: Chain, organisations: list[Organisation], today: date | None = None) -> list[PeriodRow]:
    """The recent periods whose entry window is open today, newest first, with per organisation
    its submission status and how many of its expected figures are in (constant queries)."""
    today = today or timezone.localdate()
    indicator_ids = list(Indicator.objects.filter(ambition__chain=chain).values_list("pk", flat=True))
    in_force = versions_in_force(indicator_ids)
    # (period) -> [(version)] for every period in its window today.
    per_period: dict[Period, list[IndicatorVersion]] = defaultdict(list)
    for versions in in_force.values():
        for version in versions:
            for period in window_periods(version, today):
                if pick(versions, period.start) is version:
                    per_period[period].append(version)
    periods = sorted(per_period, key=lambda p: (p.start, p.frequency), reverse=True)
    by_frequency: dict[str, int] = defaultdict(int)
    recent = []
    for period in periods:
        if by_frequency[period.frequency] < RECENT:
            by_frequency[period.frequency] += 1
            recent.append(period)
    if not recent:
        return []

    version_ids = {v.pk for p in recent for v in per_period[p]}
    org_ids = [o.pk for o in organisations]
    units_per: dict[tuple[int, int], int] = defaultdict(int)  # (version, organisation) -> units
    for version_id, organisation_id in IndicatorVersion.reporting_units.through.objects.filter(
        indicatorversion_id__in=version_ids, unit__organisation_id__in=org_ids
    ).values_list("indicatorversion_id", "unit__organisation_id"):
        units_per[(version_id, organisation_id)] += 1
    starts = {p.start for p in recent}
    figures = Figure.objects.filter(
        indicator_id__in=indicator_ids, organisation_id__in=org_ids, period__in=starts
    ).filter(Q(value__isnull=False) | Q(numerator__isnull=False))
    counted: dict[tuple[int, int, date], int] = defaultdict(int)
    for indicator_id, organisation_id, start in figures.values_list("indicator_id", "organisation_id", "period"):
        counted[(indicator_id, organisation_id, start)] += 1
    statuses = {
        (s.organisation_id, s.frequency, s.period): s.status
        for s in PeriodSubmission.objects.filter(chain=chain, organisation_id__in=org_ids, period__in=starts)
    }

    rows = []
    for period in recent:
        versions = per_period[period]
        row = PeriodRow(
            period=period,
            deadline=min(deadline_of(v, period) for v in versions),
            closes=max(entry_window(v, period)[1] for v in versions),
            statuses=[],
        )
        for organisation in organisations:
            row.statuses.append(
                OrganisationStatus(
                    organisation=organisation,
                    status=statuses.get((organisation.pk, period.frequency, period.start), SubmissionStatus.OPEN),
                    entered=sum(counted[(v.indicator_id, organisation.pk, period.start)] for v in versions),
                    expected=sum(units_per[(v.pk, organisation.pk)] for v in versions),
                )
            )
        rows.append(row)
    return rows


def window_periods(version: IndicatorVersion, today: date, ahead_days: int = 0) -> list[Period]:
    """The periods of ``version``'s frequency, from its first, whose entry window contains
    ``today`` (or, with ``ahead_days``, that open within that many days)."""
    first = version.first_period
    # The oldest period still open closes window_days after it ends, so it ended after this day.
    oldest = Period.containing(today - timedelta(days=version.entry_window_days), version.frequency)
    newest = Period.containing(today + timedelta(days=ahead_days), version.frequency)
    start = max(first, oldest)
    periods = []
    period = start
    while period <= newest:
        opens, closes = entry_window(version, period)
        if opens <= today + timedelta(days=ahead_days) and today <= closes:
            periods.append(period)
        period = period.next
    return periods


# --- My work ---------------------------------------------------------------------------------

DUE_WITHIN_DAYS = 14


@dataclass
class DuePeriod:
    """A period my organisation still has to submit in one chain."""

    chain: Chain
    period: Period
    deadline: date
    closes: date

    @property
    def url(self) -> str:
        return reverse("ambitions:entry_grid", args=[self.chain.slug, self.period.slug])


@dataclass
class FiguresWork:
    due: list[DuePeriod]  # deadline within DUE_WITHIN_DAYS, soonest first
    overdue: list[DuePeriod]  # deadline passed, window still open, newest first


def figures_work(person: Person, today: date | None = None) -> FiguresWork:
    """Periods of the person's own organisation, in the chains where they enter figures, that are
    not submitted yet: due within two weeks, or overdue while the entry window is still open."""
    today = today or timezone.localdate()
    if not person.is_authenticated or person.organisation_id is None:
        return FiguresWork([], [])
    # Every version in force in the chains where I enter figures for my organisation, in one
    # query: all of them (a version's periods end where the next one takes over), each marked
    # with whether one of my organisation's units reports it.
    entering = Membership.objects.filter(
        person=person, role__in=Role.partner_roles(), chain=OuterRef("indicator__ambition__chain")
    )
    partner = Partnership.objects.filter(
        organisation_id=person.organisation_id, chain=OuterRef("indicator__ambition__chain")
    )
    reported = IndicatorVersion.reporting_units.through.objects.filter(
        indicatorversion_id=OuterRef("pk"), unit__organisation_id=person.organisation_id
    )
    versions = list(
        IndicatorVersion.objects.in_force()
        .filter(Exists(entering), Exists(partner))
        .annotate(mine=Exists(reported))
        .select_related("indicator__ambition__chain")
        .order_by("-effective_from")
    )
    chains = {v.indicator.ambition.chain_id: v.indicator.ambition.chain for v in versions}
    mine = {v.pk for v in versions if v.mine}
    per_indicator: dict[int, list[IndicatorVersion]] = defaultdict(list)
    for version in versions:
        per_indicator[version.indicator_id].append(version)

    candidates: dict[tuple[int, Period], tuple[date, date]] = {}
    for version in versions:
        if version.pk not in mine:
            continue
        chain_id = version.indicator.ambition.chain_id
        for period in window_periods(version, today, ahead_days=DUE_WITHIN_DAYS):
            if pick(per_indicator[version.indicator_id], period.start) is not version:
                continue
            due = deadline_of(version, period)
            closes = entry_window(version, period)[1]
            known = candidates.get((chain_id, period))
            candidates[(chain_id, period)] = (min(known[0], due), max(known[1], closes)) if known else (due, closes)
    if not candidates:
        return FiguresWork([], [])
    done = set(
        PeriodSubmission.objects.filter(
            chain_id__in=list(chains),
            organisation_id=person.organisation_id,
            period__in={p.start for _, p in candidates},
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
        ).values_list("chain_id", "frequency", "period")
    )
    due, overdue = [], []
    for (chain_id, period), (first_deadline, closes) in candidates.items():
        if (chain_id, period.frequency, period.start) in done or today > closes:
            continue
        item = DuePeriod(chains[chain_id], period, first_deadline, closes)
        if today <= first_deadline <= today + timedelta(days=DUE_WITHIN_DAYS):
            due.append(item)
        elif first_deadline < today:
            overdue.append(item)
    due.sort(key=lambda d: (d.deadline, d.chain.name))
    overdue.sort(key=lambda d: (d.period.start, d.chain.name), reverse=True)
    return FiguresWork(due, overdue)


@dataclass
class WaitingApproval:
    submission: PeriodSubmission
    period: Period

    @property
    def url(self) -> str:
        return reverse("ambitions:entry_grid", args=[self.submission.chain.slug, self.period.slug])


def approvals_waiting(person: Person, today: date | None = None) -> list[WaitingApproval]:
    """Periods of the person's organisation waiting for approval — submitted, or approved with
    figures delivered late since — in chains where they can act on an approve-figures mandate."""
    today = today or timezone.localdate()
    if not person.is_authenticated or person.organisation_id is None:
        return []
    # One query: the mandate (with the role it needs) is a condition on each submission's chain.
    mandated = Mandate.objects.usable_on(today).filter(
        person=person,
        scope=MandateScope.APPROVE_FIGURES,
        partnership__organisation_id=person.organisation_id,
        partnership__chain=OuterRef("chain"),
    )
    late = Figure.objects.filter(
        awaiting_approval=True,
        indicator__ambition__chain=OuterRef("chain"),
        organisation_id=OuterRef("organisation_id"),
        period=OuterRef("period"),
    )
    submissions = (
        PeriodSubmission.objects.filter(
            Q(status=SubmissionStatus.SUBMITTED) | Q(Exists(late), status=SubmissionStatus.APPROVED),
            Exists(mandated),
            organisation_id=person.organisation_id,
        )
        .select_related("chain", "organisation", "submitted_by")
        .order_by("period", "chain__name")
    )
    return [WaitingApproval(s, Period(s.period, s.frequency)) for s in submissions]


__all__ = [
    "HISTORY",
    "DuePeriod",
    "FiguresWork",
    "Grid",
    "GridCell",
    "GridSection",
    "approvals_waiting",
    "build",
    "figures_work",
    "open_periods",
    "shown_state",
]
