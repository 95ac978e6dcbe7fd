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

The package, by subject: ``parse`` (one row, also for the single-figure API write), ``check``
(the rules, in two passes), ``write_orm`` and ``write_postgres`` (the two writers of the same
rows); this module runs them in order.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import Figure, FigureSource
from ambitions.services import aggregates, data_revision
from stakeholders.models import Person

from .check import (
    BulkRefused,
    BulkResult,
    Row,
    Stored,
    check_rows,
    load_state,
    mark_late_deliveries,
    read_rows,
    refuse_clearing_submitted,
    resolve_rows,
)
from .parse import (
    FIELDS,
    MAX_REVISION,
    NON_FIELD,
    Errors,
    Key,
    PeriodRef,
    RowInput,
    check_kind,
    parse_period,
    read_row,
    resolve_period,
)
from .write_orm import write_with_orm
from .write_postgres import copy_to_temporary_table, write_copied

__all__ = [
    "FIELDS",
    "MAX_REVISION",
    "MAX_ROWS",
    "NON_FIELD",
    "BulkRefused",
    "BulkResult",
    "Errors",
    "Row",
    "Stored",
    "check_only",
    "Key",
    "PeriodRef",
    "RowInput",
    "check_kind",
    "parse_period",
    "read_row",
    "resolve_period",
    "upsert_figures",
    "upsert_rows",
    "use_copy",
    "without_cyclic_gc",
]

MAX_ROWS = 100_000


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
    if len(raw_rows) > MAX_ROWS:
        raise BulkRefused({}, detail=_("Send at most %(max)s rows per request.") % {"max": MAX_ROWS})
    with without_cyclic_gc():
        errors: dict[int, Errors] = {}
        read = read_rows(raw_rows, errors)
        return upsert_rows(person, read, errors, source=source, today=today)


def check_only(
    person: Person,
    read: list[tuple[int, RowInput]],
    errors: dict[int, Errors],
    today: date | None = None,
    label: Callable[[int], object] = int,
) -> tuple[list[Row], dict[Key, Stored]]:
    """Every rule of the upsert, writing nothing (the file import's preview): the rows that pass,
    and the figures stored for them now. Errors go to ``errors`` by row index."""
    today = today or timezone.localdate()
    with without_cyclic_gc():
        lookups, candidates = resolve_rows(person, read, errors, label)
        with transaction.atomic():  # load_state locks the period submissions it reads, as a save does
            state = load_state(candidates, lookups.chain_of)
            rows = check_rows(candidates, state, lookups.chain_of, errors, today)
            refuse_clearing_submitted(rows, state, lookups, errors)
            return rows, _stored_for_preview(rows)


def _stored_for_preview(rows: list[Row]) -> dict[Key, Stored]:
    """The stored figures of ``rows`` in one query through the figures' (organisation, period)
    index: a file is one organisation's, so this reads that organisation's figures of the file's
    periods and indicators (stored_figures' 300-key batches took hundreds of queries)."""
    if not rows:
        return {}
    wanted = {row.key for row in rows}
    figures = Figure.objects.filter(
        organisation_id__in={row.organisation_id for row in rows},
        period__gte=min(row.period for row in rows),
        period__lte=max(row.period for row in rows),
        indicator_id__in={row.indicator_id for row in rows},
    ).values_list("indicator_id", "unit_id", "period", *Stored._fields)
    return {
        (indicator_id, unit_id, period): Stored(*stored)
        for indicator_id, unit_id, period, *stored in figures.iterator(chunk_size=10_000)
        if (indicator_id, unit_id, period) in wanted
    }


def upsert_rows(
    person: Person,
    read: list[tuple[int, RowInput]],
    errors: dict[int, Errors],
    *,
    source: str,
    today: date | None = None,
    label: Callable[[int], object] = int,
    import_job_id: int | None = None,
) -> BulkResult:
    """Save every row already read (``read``, with the errors found reading the others) or none."""
    today = today or timezone.localdate()
    lookups, candidates = resolve_rows(person, read, errors, label)

    # Second pass, under the roll-up lock: the rules that depend on state, then the write.
    pairs = {(row.indicator_id, row.period.start) for _, row, _, _ in candidates}
    with aggregates.locked_rollups(pairs) as touched:
        state = load_state(candidates, lookups.chain_of)
        if use_copy():
            # Stream each checked row to PostgreSQL while checking the next: the server takes in
            # the COPY on the other core meanwhile.
            with copy_to_temporary_table() as emit:
                rows = check_rows(candidates, state, lookups.chain_of, errors, today, emit)
            refuse_clearing_submitted(rows, state, lookups, errors)
            if errors:
                raise BulkRefused(errors)  # leaving the block rolls back, lock rows and all
            result = write_copied(person, rows, source, import_job_id)  # roll-ups included: nothing left to recompute
            mark_late_deliveries(state.late_deliveries)
            data_revision.figures_changed(lookups.chain_of.values(), lookups.chain_of)  # the dashboards show it at once
            return result
        rows = check_rows(candidates, state, lookups.chain_of, errors, today)
        refuse_clearing_submitted(rows, state, lookups, errors)
        if errors:
            raise BulkRefused(errors)
        result, written = write_with_orm(person, rows, source, import_job_id)
        mark_late_deliveries(state.late_deliveries)
        touched.update(written)
        data_revision.figures_changed(lookups.chain_of.values(), lookups.chain_of)
    return result
