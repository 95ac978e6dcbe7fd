"""Importing figures from a file with real Celery workers on Redis (issue 12, "Reliability").

- A worker killed while its import's figures are written but not committed leaves nothing: the
  figures, their history and the roll-ups died with its transaction, the job is still *confirmed*,
  and the redelivered task writes it once.
- Two imports for the same organisation and period confirmed at once never interleave: the
  second waits for the first's locks, then finds the figures changed under its preview and
  writes nothing (*stale*, with the rows named).

The workers run on tests/integration/settings.py (``IMPORT_WRITE_TEST_DELAY`` pauses each write
before its commit).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from ambitions.models import ChainAggregate, Figure, FigureChange, ImportJob, ImportStatus
from ambitions.periods import Period
from ambitions.services.imports import run
from tests.conftest import build_world
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.measures import build_measures
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 7  # this file's own broker database
MARCH = Period.from_slug("2025-03")


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    with celery_cluster(
        tmp_path, REDIS_DB, drop=("IMPORT_",), DJANGO_SETTINGS_MODULE="tests.integration.settings", PYTHONPATH=str(ROOT)
    ) as started:
        yield started


@pytest.fixture
def measures(transactional_db):
    return build_measures(build_world())


def confirmed_job(m, count: int, share: tuple[int, int]) -> ImportJob:
    data = (
        "Onderdeel;Indicator;Periode;Waarde;Teller;Noemer\r\n"
        f"Eenheid Amsterdam;Zaken in voorraad;2025-03;{count};;\r\n"
        f"Eenheid Amsterdam;Binnen 24 uur afgedaan;2025-03;;{share[0]};{share[1]}\r\n"
    ).encode()
    job = run.start(m.world.chain, m.world.org_a, m.world.contributor_a, "maart.csv", data)
    run.check(job)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and not job.errors, job.errors
    assert run.confirm(job)
    return job


def status(job: ImportJob) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_a_worker_killed_during_the_write_writes_nothing_and_the_redelivery_writes_once(cluster, measures):
    m = measures
    job = confirmed_job(m, 12, (3, 4))
    worker = cluster.worker(concurrency=1, IMPORT_WRITE_TEST_DELAY="4")
    cluster.send("ambitions.tasks.write_import", job.pk)
    log = cluster.logs["worker"]
    cluster.wait_for(lambda: "pausing" in log.read_text(errors="replace"), "the import's uncommitted write")
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    cluster.wait_for(lambda: "WorkerLostError" in log.read_text(errors="replace"), "the worker to notice")
    assert not Figure.objects.exists() and not FigureChange.objects.exists()
    assert not ChainAggregate.objects.filter(reported__gt=0).exists()
    assert status(job) == ImportStatus.CONFIRMED, "still waiting to be written: it can be retried"

    cluster.wait_for(lambda: status(job) == ImportStatus.DONE, "the redelivered task")
    assert Figure.objects.count() == 2 and FigureChange.objects.count() == 2
    assert ChainAggregate.objects.get(indicator=m.count, period=MARCH.start).value_sum == 12


def test_two_imports_for_the_same_organisation_and_period_never_interleave(cluster, measures):
    m = measures
    first, second = confirmed_job(m, 12, (3, 4)), confirmed_job(m, 20, (5, 8))
    cluster.worker(concurrency=2, IMPORT_WRITE_TEST_DELAY="2")
    cluster.send("ambitions.tasks.write_import", first.pk)
    cluster.send("ambitions.tasks.write_import", second.pk)
    finished = (ImportStatus.DONE, ImportStatus.STALE)
    cluster.wait_for(lambda: status(first) in finished and status(second) in finished, "both imports")

    jobs = {status(job): job for job in (first, second)}
    assert set(jobs) == {ImportStatus.DONE, ImportStatus.STALE}, "one wrote, the other was refused"
    stale = ImportJob.objects.get(pk=jobs[ImportStatus.STALE].pk)
    assert "rijen 2, 3" in stale.message, stale.message  # in the uploader's language, Dutch here
    written = 12 if jobs[ImportStatus.DONE] == first else 20
    assert Figure.objects.get(indicator=m.count).value == written
    assert FigureChange.objects.count() == 2, "only the written import's history"
    assert ChainAggregate.objects.get(indicator=m.count, period=MARCH.start).value_sum == written
