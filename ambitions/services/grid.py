"""The entry grid: one organisation's reporting units × the chain's indicators for one period.

``build()`` reads everything the grid page shows in a fixed number of queries, however many
units and indicators there are: the indicators, their versions in force, which of the
organisation's units report them, the figures of this period and the three before it (for
context), and the organisation's submission for the period. Writing stays in services.entry
and services.submissions; this module only reads.

Which periods a chain can take figures for is in services.calendar; what a person still has to
enter or approve (*My work*) in services.work. The dates themselves are the version's
(IndicatorVersion.dates_of).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import numberformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language

from ambitions.models import (
    EntryDates,
    Figure,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.models.figures import locks_cell
from ambitions.periods import Period
from ambitions.services.entry import CellContext
from ambitions.services.numbers import for_input, show
from ambitions.services.versions import pick, versions_in_force
from stakeholders.models import Chain, Organisation, Unit

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
    six queries.

    ``indicators`` are the chain's indicators the caller loaded already (with their ambition),
    ``unit`` the one unit of the organisation to show (four queries then, the figures of
    every period shown in one);
    ``for_update`` locks the organisation's submission for the period, as a save must (see
    services.entry.load_context), and leaves out who submitted, approved or reopened it."""
    today = today or timezone.localdate()
    if indicators is None:
        indicators = _chain_indicators(chain, indicator_ids)
    indicators = list(indicators)
    # With the organisation's agreed delivery day per indicator (its delivery terms in force), if any.
    in_force = versions_in_force((i.pk for i in indicators), reported_by=unit, agreed_for=(organisation.pk, period.end))
    chosen = _versions_for(indicators, in_force, period)
    if unit is not None:
        unit_ids = [unit.pk]
        units_of = _the_unit_reporting(unit, organisation, chosen)
    else:
        units_of = _units_reporting(organisation, chosen, unit_ids)
    if unit is not None:  # one cell (a save): one query for its figure and the periods before
        figures = _figures(organisation, chosen, [period, *_previous_periods(period)], unit_ids)
        earlier = {key: figure.value for key, figure in figures.items()}
    else:  # the page: the periods before as plain values, 1,200 of them for 400 cells
        figures = _figures(organisation, chosen, [period], unit_ids, who=False)
        earlier = _earlier_values(organisation, chosen, _previous_periods(period), unit_ids)
    submission = _submission(chain, organisation, period, for_update)
    status = submission.status if submission else SubmissionStatus.OPEN

    sections = []
    previous = _previous_periods(period)
    show_number = _number_shower()
    for indicator in indicators:
        version = chosen.get(indicator.pk)
        if version is not None and units_of[version.pk]:
            dates = version.dates_of(period, version.agreed_day)
            sections.append(
                _section(
                    indicator,
                    version,
                    units_of[version.pk],
                    period,
                    figures,
                    _Earlier(earlier, previous, in_force[indicator.pk], version, show_number),
                    status,
                    today,
                    dates,
                )
            )
    return Grid(chain, organisation, period, previous, sections, submission, today)


def _section(
    indicator: Indicator,
    version: IndicatorVersion,
    units: list[Unit],
    period: Period,
    figures: dict[tuple[int, int, date], Figure],
    earlier: _Earlier,
    status: str,
    today: date,
    dates: EntryDates,
) -> GridSection:
    """One indicator's section: a cell per reporting unit, by name."""
    section = GridSection(indicator, version, dates.opens, dates.closes, dates.deadline, today)
    for unit in sorted(units, key=lambda u: (u.name, u.pk)):
        section.cells.append(
            GridCell(
                indicator=indicator,
                version=version,
                unit=unit,
                period=period,
                figure=figures.get((indicator.pk, unit.pk, period.start)),
                previous=earlier.shown(indicator.pk, unit.pk),
                submission_status=status,
                opens=dates.opens,
                closes=dates.closes,
                deadline=dates.deadline,
                today=today,
            )
        )
    return section


def _previous_periods(period: Period) -> list[Period]:
    """The HISTORY periods before ``period``, oldest first."""
    return [period.shifted(-steps) for steps in range(HISTORY, 0, -1)]


def _chain_indicators(chain: Chain, indicator_ids: Iterable[int] | None):
    queryset = Indicator.objects.filter(ambition__chain=chain).select_related("ambition")
    if indicator_ids is not None:
        queryset = queryset.filter(pk__in=list(indicator_ids))
    return queryset.order_by("ambition__position", "ambition__pk", "position", "pk")


def _versions_for(
    indicators: list[Indicator], in_force: dict[int, list[IndicatorVersion]], period: Period
) -> dict[int, IndicatorVersion]:
    """Per indicator the version in force for ``period``, if it is of the period's frequency."""
    chosen: dict[int, IndicatorVersion] = {}
    for indicator in indicators:
        version = pick(in_force[indicator.pk], period.start)
        if version is not None and version.frequency == period.frequency:
            chosen[indicator.pk] = version
    return chosen


def _the_unit_reporting(
    unit: Unit, organisation: Organisation, chosen: dict[int, IndicatorVersion]
) -> dict[int, list[Unit]]:
    """Version id → [unit] for the versions the one unit reports (known from versions_in_force)."""
    units_of: dict[int, list[Unit]] = defaultdict(list)
    for version in chosen.values():
        if version.unit_reports and unit.organisation_id == organisation.pk:
            units_of[version.pk].append(unit)
    return units_of


def _units_reporting(
    organisation: Organisation, chosen: dict[int, IndicatorVersion], unit_ids: Iterable[int] | None
) -> dict[int, list[Unit]]:
    """Version id → the organisation's units that report it (two queries: which unit reports which
    version as plain ids, then each unit once, rather than a unit and a link row per cell)."""
    units_of: dict[int, list[Unit]] = defaultdict(list)
    reporting = IndicatorVersion.reporting_units.through.objects.filter(
        indicatorversion_id__in=[v.pk for v in chosen.values()], unit__organisation=organisation
    )
    if unit_ids is not None:
        reporting = reporting.filter(unit_id__in=list(unit_ids))
    pairs = list(reporting.values_list("indicatorversion_id", "unit_id"))
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in={unit_id for _, unit_id in pairs})}
    for unit in units.values():
        unit.organisation = organisation  # known: spares a query wherever a cell names its organisation
    for version_id, unit_id in pairs:
        units_of[version_id].append(units[unit_id])
    return units_of


def _figures(
    organisation: Organisation,
    chosen: dict[int, IndicatorVersion],
    periods: list[Period],
    unit_ids: Iterable[int] | None,
    who: bool = True,
) -> dict[tuple[int, int, date], Figure]:
    """(indicator, unit, period start) → the organisation's figure, for the chosen indicators;
    ``who`` also reads who entered each (a save's cell; the page does not show it)."""
    if not chosen:
        return {}
    queryset = Figure.objects.filter(
        indicator_id__in=list(chosen), organisation=organisation, period__in=[p.start for p in periods]
    )
    if who:
        queryset = queryset.select_related("entered_by")
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=list(unit_ids))
    return {(f.indicator_id, f.unit_id, f.period): f for f in queryset}


def _earlier_values(
    organisation: Organisation,
    chosen: dict[int, IndicatorVersion],
    periods: list[Period],
    unit_ids: Iterable[int] | None,
) -> dict[tuple[int, int, date], Decimal | None]:
    """(indicator, unit, period start) → the value of the periods shown for context: only the
    values (no model instances), as a grid of 400 cells shows 1,200 of them."""
    if not chosen:
        return {}
    queryset = Figure.objects.filter(
        indicator_id__in=list(chosen), organisation=organisation, period__in=[p.start for p in periods]
    )
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=list(unit_ids))
    rows = queryset.values_list("indicator_id", "unit_id", "period", "value")
    return {(indicator, unit, start): value for indicator, unit, start, value in rows}


def _submission(chain: Chain, organisation: Organisation, period: Period, for_update: bool) -> PeriodSubmission | None:
    submissions = PeriodSubmission.objects.filter(
        chain=chain, organisation=organisation, frequency=period.frequency, period=period.start
    )
    if for_update:
        submissions = submissions.select_for_update()
    else:
        submissions = submissions.select_related("submitted_by", "approved_by", "reopened_by")
    return submissions.first()


class _Earlier:
    """One section's figures of the periods before, each formatted by the definition of its own
    period: the periods and their decimals are worked out once per section, not per cell."""

    def __init__(self, values, periods, versions, version, show_number):
        self.values = values
        self.show = show_number
        self.periods = [(p.start, (pick(versions, p.start) or version).decimals) for p in periods]

    def shown(self, indicator_id: int, unit_id: int) -> list[str]:
        values, show_number = self.values, self.show
        return [show_number(values.get((indicator_id, unit_id, start)), decimals) for start, decimals in self.periods]


def _number_shower():
    """services.numbers.show with the active language's separators looked up once (a grid shows
    1,200 numbers of the periods before; number_format looks them up for each)."""
    language = get_language()
    separator = get_format("DECIMAL_SEPARATOR", language, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", language, use_l10n=True)
    thousands = get_format("THOUSAND_SEPARATOR", language, use_l10n=True)

    def shown(number: Decimal | None, decimals: int) -> str:
        if number is None:
            return show(None, decimals)
        return numberformat.format(round(number, decimals), separator, decimals, grouping, thousands, use_l10n=True)

    return shown


def shown_state(saved, version: IndicatorVersion) -> str:
    """A saved state (a Figure or FigureChange) as one short text: '12,5', or for a ratio
    '30 / 120 (25,0)'; an em dash without data."""
    if version.is_ratio:
        if saved is None or saved.numerator is None or saved.denominator is None:
            return show(None, 0)
        return f"{for_input(saved.numerator)} / {for_input(saved.denominator)} ({show(saved.value, version.decimals)})"
    return show(saved.value if saved is not None else None, version.decimals)


__all__ = [
    "HISTORY",
    "Grid",
    "GridCell",
    "GridSection",
    "build",
    "shown_state",
]
