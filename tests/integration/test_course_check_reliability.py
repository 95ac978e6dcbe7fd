"""Course checks open, remind and close exactly once per chain and cadence window, with real Celery
workers and beats on Redis: a worker killed while opening a check (and while reminding), and two
beats at once.

The workers run on tests/integration/settings.py: ``COURSE_CHECK_TEST_DELAY`` makes opening (and
the reminder) pause inside its transaction, before the commit, so a test can kill the worker there:
the killed transaction leaves nothing, the redelivered task does it all, once. The tests use
``transactional_db``: the workers must see the rows.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import timezone

from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckStatus
from stakeholders.models import Notification
from tests.conftest import build_world
from tests.governance.course_check_fixtures import at, opened, seated
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.integration.test_report_reliability import children
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 9  # this file's own broker database
TASK = "governance.tasks.run_course_checks"
ASKED = {"lead-a@example.nl", "lead-b@example.nl", "contributor@example.nl"}


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    with celery_cluster(
        tmp_path,
        REDIS_DB,
        drop=("COURSE_CHECK_",),
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        PYTHONPATH=str(ROOT),  # for the settings module under tests/
    ) as started:
        yield started


def told(kind: str) -> Counter:
    return Counter(
        Notification.objects.filter(key__startswith=f"course-check-{kind}:").values_list("person__email", "key")
    )


def once_each(kind: str, check: CourseCheck, people=ASKED) -> Counter:
    return Counter({(email, f"course-check-{kind}:{check.pk}"): 1 for email in people})


def kill_at_the_pause(cluster: Cluster, worker) -> None:
    cluster.wait_for(lambda: cluster.logs["worker"].read_text(errors="replace").count("pausing") >= 1, "a pause")
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)
    cluster.wait_for(lambda: "WorkerLostError" in cluster.logs["worker"].read_text(), "the worker to notice")


def test_a_worker_killed_while_opening_leaves_nothing_and_the_redelivery_opens_once(cluster):
    seated(build_world())
    worker = cluster.worker(concurrency=1, COURSE_CHECK_TEST_DELAY="3")
    cluster.send(TASK, at(date(2026, 1, 5)).isoformat())
    kill_at_the_pause(cluster, worker)
    assert not CourseCheck.objects.exists() and not Notification.objects.exists()

    cluster.wait_for(lambda: CourseCheck.objects.exists(), "the redelivered task to open the check", seconds=90)
    cluster.wait_for(lambda: "succeeded" in cluster.logs["worker"].read_text(), "the run to finish")
    time.sleep(1)
    (check,) = CourseCheck.objects.all()
    assert check.opens_on == date(2026, 1, 1)
    assert CourseCheckRespondent.objects.filter(course_check=check).count() == len(ASKED)
    assert check.statements.count() == 8
    assert told("open") == once_each("open", check)


def test_a_worker_killed_while_reminding_reminds_once_after_redelivery(cluster):
    w = build_world()
    seated(w)
    check = opened(w, date(2026, 1, 5))  # closes 29 January
    worker = cluster.worker(concurrency=1, COURSE_CHECK_TEST_DELAY="3")
    cluster.send(TASK, at(date(2026, 1, 27)).isoformat())
    kill_at_the_pause(cluster, worker)
    assert CourseCheck.objects.get(pk=check.pk).reminded_at is None and not told("reminder")

    cluster.wait_for(lambda: sum(told("reminder").values()) == len(ASKED), "the reminders", seconds=90)
    cluster.wait_for(lambda: "succeeded" in cluster.logs["worker"].read_text(), "the run to finish")
    time.sleep(1)
    assert told("reminder") == once_each("reminder", check)
    assert CourseCheck.objects.get(pk=check.pk).reminded_at is not None


def test_two_beat_processes_open_remind_and_close_once(cluster):
    w = build_world()
    seated(w)
    # Two-year windows: the real today is (nearly) never in a window's last week.
    w.chain.course_check_cadence_months = 24
    w.chain.save()
    today = timezone.localdate()
    ending = CourseCheck.objects.create(
        chain=w.other_chain, opens_on=date(2020, 1, 1), closes_on=today - timedelta(days=1)
    )
    closing_soon = CourseCheck.objects.create(
        chain=w.other_chain, opens_on=date(2020, 7, 1), closes_on=today + timedelta(days=2)
    )
    CourseCheckRespondent.objects.create(course_check=closing_soon, person=w.outsider, partnership=w.partner_c)

    fast = {"COURSE_CHECK_INTERVAL_SECONDS": "1"}
    cluster.worker(concurrency=2, **fast)
    for name in ("beat-1", "beat-2"):
        cluster.start(name, "beat", "--schedule", str(cluster.tmp / f"{name}-schedule"), **fast)
    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count(f"{TASK}[") >= 12, "a dozen runs from both beats")
    cluster.wait_for(lambda: log.read_text().count("succeeded") >= 6, "runs to finish")

    (check,) = CourseCheck.objects.filter(chain=w.chain)
    assert told("open") == once_each("open", check)
    assert told("reminder") == once_each("reminder", closing_soon, {"outsider@example.nl"})
    ending.refresh_from_db()
    assert ending.status == CourseCheckStatus.CLOSED and ending.version == 2  # closed by one run only
    assert CourseCheck.objects.get(pk=closing_soon.pk).status == CourseCheckStatus.OPEN
    assert "IntegrityError" not in log.read_text(), cluster.output()
