"""Checking an uploaded file (the preview) and writing it (the confirmation), for an ImportJob.

``check(job)`` reads the file, resolves its rows and runs every rule of the bulk upsert on them
without writing (``bulk.check_only``), then stores the preview: each row new / changed (old → new)
/ unchanged / error, every error with its row, column and reason, and for the rows it would write
each row as checked with the revision its figure had. ``write(job_id)`` hands those rows to the bulk
upsert (``bulk.upsert_rows``, which checks every rule again under its locks) with those revisions,
so the file is read once: one transaction writes every figure, its
history row (source *import*, naming the job with its file name and SHA-256) and the roll-ups, or,
when any figure changed since the preview or a rule now refuses a row, nothing — the job becomes
*stale* and says why. The job's row is locked for the write and moves to *done* in the same
transaction, so a killed worker leaves it *confirmed* with nothing written, and the redelivered
task (or a second one at the same time, which waits for the lock) writes it once.

Two imports for the same organisation and period never interleave: each write takes the roll-up
locks of its indicators and periods and the period submissions' row locks (as every save does), so
the second waits, then finds the figures changed under its preview and is refused with a message.
A grid edit of a cell an import wrote conflicts the same way (the grid's revision check).
"""

from __future__ import annotations

import hashlib
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambitions.models import FigureSource, ImportJob, ImportStatus, Indicator
from ambitions.services import bulk
from ambitions.services.entry import CellInput, same_content
from ambitions.services.numbers import for_input
from stakeholders.notify import notify

from .files import FileRefused, read_table
from .rows import Lookup, ReadFile, read_rows, to_bulk_rows

logger = logging.getLogger(__name__)

# Files up to this size are checked (and written) while the person waits; larger ones by a task.
INLINE_MAX_BYTES = 256 * 1024
NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def start(chain, organisation, person, file_name: str, data: bytes) -> ImportJob:
    """A new job for an uploaded file, to be checked (by ``check``, inline or by the task)."""
    return ImportJob.objects.create(
        language=translation.get_language() or settings.LANGUAGE_CODE,
        chain=chain,
        organisation=organisation,
        created_by=person,
        file_name=_file_name(file_name),
        sha256=sha256_of(data),
        size=len(data),
        content=data,
    )


def _file_name(name: str) -> str:
    """The name as the browser sent it, without control characters (PostgreSQL stores no NUL)."""
    return "".join(character for character in name if character.isprintable()).strip()[:255] or "bestand"


def _read(job: ImportJob, progress=None) -> ReadFile:
    table = read_table(bytes(job.content))
    if progress is not None and table.estimated_rows:
        ImportJob.objects.filter(pk=job.pk).update(rows_total=table.estimated_rows)
    indicators = list(Indicator.objects.filter(ambition__chain_id=job.chain_id).select_related("ambition"))
    return read_rows(table, Lookup(job.organisation, indicators), progress)


def _text(number) -> str | None:
    return None if number is None else str(number)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _rows_to_write(job: ImportJob) -> list[tuple[int, bulk.RowInput]]:
    """The rows the preview would write, as the bulk upsert's rows, each held to the revision its
    figure had at the preview. (From the preview rather than the file: the file was read once.)"""
    rows = []
    for entry in job.preview:
        if entry[7] is None:
            continue
        number, _status, _unit, _indicator, period, _old, _new, revision, indicator_id, unit_id = entry[:10]
        value, numerator, denominator, comment, follow_up = entry[10:]
        cell = CellInput(_number(value), _number(numerator), _number(denominator), comment, follow_up, revision)
        rows.append((number, bulk.RowInput(indicator_id, unit_id, bulk.parse_period(period), cell)))
    return rows


def _shown(value, numerator, denominator) -> str:
    if value is None and numerator is None and denominator is None:
        return ""
    if numerator is not None or denominator is not None:
        return f"{for_input(numerator)} / {for_input(denominator)}"
    return for_input(value)


def check(job: ImportJob) -> None:
    """Read and check the job's file and store its preview (or why the file is refused), in the
    uploader's language."""
    with translation.override(job.language), bulk.without_cyclic_gc():
        _check(job)


def _check(job: ImportJob) -> None:

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=rows)

    try:
        found = _read(job, progress)
        if not found.rows and not found.errors:
            raise FileRefused(_("The file has column names but no rows of figures."))
    except FileRefused as refused:
        _finish_check(job, status=ImportStatus.REFUSED, message=refused.message)
        return
    errors: dict[int, bulk.Errors] = dict(found.errors)
    rows, stored = bulk.check_only(job.created_by, to_bulk_rows(found), errors)
    checked = {row.row_index: row for row in rows}
    preview, counts = [], {NEW: 0, CHANGED: 0, UNCHANGED: 0}
    numbers = sorted({r.number for r in found.rows} | set(found.errors))
    by_number = {r.number: r for r in found.rows}
    for number in numbers:
        source = by_number.get(number)
        unit = found.units.get(source.unit_id).name if source else ""
        indicator = found.indicators.get(source.indicator_id).name if source else ""
        period = source.period.start.isoformat() if source else ""
        row = checked.get(number)
        if number in errors or row is None:
            preview.append([number, ERROR, unit, indicator, period, "", "", None])
            continue
        current = stored.get(row.key)
        new = _shown(row.value, row.numerator, row.denominator)
        if current is None:
            has_data = row.value is not None
            status, revision = (NEW, 0) if has_data or row.comment else (UNCHANGED, None)
            old = ""
        else:
            status = UNCHANGED if same_content(current, row) else CHANGED
            revision, old = current.revision, _shown(current.value, current.numerator, current.denominator)
        if status != UNCHANGED and current is not None and old == new:
            new = _("(comment or follow-up)")
        counts[status] += 1
        entry = [number, status, unit, indicator, period, old, new, revision]
        if revision is not None:  # what the write hands to the bulk upsert: the row as checked
            # A ratio's value is computed from its parts: the parts are what a row gives.
            value = row.value if row.numerator is None and row.denominator is None else None
            entry += [row.indicator_id, row.unit_id, *map(_text, (value, row.numerator, row.denominator))]
            entry += [row.comment, row.follow_up]
        preview.append(entry)
    error_list = [
        [number, found.column(name), message] for number in sorted(errors) for name, message in errors[number].items()
    ]
    _finish_check(
        job,
        status=ImportStatus.CHECKED,
        notes=found.notes,
        errors=error_list,
        preview=preview,
        new=counts[NEW],
        changed=counts[CHANGED],
        unchanged=counts[UNCHANGED],
        error_count=len(error_list),
    )


def _finish_check(job: ImportJob, **fields) -> None:
    """Store what the check found, unless the job was cancelled meanwhile."""
    done = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKING).update(**fields)
    if done and fields["status"] == ImportStatus.CHECKED and job.size > INLINE_MAX_BYTES:
        _tell(job, _("The check of %(file)s is done: see what it will change.") % {"file": job.file_name}, "checked")
    for name, value in fields.items():
        setattr(job, name, value)


def recheck(job: ImportJob) -> bool:
    """Check a stale job's file again, against the figures as they are now."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.STALE).update(
            status=ImportStatus.CHECKING, rows_done=0, message=""
        )
    )


def confirm(job: ImportJob) -> bool:
    """Mark a checked job without errors for writing; False when it is no longer in that state."""
    if job.error_count:
        return False
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED, error_count=0).update(
            status=ImportStatus.CONFIRMED
        )
    )


def cancel(job: ImportJob) -> bool:
    """Cancel a job before anything of it is written; False when that is too late (or done)."""
    with transaction.atomic():
        # skip_locked: a job whose write holds its row is being written, and can no longer be cancelled.
        claimed = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()
        if claimed is None or claimed.status not in (
            ImportStatus.CHECKING,
            ImportStatus.CHECKED,
            ImportStatus.CONFIRMED,
        ):
            return False
        claimed.status = ImportStatus.CANCELLED
        claimed.finished_at = timezone.now()
        claimed.save(update_fields=["status", "finished_at"])
        return True


def _test_pause() -> None:
    delay = getattr(settings, "IMPORT_WRITE_TEST_DELAY", 0)
    if delay > 0:
        logger.warning("IMPORT_WRITE_TEST_DELAY: figures written, pausing %s s before the commit", delay)
        time.sleep(delay)


def write(job_id: int) -> ImportJob | None:
    """Write a confirmed job's rows, all or nothing (see the module's docstring); returns the job."""
    language = ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE), bulk.without_cyclic_gc(), transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).select_related("chain", "organisation").first()
        if job is None or job.status != ImportStatus.CONFIRMED:
            return job  # gone, cancelled, or written by another run of this task
        try:
            read = _rows_to_write(job)
            with transaction.atomic():  # a refusal rolls back the figures, not the job's new state
                result = bulk.upsert_rows(
                    job.created_by, read, {}, source=FigureSource.IMPORT, label=int, import_job_id=job.pk
                )
                _test_pause()
        except bulk.BulkRefused as refused:
            job.status, job.message = ImportStatus.STALE, _stale_message(refused)
        else:
            job.status, job.message = ImportStatus.DONE, ""
            job.new, job.changed = result.created, result.updated
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "new", "changed", "finished_at"])
        if job.status == ImportStatus.DONE:
            text = _("%(file)s is imported: %(new)s new and %(changed)s changed figures.") % {
                "file": job.file_name,
                "new": job.new,
                "changed": job.changed,
            }
        else:
            text = _("%(file)s was not imported: figures changed since the preview.") % {"file": job.file_name}
        transaction.on_commit(lambda: _tell(job, text, job.status))
    return job


def _stale_message(refused: bulk.BulkRefused) -> str:
    if not refused.errors:
        return refused.detail
    rows = ", ".join(str(number) for number in list(refused.errors)[:20])
    return ngettext(
        "Nothing was written: row %(rows)s changed since the preview (someone saved its figure, or the period "
        "was approved or closed meanwhile). Check the file again to see the figures as they are now.",
        "Nothing was written: rows %(rows)s changed since the preview (someone saved their figures, or the period "
        "was approved or closed meanwhile). Check the file again to see the figures as they are now.",
        len(refused.errors),
    ) % {"rows": rows}


def _tell(job: ImportJob, text: str, step: str) -> None:
    if job.created_by is not None:
        notify([job.created_by], job.chain, text, job.get_absolute_url(), key=f"import-{job.pk}-{step}")
