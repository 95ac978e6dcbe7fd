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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import FigureSource
from ambitions.services import aggregates
from stakeholders.models import Person

from .check import (
    BulkRefused,
    BulkResult,
    check_rows,
    first_pass,
    load_state,
    mark_late_deliveries,
    refuse_clearing_submitted,
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
    "Key",
    "PeriodRef",
    "RowInput",
    "check_kind",
    "parse_period",
    "read_row",
    "resolve_period",
    "upsert_figures",
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
    with without_cyclic_gc():
        return _upsert_figures(person, raw_rows, source, today)


def _upsert_figures(person: Person, raw_rows: list, source: str, today: date | None) -> BulkResult:
    if len(raw_rows) > MAX_ROWS:
        raise BulkRefused({}, detail=_("Send at most %(max)s rows per request.") % {"max": MAX_ROWS})
    today = today or timezone.localdate()
    errors: dict[int, Errors] = {}

    lookups, candidates = first_pass(person, raw_rows, errors)

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
            result = write_copied(person, rows, source)  # roll-ups included: nothing left to recompute
            mark_late_deliveries(state.late_deliveries)
            return result
        rows = check_rows(candidates, state, lookups.chain_of, errors, today)
        refuse_clearing_submitted(rows, state, lookups, errors)
        if errors:
            raise BulkRefused(errors)
        result, written = write_with_orm(person, rows, source)
        mark_late_deliveries(state.late_deliveries)
        touched.update(written)
    return result
