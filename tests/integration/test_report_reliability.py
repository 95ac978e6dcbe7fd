"""Drafting progress reports exactly once, with real Celery workers and beat on Redis.

Every test starts real processes (``celery -A ketenportaal worker`` / ``beat``) against the test
database and a Redis database of its own (so that other test runs' workers never take these
tasks). The tests use ``transactional_db``: the workers must see the committed rows.

The workers run on tests/integration/settings.py, the portal's settings plus two test-only
switches: ``REPORT_DRAFT_TEST_DELAY`` makes each draft pause after its INSERT and before its COMMIT,
so a test can kill a worker in the middle of drafting; a lower ``CELERY_VISIBILITY_TIMEOUT`` (swept
every second) lets a task whose whole worker died be redelivered within the test.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from ambitions.models import ProgressReport, ReportCommentary
from tests.conftest import build_world
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.measures import build_measures
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 13  # this file's own broker database


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    with celery_cluster(
        tmp_path,
        REDIS_DB,
        drop=("REPORT_",),
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        PYTHONPATH=str(ROOT),  # for the settings module under tests/
    ) as started:
        yield started


@pytest.fixture
def chain_period(transactional_db):
    w = build_world()
    m = build_measures(w)
    return w.chain, m.period


def report_count(chain) -> int:
    return ProgressReport.objects.filter(chain=chain).count()


def open_transactions() -> int:
    """Other connections to the test database inside a transaction that has not ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        )
        return cursor.fetchone()[0]


def pausing(cluster: Cluster, name: str = "worker", times: int = 1):
    """The worker logged that it inserted the report and pauses before committing it."""
    return lambda: cluster.logs[name].read_text(errors="replace").count("pausing") >= times


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_the_same_task_enqueued_twice_at_once_drafts_one_report(cluster, chain_period):
    chain, period = chain_period
    cluster.worker(concurrency=2, REPORT_DRAFT_TEST_DELAY="2")

    for _ in range(2):
        cluster.send("ambitions.tasks.draft_chain_report", chain.pk, period.slug)

    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count("succeeded in") >= 2, "both tasks to finish")
    assert report_count(chain) == 1
    text = log.read_text()
    assert text.count("drafted") == 1 and text.count("already there") == 1, cluster.output()


def test_a_pool_child_killed_mid_draft_leaves_no_partial_rows_and_the_redelivery_drafts_once(cluster, chain_period):
    chain, period = chain_period
    worker = cluster.worker(concurrency=1, REPORT_DRAFT_TEST_DELAY="4")

    cluster.send("ambitions.tasks.draft_chain_report", chain.pk, period.slug)
    cluster.wait_for(pausing(cluster), "the draft's uncommitted INSERT")
    assert open_transactions() == 1
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    # The killed run's INSERT died with its connection: nothing committed, nothing half-written.
    cluster.wait_for(lambda: "WorkerLostError" in cluster.logs["worker"].read_text(), "the worker to notice")
    assert report_count(chain) == 0
    # Rejected on the lost worker and requeued: the task runs again, to the end.
    cluster.wait_for(lambda: "drafted" in cluster.logs["worker"].read_text(), "the redelivered task")
    cluster.wait_for(lambda: report_count(chain) == 1, "the report")
    time.sleep(1)
    assert report_count(chain) == 1
    assert ReportCommentary.objects.count() == 0


def test_the_main_worker_killed_and_a_new_one_started_still_drafts_exactly_one(cluster, chain_period):
    chain, period = chain_period
    quick = {"REPORT_DRAFT_TEST_DELAY": "4", "CELERY_VISIBILITY_TIMEOUT": "8"}
    first = cluster.worker("first", **quick)

    cluster.send("ambitions.tasks.draft_chain_report", chain.pk, period.slug)
    cluster.wait_for(pausing(cluster, "first"), "the draft's uncommitted INSERT")
    assert open_transactions() == 1
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as when its machine dies
    first.wait(timeout=10)
    cluster.wait_for(lambda: open_transactions() == 0, "PostgreSQL to drop the dead connection")
    assert report_count(chain) == 0

    # The message was never acknowledged: after the visibility timeout the new worker gets it.
    cluster.worker("second", **quick)
    cluster.wait_for(lambda: report_count(chain) == 1 and open_transactions() == 0, "the redelivered task")
    time.sleep(1)
    assert report_count(chain) == 1


def test_two_beat_processes_draft_one_report_per_period(cluster, chain_period):
    chain, period = chain_period
    ProgressReport.objects.all().delete()
    type(chain).objects.update(report_working_day=1)  # every chain's last period is due today
    fast = {"REPORT_DRAFT_INTERVAL_SECONDS": "1", "REPORT_DRAFT_TEST_DELAY": "1"}
    cluster.worker(concurrency=2, **fast)
    for name in ("beat-1", "beat-2"):
        cluster.start(name, "beat", "--schedule", str(cluster.tmp / f"{name}-schedule"), **fast)

    log = cluster.logs["worker"]
    cluster.wait_for(
        lambda: log.read_text().count("ambitions.tasks.draft_due_reports") >= 12, "a dozen runs from both beats"
    )
    rows = list(ProgressReport.objects.values_list("chain_id", "frequency", "period", "revision"))
    assert len(rows) == len(set(rows)) == 2, rows  # one per chain, for the period just ended
    assert {r[3] for r in rows} == {1}
