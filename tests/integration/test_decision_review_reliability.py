"""A decision's review date comes back to the body's chair and secretary exactly once, with real
Celery workers and beats on Redis: a worker killed halfway through a run, and two beats at once.

The workers run on tests/integration/settings.py: ``DECISION_REVIEW_TEST_DELAY`` makes the run
pause after each decision's notifications, so that a test can kill the worker in the middle; the
notification's unique key (person, key) is what keeps every person to one reminder per decision
and review date. The tests use ``transactional_db``: the workers must see the rows.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Decision, DecisionStatus
from governance.services.decisions import review_key
from stakeholders.models import Notification
from tests.conftest import build_world
from tests.governance.decision_fixtures import build_board, propose
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.integration.test_report_reliability import children
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 15  # this file's own broker database
TASK = "governance.tasks.send_decision_review_reminders"
REVIEWERS = {"chair@example.nl", "secretary@example.nl"}


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    with celery_cluster(
        tmp_path,
        REDIS_DB,
        drop=("DECISION_REVIEW_",),
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        PYTHONPATH=str(ROOT),  # for the settings module under tests/
    ) as started:
        yield started


@pytest.fixture
def due(transactional_db) -> list[Decision]:
    """Three adopted decisions whose review date is today, in a body with a chair and a secretary."""
    board = build_board(build_world())
    decisions = []
    for number in range(3):
        decision = propose(board, title=f"Besluit {number}")
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.ADOPTED,
            outcome_statement="Aangenomen",
            decided_on=timezone.localdate() - timedelta(days=365),
            review_on=timezone.localdate(),
        )
        decision.refresh_from_db()
        decisions.append(decision)
    return decisions


def reminders(decisions: list[Decision]) -> Counter:
    """How many reminders each (person, decision) has."""
    keys = {review_key(decision): decision.pk for decision in decisions}
    return Counter(
        (email, keys[key])
        for email, key in Notification.objects.filter(key__in=keys).values_list("person__email", "key")
    )


def everyone_once(decisions: list[Decision]) -> Counter:
    return Counter({(email, decision.pk): 1 for decision in decisions for email in REVIEWERS})


def pausing(cluster: Cluster, name: str = "worker", times: int = 1):
    return lambda: cluster.logs[name].read_text(errors="replace").count("pausing") >= times


def test_a_worker_killed_mid_run_reminds_nobody_twice_and_the_redelivery_the_rest(cluster, due):
    worker = cluster.worker(concurrency=1, DECISION_REVIEW_TEST_DELAY="3")

    cluster.send(TASK)
    # The first decision's reminders are committed; the run pauses before the second.
    cluster.wait_for(pausing(cluster), "the first decision's reminders")
    assert sum(reminders(due).values()) == 2
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    # The task is rejected on the lost worker and runs again from the start.
    cluster.wait_for(lambda: "WorkerLostError" in cluster.logs["worker"].read_text(), "the worker to notice")
    cluster.wait_for(lambda: sum(reminders(due).values()) == 6, "the redelivered task to remind the rest", seconds=90)
    time.sleep(1)
    assert reminders(due) == everyone_once(due)


def test_two_beat_processes_remind_each_person_once(cluster, due):
    fast = {"DECISION_REVIEW_INTERVAL_SECONDS": "1"}
    cluster.worker(concurrency=2, **fast)
    for name in ("beat-1", "beat-2"):
        cluster.start(name, "beat", "--schedule", str(cluster.tmp / f"{name}-schedule"), **fast)

    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count(f"{TASK}[") >= 12, "a dozen runs from both beats")
    cluster.wait_for(lambda: sum(reminders(due).values()) == 6, "every reminder")
    assert reminders(due) == everyone_once(due)
    assert "IntegrityError" not in log.read_text(), cluster.output()
