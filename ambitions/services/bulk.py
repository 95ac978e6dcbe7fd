"""Writing many figures in one go (the API's bulk upsert): all or nothing, under save_cell's rules.

``upsert_figures(person, rows)`` takes up to 100,000 rows as decoded JSON and

1. reads every row with plain Python (no serializer per row) against lookups loaded once: the
   indicators and units the person can see, and whether they may enter figures for each unit's
   organisation;
2. locks the roll-ups of every (indicator, period) in the request (``aggregates.locked_rollups``,
   the same lock save_cell takes), then loads, in a handful of queries, the definitions in force,
   their reporting units, the organisations' period submissions (FOR UPDATE, as save_cell does) and
   the figures already stored, and checks each row with save_cell's own functions
   (``entry.check_cell_open``, ``entry.clean_input``) plus its revision, if it names one;
3. refuses the whole request if any row fails (``BulkRefused`` with the errors per row index and
   field; the transaction is rolled back, nothing is saved), else writes every new or changed
   figure and its FigureChange row set-based, and brings the roll-ups up to date: on PostgreSQL in
   the same statement, by the difference the written figures make; elsewhere ``locked_rollups``
   recomputes each touched roll-up once.

On PostgreSQL the write streams the rows into a temporary table with COPY and upserts from there
with INSERT … ON CONFLICT; elsewhere (SQLite) it uses the ORM's bulk_create(update_conflicts=True).
Both write exactly the same rows.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import (
    ChainAggregate,
    Figure,
    FigureChange,
    FigureSource,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.periods import Frequency, Period, check_date
from ambitions.services import aggregates
from ambitions.services.aggregates import chunks
from ambitions.services.entry import (
    CellContext,
    CellInput,
    CellRefused,
    check_cell_open,
    check_clearing,
    clean_input,
    deadline,
    lateness,
    same_content,
)
from ambitions.services.numbers import NotANumber, read_api
from ambitions.services.versions import pick, versions_in_force
from stakeholders.models import Chain, Person, Unit
from stakeholders.permissions import Action, allows

MAX_ROWS = 100_000
MAX_REVISION = 2**31 - 1  # Figure.revision is a PostgreSQL integer
NON_FIELD = "__all__"
FIELDS = frozenset(
    {"indicator", "unit", "period", "value", "numerator", "denominator", "comment", "follow_up", "revision"}
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Errors = dict[str, str]
Key = tuple[int, int, date]  # (indicator id, unit id, period start): one cell


# --- Reading one row ---------------------------------------------------------------------------


class PeriodRef(NamedTuple):
    """A period as the client named it: by slug (its frequency known) or by the date it starts."""

    start: date
    period: Period | None  # None: given as a date, so the definition's frequency decides


def parse_period(value: object) -> PeriodRef:
    """``"2026-03"``, ``"2026-K1"``, ``"2026"`` or ``"2026-03-01"``; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError(value)
    return _parse_period_text(value)


@lru_cache(maxsize=4096)  # a bulk request names the same few periods on every row
def _parse_period_text(value: str) -> PeriodRef:
    text = value.strip()
    if _ISO_DATE.match(text):
        return PeriodRef(check_date(date.fromisoformat(text)), None)
    period = Period.from_slug(text)
    return PeriodRef(period.start, period)


def resolve_period(ref: PeriodRef, version: IndicatorVersion | None) -> Period:
    """The period a row means; a date must be the first day of one of the definition's periods."""
    if ref.period is not None:
        return ref.period
    if version is None:
        # No definition, so no frequency: check_cell_open refuses the cell with its own message.
        return Period.containing(ref.start, Frequency.MONTH)
    period = Period.containing(ref.start, version.frequency)
    if period.start != ref.start:
        raise CellRefused(
            {
                "period": _(
                    "%(date)s is not the first day of a period of this indicator; that period starts on %(start)s."
                )
                % {"date": ref.start.isoformat(), "start": period.start.isoformat()}
            }
        )
    return period


@dataclass
class RowInput:
    indicator_id: int
    unit_id: int
    period: PeriodRef
    cell: CellInput


def _identifier(value: object) -> int | None:
    if type(value) is int:
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None  # also for True and False, which are ints to Python but not ids


def _revision_ok(value: object) -> bool:
    """No revision, or a whole number the column holds (10**30 is no revision, and no 500 either)."""
    return value is None or (type(value) is int and 0 <= value <= MAX_REVISION)


def _number(value: object) -> Decimal | NotANumber | None:
    """A JSON number or a canonical decimal string, read by the API's one parser (numbers.read_api;
    save_cell bounds it); None when empty (null, absent or ""); the refusal, returned rather than
    raised, when it is neither."""
    try:
        return read_api(value)
    except NotANumber as refused:
        return refused


def read_row(raw: object) -> tuple[RowInput | None, Errors]:
    """Check the shape and types of one row; the errors name the row's fields.

    The common case (a well-formed row) runs straight through: this is called for every row of a
    bulk request, up to 100,000 times.
    """
    if not isinstance(raw, dict):
        return None, {NON_FIELD: _("Each row must be an object with the fields of one figure.")}
    get = raw.get
    indicator_id = _identifier(get("indicator"))
    unit_id = _identifier(get("unit"))
    value, numerator, denominator = (
        _number(get("value")),
        _number(get("numerator")),
        _number(get("denominator")),
    )
    comment = get("comment")
    if comment is None:
        comment = ""
    follow_up = get("follow_up")
    if follow_up is None:
        follow_up = False
    revision = get("revision")
    period_text = get("period")
    try:
        period = parse_period(period_text)
    except ValueError:
        period = None
    if (
        indicator_id is None
        or unit_id is None
        or period is None
        or type(value) is NotANumber
        or type(numerator) is NotANumber
        or type(denominator) is NotANumber
        or type(comment) is not str
        or type(follow_up) is not bool
        or not _revision_ok(revision)
        or not FIELDS.issuperset(raw)
    ):
        return None, _row_errors(raw, indicator_id, unit_id, period, value, numerator, denominator)
    cell = CellInput(value, numerator, denominator, comment, follow_up, revision)
    return RowInput(indicator_id, unit_id, period, cell), {}


def _row_errors(raw: dict, indicator_id, unit_id, period, value, numerator, denominator) -> Errors:
    errors: Errors = {_field_name(name): _("Unknown field.") for name in raw if name not in FIELDS}
    if indicator_id is None:
        errors["indicator"] = _("Give the id of the indicator.")
    if unit_id is None:
        errors["unit"] = _("Give the id of the unit.")
    if period is None:
        errors["period"] = _(
            "Give the period as 2026-03 (month), 2026-K1 (quarter), 2026 (year) or the date it starts."
        )
    for name, number in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        if type(number) is NotANumber:
            errors[name] = number.message
    if not isinstance(raw.get("comment", ""), str | None):
        errors["comment"] = _("The comment must be text.")
    if not isinstance(raw.get("follow_up", False), bool | None):
        errors["follow_up"] = _("Must be true or false.")
    if not _revision_ok(raw.get("revision")):
        errors["revision"] = _("Give the figure's revision as a whole number (0 for a figure that does not exist yet).")
    return errors


def _field_name(name: str) -> str:
    """An unknown field's name as the error can show it: short, and text (JSON can carry "\\ud800")."""
    return name[:100].encode("utf-8", "backslashreplace").decode("utf-8")


def _given(raw: str | Decimal | None) -> bool:
    return raw is not None and (not isinstance(raw, str) or bool(raw.strip()))


def check_kind(version: IndicatorVersion, cell: CellInput) -> None:
    """A value for a ratio, or a numerator for a sum, is a mistake in the client, not an empty cell."""
    if version.is_ratio:
        if _given(cell.value):
            raise CellRefused({"value": _("This indicator is a ratio: give the numerator and the denominator.")})
    elif _given(cell.numerator) or _given(cell.denominator):
        message = _("This indicator is a sum: give the value.")
        raise CellRefused({name: message for name in ("numerator", "denominator") if _given(getattr(cell, name))})


# --- The bulk upsert ---------------------------------------------------------------------------


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


class _Row(NamedTuple):
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
class _Lookups:
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


def _load_lookups(person: Person, rows: list[RowInput]) -> _Lookups:
    found = _Lookups()
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


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while a bulk request builds its 100,000s of small objects.

    The collector runs each time enough new objects accumulate and then walks every live one:
    a few hundred milliseconds per bulk request for nothing, as these objects form no cycles.
    Reference counting still frees them as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def use_copy() -> bool:
    """Whether to write through COPY and set-based SQL (PostgreSQL) or through the ORM."""
    return connection.vendor == "postgresql"


def upsert_figures(
    person: Person, raw_rows: list, source: str = FigureSource.API, today: date | None = None
) -> BulkResult:
    """Save every row or none; raises BulkRefused with the errors per row index."""
    with without_cyclic_gc():
        return _upsert_figures(person, raw_rows, source, today)


def _upsert_figures(person: Person, raw_rows: list, source: str, today: date | None) -> BulkResult:
    if len(raw_rows) > MAX_ROWS:
        raise BulkRefused({}, detail=_("Send at most %(max)s rows per request.") % {"max": MAX_ROWS})
    today = today or timezone.localdate()
    errors: dict[int, Errors] = {}

    # First pass: the shape of every row, what the person can see and where they may write.
    read: list[tuple[int, RowInput]] = []
    for index, raw in enumerate(raw_rows):
        row, row_errors = read_row(raw)
        if row_errors:
            errors[index] = row_errors
        else:
            read.append((index, row))
    lookups = _load_lookups(person, [row for _, row in read])
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
            errors[index] = {NON_FIELD: _("Row %(row)s is for this cell already.") % {"row": seen[key]}}
            continue
        seen[key] = index
        candidates.append((index, row, indicator, unit))

    # Second pass, under the roll-up lock: the rules that depend on state, then the write.
    pairs = {(row.indicator_id, row.period.start) for _, row, _, _ in candidates}
    with aggregates.locked_rollups(pairs) as touched:
        state = _load_state(candidates, lookups.chain_of)
        if use_copy():
            # Stream each checked row to PostgreSQL while checking the next: the server takes in
            # the COPY on the other core meanwhile.
            with _copy_to_temporary_table() as emit:
                rows = _check(candidates, state, lookups.chain_of, errors, today, emit)
            _refuse_clearing_submitted(rows, state, lookups, errors)
            if errors:
                raise BulkRefused(errors)  # leaving the block rolls back, lock rows and all
            result = _write_copied(person, rows, source)  # roll-ups included: nothing left to recompute
            _mark_late_deliveries(state.late_deliveries)
            return result
        rows = _check(candidates, state, lookups.chain_of, errors, today)
        _refuse_clearing_submitted(rows, state, lookups, errors)
        if errors:
            raise BulkRefused(errors)
        result, written = _write_with_orm(person, rows, source)
        _mark_late_deliveries(state.late_deliveries)
        touched.update(written)
    return result


def _mark_late_deliveries(rows: list[_Row]) -> None:
    """Rows written into approved periods wait for the lead's approval when they hold a figure, as
    services.entry.write_cell marks them (rare: one small update per batch)."""
    for batch in chunks(rows, 300):
        for has_data in (True, False):
            cells = Q()
            for row in batch:
                if (row.value is not None) == has_data:
                    cells |= Q(indicator_id=row.indicator_id, unit_id=row.unit_id, period=row.period)
            if cells:
                Figure.objects.filter(cells).update(awaiting_approval=has_data)


@dataclass
class _State:
    """What the checks read from the database, loaded under the lock before any row is checked."""

    definitions: dict[tuple[int, PeriodRef], tuple[IndicatorVersion | None, Period] | CellRefused]
    reporting: dict[int, set[int]]  # version id → its reporting units
    statuses: dict[tuple[int, int, str, date], str]  # (chain, organisation, frequency, period) → status
    # The cells of approved periods that their approval locks (the submission rule); the rows
    # written into the others are late deliveries, which wait for the lead's approval.
    locked: set[Key] = field(default_factory=set)
    late_deliveries: list[_Row] = field(default_factory=list)


def _load_state(candidates: list[tuple[int, RowInput, Indicator, Unit]], chain_of: dict[int, int]) -> _State:
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
    statuses = _submission_statuses(
        {chain_of[row.indicator_id] for _, row, _, _ in candidates},
        {unit.organisation_id for _, _, _, unit in candidates},
        {period.start for _, period in defined},
    )
    return _State(
        definitions=definitions,
        reporting=_reporting_units({version.id for version, _ in defined if version is not None}),
        statuses=statuses,
        locked=_locked_by_approval(candidates, statuses),
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


def _check(
    candidates: list[tuple[int, RowInput, Indicator, Unit]],
    state: _State,
    chain_of: dict[int, int],
    errors: dict[int, Errors],
    today: date,
    emit: Callable[[_Row], object] | None = None,
) -> list[_Row]:
    """save_cell's checks for every row (its own functions); no queries, so it can run during a COPY.

    Returns the rows that pass, each also handed to ``emit`` as soon as it is checked."""
    definitions, reporting, statuses = state.definitions, state.reporting, state.statuses
    rows: list[_Row] = []
    append = rows.append
    open_cells: set[tuple[int, Period, int]] = set()  # (indicator, period, organisation) past check_cell_open
    late: dict[tuple[int, date], bool] = {}
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
            if opened not in open_cells or row.unit_id not in units:
                status = statuses.get(
                    (chain_of[row.indicator_id], organisation_id, period.frequency, period.start),
                    SubmissionStatus.OPEN,
                )
                approved = status == SubmissionStatus.APPROVED
                locked = approved and (row.indicator_id, row.unit_id, period.start) in state.locked
                check_cell_open(CellContext(indicator, unit, period, version, units, status), today, locked)
                if not approved:  # in an approved period each cell is locked or not on its own
                    open_cells.add(opened)
            else:
                approved = False
            check_kind(version, row.cell)
            clean = clean_input(version, row.cell)
        except CellRefused as refused:
            errors[index] = refused.errors
            continue
        late_key = (version_id, period.start)
        is_late = late.get(late_key)
        if is_late is None:
            is_late = late[late_key] = today > deadline(version, period)
        checked = _Row(
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


def _refuse_clearing_submitted(rows: list[_Row], state: _State, lookups: _Lookups, errors: dict[int, Errors]) -> None:
    """entry.check_clearing for the rows that empty a cell: one query, and only when some do."""
    clearing = [row for row in rows if row.value is None]
    if not clearing:
        return
    versions = {d[0].id: d[0] for d in state.definitions.values() if type(d) is tuple and d[0] is not None}
    stored = _stored_figures(row.key for row in clearing)
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


def _conflict(given: int, current: int) -> Errors:
    return {
        "revision": _("This figure has changed meanwhile: it is at revision %(current)s now, not %(given)s.")
        % {"current": current, "given": given}
    }


# --- Writing: the ORM, for SQLite ---------------------------------------------------------------
#
# Both writers apply the same rules: a row naming a revision that is not the stored one (0: no
# figure yet) refuses the request; a row equal to the stored figure is left alone; a written figure
# gets the next revision and one FigureChange; a first report is late when reported after the
# deadline, a correction keeps the figure's timeliness, an emptied cell is not late.

_UPDATED = [
    "version",
    "value",
    "numerator",
    "denominator",
    "comment",
    "follow_up",
    "source",
    "is_late",
    "revision",
    "entered_by",
    "updated_at",
]


def _write_with_orm(person: Person, rows: list[_Row], source: str) -> tuple[BulkResult, set[tuple[int, date, int]]]:
    stored = _stored_figures([row.key for row in rows])
    conflicts = {}
    for row in rows:
        current = stored.get(row.key)
        revision = current.revision if current is not None else 0
        if row.given_revision is not None and row.given_revision != revision:
            conflicts[row.row_index] = _conflict(row.given_revision, revision)
    if conflicts:
        raise BulkRefused(conflicts, conflicts=True)
    result = BulkResult()
    figures = []
    for row in rows:
        current = stored.get(row.key)
        if current is not None and same_content(current, row):
            result.unchanged += 1
            continue
        if current is None:
            result.created += 1
        else:
            result.updated += 1
        is_late = lateness(
            current is not None and current.is_late,
            current is not None and current.has_data,
            row.value is not None,
            row.late_if_first,
        )
        figures.append(
            Figure(
                indicator_id=row.indicator_id,
                unit_id=row.unit_id,
                period=row.period,
                organisation_id=row.organisation_id,
                version_id=row.version_id,
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                comment=row.comment,
                follow_up=row.follow_up,
                source=source,
                is_late=is_late,
                revision=(current.revision if current is not None else 0) + 1,
                entered_by=person,
            )
        )
    Figure.objects.bulk_create(
        figures,
        update_conflicts=True,
        unique_fields=["indicator", "unit", "period"],
        update_fields=_UPDATED,
        batch_size=1000,
    )
    if any(f.pk is None for f in figures):  # a database that does not return the ids: look them up
        stored = _stored_figures((f.indicator_id, f.unit_id, f.period) for f in figures)
        for f in figures:
            f.pk = stored[(f.indicator_id, f.unit_id, f.period)].pk
    FigureChange.objects.bulk_create(
        [FigureChange.of(f, source, person) for f in figures],
        batch_size=1000,
    )
    return result, {(f.indicator_id, f.period, f.organisation_id) for f in figures}


class _Stored(NamedTuple):
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
        return self.value is not None or (self.numerator is not None and self.denominator is not None)


def _stored_figures(keys: Iterable[Key]) -> dict[Key, _Stored]:
    """The stored figures for ``keys``; read under the roll-up lock, so no other writer changes them now."""
    wanted = {tuple(key) for key in keys}
    found: dict[Key, _Stored] = {}
    # Per batch of sorted keys: the figures of its indicators × units × periods, then the exact keys.
    for batch in chunks(sorted(wanted), 300):
        figures = Figure.objects.filter(
            indicator_id__in={k[0] for k in batch}, unit_id__in={k[1] for k in batch}, period__in={k[2] for k in batch}
        ).values_list("indicator_id", "unit_id", "period", *_Stored._fields)
        for indicator_id, unit_id, period, *stored in figures:
            if (indicator_id, unit_id, period) in wanted:
                found[(indicator_id, unit_id, period)] = _Stored(*stored)
    return found


# --- Writing: COPY and set-based SQL, for PostgreSQL ------------------------------------------------

_TEMP_TABLE = """
CREATE TEMPORARY TABLE kp_bulk_figure (
    row_index integer, indicator_id bigint, unit_id bigint, period date, organisation_id bigint, version_id bigint,
    value numeric, numerator numeric, denominator numeric, comment text, follow_up boolean,
    late_if_first boolean, given_revision integer,
    figure_id bigint, stored_revision integer,
    old_value numeric, old_numerator numeric, old_denominator numeric, old_counted boolean, old_late boolean
) ON COMMIT DROP
"""
# Which rows are stored already: looked up once, before writing. (Asking "NOT EXISTS" inside the
# statement that inserts would scan the figures it is inserting, for every row.)
_FIND_STORED = """
UPDATE kp_bulk_figure AS b SET figure_id = f.id, stored_revision = f.revision,
    old_value = f.value, old_numerator = f.numerator, old_denominator = f.denominator,
    old_counted = {counted_stored}, old_late = f.is_late
FROM {figure} AS f
WHERE f.indicator_id = b.indicator_id AND f.unit_id = b.unit_id AND f.period = b.period
"""
_CONFLICTS = """
SELECT row_index, given_revision, coalesce(stored_revision, 0) FROM kp_bulk_figure
WHERE given_revision IS NOT NULL AND given_revision <> coalesce(stored_revision, 0)
"""
# One statement: update the changed figures, insert the new ones, one FigureChange per written
# figure, and add what the written figures changed to their organisations' and chains' roll-ups.
#
# The roll-ups get the exact difference (new minus old contribution of each written figure, the
# old one read by _FIND_STORED under the roll-up lock) instead of being recomputed from every figure
# of the touched organisations, as aggregates.recompute does for a single save: the same sums, without
# reading 200,000 figures again for 100,000 written. A figure contributes as in recompute: only when it
# has data, its value, numerator and denominator, 1 to reported and, when late, 1 to late. The chain
# rows exist (locked_rollups created and locked them); an organisation row is created when missing
# (its figures are all new then).
# It returns the number of figures created and updated.
_WRITE = """
WITH updated AS (
    UPDATE {figure} AS f SET
        version_id = b.version_id, value = b.value, numerator = b.numerator, denominator = b.denominator,
        comment = b.comment, follow_up = b.follow_up, source = %(source)s, entered_by_id = %(person)s,
        updated_at = %(now)s, revision = f.revision + 1,
        is_late = CASE
            WHEN b.value IS NULL THEN FALSE
            WHEN f.value IS NULL AND (f.numerator IS NULL OR f.denominator IS NULL) THEN b.late_if_first
            ELSE f.is_late
        END
    FROM kp_bulk_figure AS b
    WHERE f.id = b.figure_id
      AND NOT (f.value IS NOT DISTINCT FROM b.value AND f.numerator IS NOT DISTINCT FROM b.numerator
               AND f.denominator IS NOT DISTINCT FROM b.denominator
               AND f.comment = b.comment AND f.follow_up = b.follow_up)
    RETURNING f.id, f.indicator_id, f.period, f.organisation_id, f.revision, f.value, f.numerator,
              f.denominator, f.comment, f.follow_up, f.is_late, FALSE AS created,
              b.old_value, b.old_numerator, b.old_denominator, b.old_counted, b.old_late
), created AS (
    INSERT INTO {figure} (indicator_id, unit_id, period, organisation_id, version_id, value, numerator,
                          denominator, comment, follow_up, source, entered_by_id, updated_at, revision, is_late)
    SELECT indicator_id, unit_id, period, organisation_id, version_id, value, numerator, denominator, comment,
           follow_up, %(source)s, %(person)s, %(now)s, 1, value IS NOT NULL AND late_if_first
    FROM kp_bulk_figure WHERE figure_id IS NULL
    RETURNING id, indicator_id, period, organisation_id, revision, value, numerator, denominator, comment,
              follow_up, is_late, TRUE AS created,
              NULL::numeric, NULL::numeric, NULL::numeric, FALSE, FALSE
), written AS (
    SELECT *, {counted} AS counted FROM (SELECT * FROM updated UNION ALL SELECT * FROM created) AS w
), changes AS (
    INSERT INTO {change} (figure_id, revision, value, numerator, denominator, comment, follow_up, source,
                          changed_by_id, changed_at)
    SELECT id, revision, value, numerator, denominator, comment, follow_up, %(source)s, %(person)s, %(now)s
    FROM written
), differences AS (
    SELECT indicator_id, period, organisation_id,
           coalesce(sum(value) FILTER (WHERE counted), 0)
               - coalesce(sum(old_value) FILTER (WHERE old_counted), 0) AS value_sum,
           coalesce(sum(numerator) FILTER (WHERE counted), 0)
               - coalesce(sum(old_numerator) FILTER (WHERE old_counted), 0) AS numerator_sum,
           coalesce(sum(denominator) FILTER (WHERE counted), 0)
               - coalesce(sum(old_denominator) FILTER (WHERE old_counted), 0) AS denominator_sum,
           count(*) FILTER (WHERE counted) - count(*) FILTER (WHERE old_counted) AS reported,
           count(*) FILTER (WHERE counted AND is_late) - count(*) FILTER (WHERE old_counted AND old_late) AS late,
           count(*) FILTER (WHERE created) AS created,
           count(*) FILTER (WHERE NOT created) AS updated
    FROM written GROUP BY indicator_id, period, organisation_id
), organisation_rollups AS (
    UPDATE {organisation_rollup} AS o SET
        value_sum = o.value_sum + d.value_sum, numerator_sum = o.numerator_sum + d.numerator_sum,
        denominator_sum = o.denominator_sum + d.denominator_sum, reported = o.reported + d.reported,
        late = o.late + d.late
    FROM differences AS d
    WHERE o.indicator_id = d.indicator_id AND o.period = d.period AND o.organisation_id = d.organisation_id
), new_organisation_rollups AS (
    -- Not INSERT … ON CONFLICT: the table's checks (no negative counts) apply to the row proposed
    -- for insertion, a difference, even when it then updates the existing row instead.
    INSERT INTO {organisation_rollup}
        (indicator_id, period, organisation_id, value_sum, numerator_sum, denominator_sum, reported, late)
    SELECT indicator_id, period, organisation_id, value_sum, numerator_sum, denominator_sum, reported, late
    FROM differences AS d
    WHERE NOT EXISTS (
        SELECT FROM {organisation_rollup} AS o
        WHERE o.indicator_id = d.indicator_id AND o.period = d.period AND o.organisation_id = d.organisation_id
    )
), chain_rollups AS (
    UPDATE {chain_rollup} AS c SET
        value_sum = c.value_sum + d.value_sum, numerator_sum = c.numerator_sum + d.numerator_sum,
        denominator_sum = c.denominator_sum + d.denominator_sum, reported = c.reported + d.reported,
        late = c.late + d.late
    FROM (
        SELECT indicator_id, period, sum(value_sum) AS value_sum, sum(numerator_sum) AS numerator_sum,
               sum(denominator_sum) AS denominator_sum, sum(reported) AS reported, sum(late) AS late
        FROM differences GROUP BY indicator_id, period
    ) AS d
    WHERE c.indicator_id = d.indicator_id AND c.period = d.period
)
SELECT coalesce(sum(created), 0), coalesce(sum(updated), 0) FROM differences
"""


@contextmanager
def _copy_to_temporary_table() -> Iterator[Callable[[_Row], None]]:
    """A fresh temporary table and a COPY into it; yields the function that sends one row."""
    with connection.cursor() as cursor:
        # A second bulk upsert in the same transaction finds the first one's table still there.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.kp_bulk_figure")
        cursor.execute(_TEMP_TABLE)
        with cursor.cursor.copy(f"COPY kp_bulk_figure ({', '.join(_Row._fields)}) FROM STDIN") as copy:
            yield copy.write_row


def _write_copied(person: Person, rows: list[_Row], source: str) -> BulkResult:
    """Write the rows COPY put in the temporary table, with their roll-ups: the same rows, rules and
    sums as _write_with_orm followed by aggregates.recompute."""
    tables = {
        "figure": Figure._meta.db_table,
        "change": FigureChange._meta.db_table,
        "organisation_rollup": OrganisationAggregate._meta.db_table,
        "chain_rollup": ChainAggregate._meta.db_table,
        "counted": aggregates.counted_sql(),
        "counted_stored": aggregates.counted_sql("f"),
    }
    params = {"source": source, "person": person.pk, "now": timezone.now()}
    with connection.cursor() as cursor:
        # Room to sort and group 100,000 rows in memory instead of in temporary files (this
        # transaction only; the server's default suits its many small queries).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("ANALYZE kp_bulk_figure")
        cursor.execute(_FIND_STORED.format(**tables))
        # Again for figure_id, so the planner knows how many rows update and how many insert
        # (otherwise it expects no updates and hashes every stored figure, spilling to disk).
        cursor.execute("ANALYZE kp_bulk_figure (figure_id)")
        if any(row.given_revision is not None for row in rows):
            cursor.execute(_CONFLICTS)
            conflicts = {index: _conflict(given, current) for index, given, current in cursor.fetchall()}
            if conflicts:
                raise BulkRefused(conflicts, conflicts=True)
        cursor.execute(_WRITE.format(**tables), params)
        created, updated = cursor.fetchone()
        cursor.execute("DROP TABLE kp_bulk_figure")
    return BulkResult(created=created, updated=updated, unchanged=len(rows) - created - updated)
