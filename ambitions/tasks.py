"""Scheduled work of the ambitions app: drafting progress reports (Celery beat ``draft-due-reports``).

Both tasks are idempotent (see ambitions/services/reports.py): running them twice, at once, or
again after a worker died mid-run leaves exactly one report per chain and period. With late
acknowledgement and rejection on a lost worker (settings.py), a task whose worker died is
delivered again.

``REPORT_DRAFT_TEST_DELAY`` (seconds): a setting of the reliability tests' workers only
(tests/integration/settings.py; the portal's settings do not have it): drafting pauses this long
after inserting the report and before committing, so a test can kill the worker mid-draft.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

from ambitions.periods import Period
from ambitions.services import reports
from stakeholders.models import Chain

logger = logging.getLogger(__name__)


def _test_pause():
    delay = getattr(settings, "REPORT_DRAFT_TEST_DELAY", 0)
    if delay <= 0:
        return None

    def pause() -> None:
        logger.warning("REPORT_DRAFT_TEST_DELAY: report inserted, pausing %s s before the commit", delay)
        time.sleep(delay)

    return pause


@shared_task
def draft_due_reports() -> int:
    """Draft the report of every chain whose reporting calendar says it is due and that lacks one."""
    today = reports.chain_today()
    drafted = 0
    # Chains that measure nothing yet get no (empty) report.
    for chain in Chain.objects.filter(ambitions__indicators__isnull=False).distinct():
        period = reports.due_period(chain, today)
        if period is None:
            continue
        _report, created = reports.draft_report(chain, period, pause=_test_pause())
        drafted += created
    logger.info("draft_due_reports: %d report(s) drafted", drafted)
    return drafted


@shared_task
def draft_chain_report(chain_id: int, period_slug: str) -> int | None:
    """Draft one chain's report for one period (revision 1) unless it exists; returns its id.
    (The slug names the frequency too: 2026-03, 2026-K1, 2026.)"""
    chain = Chain.objects.filter(pk=chain_id).first()
    if chain is None:
        return None
    report, created = reports.draft_report(chain, Period.from_slug(period_slug), pause=_test_pause())
    logger.info("draft_chain_report: report %d %s", report.pk, "drafted" if created else "already there")
    return report.pk


@shared_task
def check_import(job_id: int) -> None:
    """Check an uploaded file and store its preview (ambitions/services/imports/run.py). Run again
    after a worker died, it checks again: the check writes nothing but the job's preview."""
    from ambitions.models import ImportJob, ImportStatus
    from ambitions.services.imports import run

    job = (
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.CHECKING)
        .select_related("chain", "organisation", "created_by")
        .first()
    )
    if job is not None:
        run.check(job)


@shared_task
def write_import(job_id: int) -> str | None:
    """Write a confirmed import, all or nothing; a redelivered or duplicate task writes it once."""
    from ambitions.services.imports import run

    job = run.write(job_id)
    return job.status if job is not None else None


@shared_task
def purge_old_imports() -> dict[str, int]:
    """Cancel previews nobody confirmed and clear old imports' files (services/imports/retention.py)."""
    from ambitions.services.imports import retention

    counts = retention.purge_old()
    logger.info("purge_old_imports: %(cancelled)d cancelled, %(cleared)d files cleared", counts)
    return counts
