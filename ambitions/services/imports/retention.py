"""How long an import keeps its file (ambitions/tasks.py ``purge_old_imports``, daily).

An uploaded file and its preview are only needed while someone may still confirm, check again or
cancel. After ``IMPORT_KEEP_DAYS`` (30 by default) a preview nobody confirmed is cancelled, and
every finished job gives up its file and preview. The job itself stays, with its file name,
SHA-256, counts and errors: the audit trail and the history rows of what it wrote point to it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambitions.models import ImportJob, ImportStatus

# Waiting for the person who uploaded it (confirm, or check again after figures changed).
WAITING = (ImportStatus.CHECKED, ImportStatus.STALE)
FINISHED = (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.CANCELLED)
UNCONFIRMED = _("Cancelled: not confirmed within %(days)d days; upload the file again to import it.")


def purge_old(now: datetime | None = None) -> dict[str, int]:
    """Cancel old waiting jobs and clear old finished jobs' files; safe to run twice at once (each
    change is one conditional UPDATE: a job confirmed meanwhile no longer matches)."""
    now = now or timezone.now()
    days = settings.IMPORT_KEEP_DAYS
    cutoff = now - timedelta(days=days)
    cancelled = ImportJob.objects.filter(status__in=WAITING, created_at__lt=cutoff).update(
        status=ImportStatus.CANCELLED,
        finished_at=now,
        message=str(UNCONFIRMED % {"days": days}),
        content=b"",
        preview=[],
    )
    old = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    cleared = (
        ImportJob.objects.filter(old, status__in=FINISHED)
        .exclude(content=b"", preview=[])
        .update(content=b"", preview=[])
    )
    return {"cancelled": cancelled, "cleared": cleared}
