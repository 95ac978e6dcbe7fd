"""An import keeps its file while it may still be confirmed; after IMPORT_KEEP_DAYS a preview nobody
confirmed is cancelled and finished imports give up their file and preview, keeping their record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambitions import tasks
from ambitions.models import ImportJob, ImportStatus


@pytest.fixture
def job_of(world, settings):
    settings.IMPORT_KEEP_DAYS = 30

    def make(status: str, age_days: int, finished: bool = True) -> ImportJob:
        job = ImportJob.objects.create(
            chain=world.chain,
            organisation=world.org_a,
            created_by=world.contributor_a,
            status=status,
            file_name="cijfers.csv",
            sha256="a" * 64,
            size=4,
            content=b"data",
            preview=[[2, "new"]],
        )
        moment = timezone.now() - timedelta(days=age_days)
        ImportJob.objects.filter(pk=job.pk).update(created_at=moment, finished_at=moment if finished else None)
        return job

    return make


def test_it_cancels_old_unconfirmed_previews_and_clears_old_files(job_of):
    waiting = job_of(ImportStatus.CHECKED, 31, finished=False)
    stale = job_of(ImportStatus.STALE, 40)
    done = job_of(ImportStatus.DONE, 31)
    recent = job_of(ImportStatus.DONE, 5)
    recent_waiting = job_of(ImportStatus.CHECKED, 5, finished=False)
    running = job_of(ImportStatus.CONFIRMED, 31, finished=False)

    assert tasks.purge_old_imports() == {"cancelled": 2, "cleared": 1}

    for job in (waiting, stale, done):
        job = ImportJob.objects.get(pk=job.pk)
        assert (bytes(job.content), job.preview) == (b"", [])
        assert (job.file_name, job.sha256) == ("cijfers.csv", "a" * 64)  # the record stays
    assert ImportJob.objects.get(pk=waiting.pk).status == ImportStatus.CANCELLED
    assert "30" in ImportJob.objects.get(pk=stale.pk).message
    for job in (recent, recent_waiting, running):
        job = ImportJob.objects.get(pk=job.pk)
        assert bytes(job.content) == b"data"
    assert ImportJob.objects.get(pk=running.pk).status == ImportStatus.CONFIRMED
    assert ImportJob.objects.get(pk=recent_waiting.pk).status == ImportStatus.CHECKED
    assert tasks.purge_old_imports() == {"cancelled": 0, "cleared": 0}
