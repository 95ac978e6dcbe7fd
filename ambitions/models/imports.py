"""Importing figures from a CSV or XLSX file: the upload, its preview and its write, as one row.

An ``ImportJob`` holds the uploaded file itself (so a Celery worker can check and write it, and a
person who closes the browser finds it again), what the check found (the preview: every row as
new / changed / unchanged / error, every error with its row, column and reason) and where it is:

    checking → checked (the preview) → confirmed → done
             ↘ refused (the file itself cannot be read)
    checked → stale (something changed since the preview; nothing was written)
    checking, checked, confirmed → cancelled (before anything is written)

The write runs in one transaction that also moves the job from *confirmed* to *done*, so a worker
killed halfway leaves the job *confirmed* and nothing written; the redelivered task writes it
(ambitions/services/imports/run.py). The audit trail records each job (file name, SHA-256, who,
counts); every figure it writes gets a history row with source *import* naming the job.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain, Organisation, Person


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked: waiting for your confirmation")
    REFUSED = "refused", _("Refused")
    CONFIRMED = "confirmed", _("Being written")
    DONE = "done", _("Written")
    STALE = "stale", _("Not written: figures changed since the preview")
    CANCELLED = "cancelled", _("Cancelled")


# Where a job may still be cancelled: nothing of it has been written.
CANCELLABLE = (ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.CONFIRMED)
# Where the page polls for progress.
RUNNING = (ImportStatus.CHECKING, ImportStatus.CONFIRMED)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def without_file(self) -> ImportJobQuerySet:
        """Without the file and the preview's rows: what a list or a progress poll needs."""
        return self.defer("content", "preview")


class ImportJobManager(models.Manager.from_queryset(ImportJobQuerySet)):
    """Loads a job without its file and preview (megabytes for a large file) unless they are read:
    every save of a job makes the audit trail load the stored row to compare it with."""

    def get_queryset(self) -> ImportJobQuerySet:
        return super().get_queryset().without_file()


class ImportJob(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus, default=ImportStatus.CHECKING)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    content = models.BinaryField()
    # The uploader's language: the check and its messages run in it, also in a worker.
    language = models.CharField(max_length=10, default="nl")
    # Progress of the check (rows read of the rows in the file, as far as known).
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # What the check found: counts, notes about the file, every error, and the rows to show.
    new = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    message = models.TextField(_("message"), blank=True)  # why the file was refused or went stale
    notes = models.JSONField(default=list)  # e.g. which sheet was read, which columns were ignored
    errors = models.JSONField(default=list)  # [[row, column, reason], …], every one
    # The preview: per row of the file [row, status, unit, indicator, period, old, new] and, for the
    # rows that would be written, the figure revision the check saw (0: none), which the write
    # holds the database to (an optimistic check: anything changed since means nothing is written).
    preview = models.JSONField(default=list)

    objects = ImportJobManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["chain", "organisation", "-created_at"], name="import_job_recent")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"

    def get_absolute_url(self) -> str:
        return reverse("ambitions:import_detail", args=[self.chain.slug, self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def is_cancellable(self) -> bool:
        return self.status in CANCELLABLE

    @property
    def percent(self) -> int:
        if self.status != ImportStatus.CHECKING or not self.rows_total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)
