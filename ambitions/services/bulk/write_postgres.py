"""Writing the checked rows on PostgreSQL: COPY into a temporary table, then one set-based
statement that upserts the figures, writes their history and adds their difference to the roll-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from ambitions.models import (
    ChainAggregate,
    Figure,
    FigureChange,
    OrganisationAggregate,
)
from ambitions.services import aggregates
from stakeholders.models import Person

from .check import BulkRefused, BulkResult, Row, conflict

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
           follow_up, %(source)s, %(person)s, %(now)s, 1, {counted} AND late_if_first
    FROM kp_bulk_figure WHERE figure_id IS NULL
    RETURNING id, indicator_id, period, organisation_id, revision, value, numerator, denominator, comment,
              follow_up, is_late, TRUE AS created,
              NULL::numeric, NULL::numeric, NULL::numeric, FALSE, FALSE
), written AS (
    SELECT *, {counted} AS counted FROM (SELECT * FROM updated UNION ALL SELECT * FROM created) AS w
), changes AS (
    INSERT INTO {change} (figure_id, revision, value, numerator, denominator, comment, follow_up, source,
                          changed_by_id, changed_at, import_job_id)
    SELECT id, revision, value, numerator, denominator, comment, follow_up, %(source)s, %(person)s, %(now)s,
           %(import_job)s
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


_WRITE_PLAN = ("enable_mergejoin", "enable_hashjoin", "jit")


@contextmanager
def copy_to_temporary_table() -> Iterator[Callable[[Row], None]]:
    """A fresh temporary table and a COPY into it; yields the function that sends one row."""
    with connection.cursor() as cursor:
        # A second bulk upsert in the same transaction finds the first one's table still there.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.kp_bulk_figure")
        cursor.execute(_TEMP_TABLE)
        with cursor.cursor.copy(f"COPY kp_bulk_figure ({', '.join(Row._fields)}) FROM STDIN") as copy:
            yield copy.write_row


def write_copied(person: Person, rows: list[Row], source: str, import_job_id: int | None = None) -> BulkResult:
    """Write the rows COPY put in the temporary table, with their roll-ups: the same rows, rules and
    sums as write_with_orm followed by aggregates.recompute."""
    tables = {
        "figure": Figure._meta.db_table,
        "change": FigureChange._meta.db_table,
        "organisation_rollup": OrganisationAggregate._meta.db_table,
        "chain_rollup": ChainAggregate._meta.db_table,
        "counted": aggregates.counted_sql(),
        "counted_stored": aggregates.counted_sql("f"),
    }
    params = {"source": source, "person": person.pk, "now": timezone.now(), "import_job": import_job_id}
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
            conflicts = {index: conflict(given, current) for index, given, current in cursor.fetchall()}
            if conflicts:
                raise BulkRefused(conflicts, conflicts=True)
        # Every join of the write through the indexes (nested loops): the planner otherwise walks
        # the figures' primary key from its first row in a merge join, and hashes every stored
        # organisation roll-up, to match 100,000 rows: seconds at ten million figures, where the
        # index lookups take a few hundred milliseconds (docs/benchmarks-10m.md). No JIT either:
        # compiling costs ~0.1 s and the statement reads each row once.
        for setting in _WRITE_PLAN:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(_WRITE.format(**tables), params)
        created, updated = cursor.fetchone()
        for setting in _WRITE_PLAN:
            cursor.execute(f"SET LOCAL {setting} TO DEFAULT")
        cursor.execute("DROP TABLE kp_bulk_figure")
    return BulkResult(created=created, updated=updated, unchanged=len(rows) - created - updated)
