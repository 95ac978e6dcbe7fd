"""Checking the rows of a bulk upsert with save_cell's own rules: what the person may see and
write (the first pass), then, under the roll-up lock, the state the rules read and every row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _

from ambitions.models import (
    AgreedDays,
    Figure,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.models.figures import holds_data
from ambitions.periods import Period
from ambitions.services.aggregates import chunks
from ambitions.services.entry import (
    CellContext,
    CellRefused,
    check_cell_open,
    check_clearing,
    clean_input,
)
from ambitions.services.versions import pick, versions_in_force
from stakeholders.models import Chain, Person, Unit
from stakeholders.permissions import Action, allows

from .parse import NON_FIELD, Errors, Key, PeriodRef, RowInput, check_kind, read_row, resolve_period


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class BulkRefused(Exception):
    """At least one row cannot be saved; ``errors`` maps a row's index to its field errors."""

    def __init__(self, errors: dict[int, Errors], detail: str = "", conflicts: bool = False):
        super().__init__(detail or f"{len(errors)} rows refused")
        self.errors = dict(sorted(errors.items()))
        self.detail = detail
        # True when every row is fine except that some name a revision that is no longer current.
        self.conflicts = conflicts


class Row(NamedTuple):
    """One checked row, ready to be written: the cell, its clean values and what decides the rest.

    The column order is the temporary table's (PostgreSQL streams these tuples as they are).
    """

    row_index: int
    indicator_id: int
    unit_id: int
    period: date
    organisation_id: int
    version_id: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    comment: str
    follow_up: bool
    late_if_first: bool  # whether a first report of this cell today is late
    given_revision: int | None  # the revision the client says it starts from, if it says

    @property
    def key(self) -> Key:
        return (self.indicator_id, self.unit_id, self.period)


@dataclass
class Lookups:
    """What the first pass loads once: the person's indicators and units, and where they may write."""

    indicators: dict[int, Indicator] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    chains: dict[int, Chain] = field(default_factory=dict)
    may_enter: dict[tuple[int, int], bool] = field(default_factory=dict)
    chain_of: dict[int, int] = field(default_factory=dict)  # indicator id → chain id

    def allowed(self, person: Person, chain_id: int, unit: Unit) -> bool:
        key = (chain_id, unit.organisation_id)
        if key not in self.may_enter:
            self.may_enter[key] = allows(person, Action.ENTER_FIGURES, self.chains[chain_id], unit.organisation)
        return self.may_enter[key]


def load_lookups(person: Person, rows: list[RowInput]) -> Lookups:
    found = Lookups()
    indicator_ids = {row.indicator_id for row in rows}
    unit_ids = {row.unit_id for row in rows}
    # Through visible_to: another chain's indicator or unit is "unknown", exactly like one that does not exist.
    found.indicators = {
        i.pk: i for i in Indicator.objects.visible_to(person).filter(pk__in=indicator_ids).select_related("ambition")
    }
    found.units = {
        u.pk: u for u in Unit.objects.visible_to(person).filter(pk__in=unit_ids).select_related("organisation")
    }
    chain_ids = {i.ambition.chain_id for i in found.indicators.values()}
    found.chains = {c.pk: c for c in Chain.objects.filter(pk__in=chain_ids)}
    for indicator in found.indicators.values():
        indicator.ambition.chain = found.chains[indicator.ambition.chain_id]
        found.chain_of[indicator.id] = indicator.ambition.chain_id
    return found


def read_rows(raw_rows: list, errors: dict[int, Errors]) -> list[tuple[int, RowInput]]:
    """The shape and types of every decoded JSON row (read_row); errors go to ``errors`` by index."""
    read: list[tuple[int, RowInput]] = []
    for index, raw in enumerate(raw_rows):
        row, row_errors = read_row(raw)
        if row_errors:
            errors[index] = row_errors
        else:
            read.append((index, row))
    return read


def resolve_rows(
    person: Person,
    read: list[tuple[int, RowInput]],
    errors: dict[int, Errors],
    label: Callable[[int], object] = int,
) -> tuple[Lookups, list[tuple[int, RowInput, Indicator, Unit]]]:
    """The first pass, before any lock, over rows already read (from JSON by read_rows, or from a
    file by the import): what the person can see and where they may write, and one row per cell.
    Errors go to ``errors`` by row index; ``label`` names a row in a message (the API's index,
    the file's row number). Returns the lookups and the rows that passed, with their indicator
    and unit."""
    lookups = load_lookups(person, [row for _, row in read])
    candidates: list[tuple[int, RowInput, Indicator, Unit]] = []
    seen: dict[Key, int] = {}
    for index, row in read:
        indicator = lookups.indicators.get(row.indicator_id)
        unit = lookups.units.get(row.unit_id)
        if indicator is None or unit is None:
            errors[index] = {}
            if indicator is None:
                errors[index]["indicator"] = _("There is no indicator with this id that you can see.")
            if unit is None:
                errors[index]["unit"] = _("There is no unit with this id that you can see.")
            continue
        if not lookups.allowed(person, lookups.chain_of[row.indicator_id], unit):
            errors[index] = {
                "unit": _("You may not enter figures for %(org)s in this chain.") % {"org": unit.organisation}
            }
            continue
        key = (row.indicator_id, row.unit_id, row.period.start)
        if key in seen:
            errors[index] = {NON_FIELD: _("Row %(row)s is for this cell already.") % {"row": label(seen[key])}}
            continue
        seen[key] = index
        candidates.append((index, row, indicator, unit))
    return lookups, candidates


@dataclass
class State:
    """What the checks read from the database, loaded under the lock before any row is checked."""

    definitions: dict[tuple[int, PeriodRef], tuple[IndicatorVersion | None, Period] | CellRefused]
    reporting: dict[int, set[int]]  # version id → its reporting units
    statuses: dict[tuple[int, int, str, date], str]  # (chain, organisation, frequency, period) → status
    # The cells of approved periods that their approval locks (the submission rule); the rows
    # written into the others are late deliveries, which wait for the lead's approval.
    locked: set[Key] = field(default_factory=set)
    late_deliveries: list[Row] = field(default_factory=list)
    # The partners' delivery terms in force: a first report is late after the agreed day, where agreed.
    agreed: AgreedDays = field(default_factory=lambda: AgreedDays([]))


def load_state(candidates: list[tuple[int, RowInput, Indicator, Unit]], chain_of: dict[int, int]) -> State:
    # A row's definition and period depend only on its indicator and how it names the period:
    # resolved once per combination, as are the reporting units and the submissions' status.
    versions = versions_in_force({row.indicator_id for _, row, _, _ in candidates})
    definitions: dict[tuple[int, PeriodRef], tuple[IndicatorVersion | None, Period] | CellRefused] = {}
    for indicator_id, ref in {(c[1].indicator_id, c[1].period) for c in candidates}:
        version = pick(versions[indicator_id], ref.start)
        try:
            definitions[(indicator_id, ref)] = (version, resolve_period(ref, version))
        except CellRefused as refused:
            definitions[(indicator_id, ref)] = refused
    defined = [d for d in definitions.values() if not isinstance(d, CellRefused)]
    chains = {chain_of[row.indicator_id] for _, row, _, _ in candidates}
    statuses = _submission_statuses(
        chains,
        {unit.organisation_id for _, _, _, unit in candidates},
        {period.start for _, period in defined},
    )
    return State(
        definitions=definitions,
        reporting=_reporting_units({version.id for version, _ in defined if version is not None}),
        statuses=statuses,
        locked=_locked_by_approval(candidates, statuses),
        agreed=AgreedDays.of_chains(chains) if chains else AgreedDays([]),
    )


def _locked_by_approval(
    candidates: list[tuple[int, RowInput, Indicator, Unit]], statuses: dict[tuple[int, int, str, date], str]
) -> set[Key]:
    """The cells among the rows that an approval locks (one query, only when a row's period may
    be approved; read under the roll-up lock like the figures the writers read)."""
    approved = {
        (organisation, start)
        for (_, organisation, _, start), status in statuses.items()
        if status == SubmissionStatus.APPROVED
    }
    keys = [
        (row.indicator_id, row.unit_id, row.period.start)
        for _, row, _, unit in candidates
        if (unit.organisation_id, row.period.start) in approved
    ]
    locked: set[Key] = set()
    for batch in chunks(sorted(keys), 300):
        figures = (
            Figure.objects.locked_by_approval()
            .filter(
                indicator_id__in={k[0] for k in batch},
                unit_id__in={k[1] for k in batch},
                period__in={k[2] for k in batch},
            )
            .values_list("indicator_id", "unit_id", "period")
        )
        locked.update(figures)
    return locked


def check_rows(
    candidates: list[tuple[int, RowInput, Indicator, Unit]],
    state: State,
    chain_of: dict[int, int],
    errors: dict[int, Errors],
    today: date,
    emit: Callable[[Row], object] | None = None,
) -> list[Row]:
    """save_cell's checks for every row (its own functions); no queries, so it can run during a COPY.

    Returns the rows that pass, each also handed to ``emit`` as soon as it is checked."""
    definitions, reporting = state.definitions, state.reporting
    rows: list[Row] = []
    append = rows.append
    # (indicator, period, organisation) past check_cell_open → whether a first report is late
    open_cells: dict[tuple[int, Period, int], bool] = {}
    no_units: set[int] = set()
    for index, row, indicator, unit in candidates:
        # Plain ids in this loop: a model's .pk is a property, and the loop runs up to 100,000 times.
        definition = definitions[(row.indicator_id, row.period)]
        try:
            if type(definition) is CellRefused:
                raise definition
            version, period = definition
            version_id = version.id if version is not None else None
            organisation_id = unit.organisation_id
            units = reporting.get(version_id, no_units)
            opened = (row.indicator_id, period, organisation_id)
            # Whether a cell is open depends on its indicator, period and organisation, except for the
            # reporting unit: check_cell_open runs in full once per combination, the unit check every row.
            is_late = open_cells.get(opened)
            if is_late is None or row.unit_id not in units:
                approved, is_late = _check_open(state, chain_of, row, indicator, unit, period, version, units, today)
                if not approved:  # in an approved period each cell is locked or not on its own
                    open_cells[opened] = is_late
            else:
                approved = False
            check_kind(version, row.cell)
            clean = clean_input(version, row.cell)
        except CellRefused as refused:
            errors[index] = refused.errors
            continue
        checked = Row(
            index,
            row.indicator_id,
            row.unit_id,
            period.start,
            organisation_id,
            version_id,
            clean.value,
            clean.numerator,
            clean.denominator,
            clean.comment,
            clean.follow_up,
            is_late,
            row.cell.revision,
        )
        append(checked)
        if approved:
            state.late_deliveries.append(checked)
        if emit is not None:
            emit(checked)
    return rows


def _check_open(
    state: State,
    chain_of: dict[int, int],
    row: RowInput,
    indicator: Indicator,
    unit: Unit,
    period: Period,
    version: IndicatorVersion | None,
    units: set[int],
    today: date,
) -> tuple[bool, bool]:
    """check_cell_open for a row's cell (once per indicator, period and organisation, or per cell in
    an approved period); returns whether its period is approved and whether a first report is late:
    after the partner's agreed delivery day where delivery terms apply, else the version's deadline."""
    status = state.statuses.get(
        (chain_of[row.indicator_id], unit.organisation_id, period.frequency, period.start), SubmissionStatus.OPEN
    )
    approved = status == SubmissionStatus.APPROVED
    locked = approved and (row.indicator_id, row.unit_id, period.start) in state.locked
    check_cell_open(CellContext(indicator, unit, period, version, units, status), today, locked)
    return approved, today > state.agreed.deadline_of(version, unit.organisation_id, period)


def refuse_clearing_submitted(rows: list[Row], state: State, lookups: Lookups, errors: dict[int, Errors]) -> None:
    """entry.check_clearing for the rows that empty a cell: one query, and only when some do."""
    # A checked row's value is set exactly when it holds data (clean_input computes a ratio's
    # value from both parts: holds_data), and this loop sees every row: the cheaper test.
    clearing = [row for row in rows if row.value is None]
    if not clearing:
        return
    versions = {d[0].id: d[0] for d in state.definitions.values() if type(d) is tuple and d[0] is not None}
    stored = stored_figures(row.key for row in clearing)
    for row in clearing:
        figure = stored.get(row.key)
        if figure is None or not figure.has_data:
            continue
        version = versions[row.version_id]
        status = state.statuses.get(
            (lookups.chain_of[row.indicator_id], row.organisation_id, version.frequency, row.period),
            SubmissionStatus.OPEN,
        )
        indicator, unit = lookups.indicators[row.indicator_id], lookups.units[row.unit_id]
        context = CellContext(indicator, unit, Period(row.period, version.frequency), version, set(), status)
        try:
            check_clearing(context, had_data=True, has_data=False)
        except CellRefused as refused:
            errors[row.row_index] = refused.errors


def _reporting_units(version_ids: set[int]) -> dict[int, set[int]]:
    """Per version the ids of its reporting units (one query)."""
    through = IndicatorVersion.reporting_units.through
    found: dict[int, set[int]] = {pk: set() for pk in version_ids}
    for version_id, unit_id in through.objects.filter(indicatorversion_id__in=version_ids).values_list(
        "indicatorversion_id", "unit_id"
    ):
        found[version_id].add(unit_id)
    return found


def _submission_statuses(
    chains: set[int], organisations: set[int], periods: set[date]
) -> dict[tuple[int, int, str, date], str]:
    """The status of each organisation's period, its row locked as save_cell locks it (an approval waits)."""
    if not (chains and organisations and periods):
        return {}
    rows = (
        PeriodSubmission.objects.select_for_update()
        .filter(chain_id__in=chains, organisation_id__in=organisations, period__in=periods)
        .order_by("pk")
        .values_list("chain_id", "organisation_id", "frequency", "period", "status")
    )
    return {(c, o, f, p): status for c, o, f, p, status in rows}


def conflict(given: int, current: int) -> Errors:
    return {
        "revision": _("This figure has changed meanwhile: it is at revision %(current)s now, not %(given)s.")
        % {"current": current, "given": given}
    }


def mark_late_deliveries(rows: list[Row]) -> None:
    """Rows written into approved periods wait for the lead's approval when they hold a figure, as
    services.entry.write_cell marks them (rare: one small update per batch)."""
    for batch in chunks(rows, 300):
        for has_data in (True, False):
            cells = Q()
            for row in batch:
                if holds_data(row.value, row.numerator, row.denominator) == has_data:
                    cells |= Q(indicator_id=row.indicator_id, unit_id=row.unit_id, period=row.period)
            if cells:
                Figure.objects.filter(cells).update(awaiting_approval=has_data)


class Stored(NamedTuple):
    """A figure as stored, as far as the upsert needs it."""

    pk: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    comment: str
    follow_up: bool
    revision: int
    is_late: bool

    @property
    def has_data(self) -> bool:
        return holds_data(self.value, self.numerator, self.denominator)


def stored_figures(keys: Iterable[Key]) -> dict[Key, Stored]:
    """The stored figures for ``keys``; read under the roll-up lock, so no other writer changes them now."""
    wanted = {tuple(key) for key in keys}
    found: dict[Key, Stored] = {}
    # Per batch of sorted keys: the figures of its indicators × units × periods, then the exact keys.
    for batch in chunks(sorted(wanted), 300):
        figures = Figure.objects.filter(
            indicator_id__in={k[0] for k in batch}, unit_id__in={k[1] for k in batch}, period__in={k[2] for k in batch}
        ).values_list("indicator_id", "unit_id", "period", *Stored._fields)
        for indicator_id, unit_id, period, *stored in figures:
            if (indicator_id, unit_id, period) in wanted:
                found[(indicator_id, unit_id, period)] = Stored(*stored)
    return found
