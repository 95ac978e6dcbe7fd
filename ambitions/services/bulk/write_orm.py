"""Writing the checked rows through the ORM (SQLite, and the tests' other leg): the same rows
and rules as write_postgres, followed by aggregates.recompute."""

from __future__ import annotations

from datetime import date

from ambitions.models import (
    Figure,
    FigureChange,
)
from ambitions.models.figures import holds_data
from ambitions.services.entry import (
    lateness,
    same_content,
)
from stakeholders.models import Person

from .check import BulkRefused, BulkResult, Row, conflict, stored_figures

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


def write_with_orm(
    person: Person, rows: list[Row], source: str, import_job_id: int | None = None
) -> tuple[BulkResult, set[tuple[int, date, int]]]:
    stored = stored_figures([row.key for row in rows])
    _refuse_conflicts(rows, stored)
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
            holds_data(row.value, row.numerator, row.denominator),
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
        stored = stored_figures((f.indicator_id, f.unit_id, f.period) for f in figures)
        for f in figures:
            f.pk = stored[(f.indicator_id, f.unit_id, f.period)].pk
    FigureChange.objects.bulk_create(
        [FigureChange.of(f, source, person, import_job_id) for f in figures],
        batch_size=1000,
    )
    return result, {(f.indicator_id, f.period, f.organisation_id) for f in figures}


def _refuse_conflicts(rows: list[Row], stored: dict) -> None:
    """A row naming a revision that is not the stored one (0: no figure yet) refuses the request."""
    conflicts = {}
    for row in rows:
        current = stored.get(row.key)
        revision = current.revision if current is not None else 0
        if row.given_revision is not None and row.given_revision != revision:
            conflicts[row.row_index] = conflict(row.given_revision, revision)
    if conflicts:
        raise BulkRefused(conflicts, conflicts=True)
