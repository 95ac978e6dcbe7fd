"""Every overdue bottleneck is escalated exactly once per level, and every person of the receiving
body is mailed once, with real Celery workers and beats on Redis and a real (tiny) SMTP server: a
worker killed mid-sweep, the same task delivered twice at once, and two beats.

The workers run on tests/integration/settings.py: ``ESCALATION_TEST_DELAY`` makes the sweep pause
before it commits its escalations (and each notice after claiming its rows, before mailing), so a
test can kill the worker in the middle. The tests use ``transactional_db``: the workers must see
the rows.
"""

from __future__ import annotations

import email
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Bottleneck, Escalation, EscalationNotice
from tests.conftest import build_world
from tests.governance.bottleneck_fixtures import Ladder, bottleneck, ladder
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.integration.test_digest_reliability import SmtpServer, smtp  # noqa: F401 (the fixture)
from tests.integration.test_report_reliability import children
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 11  # this file's own broker database
TASK = "governance.tasks.escalate_overdue_bottlenecks"


@pytest.fixture
def cluster(transactional_db, tmp_path, smtp: SmtpServer) -> Iterator[Cluster]:  # noqa: F811
    smtp.refusing = False
    with celery_cluster(
        tmp_path,
        REDIS_DB,
        drop=("EMAIL_", "ESCALATION_"),
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        PYTHONPATH=str(ROOT),  # for the settings module under tests/
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.server_address[1]}",
        EMAIL_TIMEOUT="5",
    ) as started:
        yield started


@pytest.fixture
def overdue(transactional_db) -> tuple[Ladder, list[Bottleneck]]:
    """Four bottlenecks at the locatieoverleg whose one-working-day response time passed long ago."""
    world = build_world()
    lad = ladder(world, response_days=1)
    long_ago = timezone.now() - timedelta(days=20)
    return lad, [bottleneck(world, lad.local, at=long_ago, title=f"Knelpunt {n}") for n in range(4)]


def receivers(lad: Ladder) -> set[str]:
    return {lad.tactical_chair.email, lad.tactical_secretary.email}


def mailed(smtp: SmtpServer) -> Counter:  # noqa: F811
    return Counter(email.message_from_string(message)["To"] for message in smtp.messages)


def escalated_once(lad: Ladder, items: list[Bottleneck]) -> None:
    steps = Counter(Escalation.objects.values_list("bottleneck_id", "from_body_id"))
    assert steps == Counter({(item.pk, lad.local.pk): 1 for item in items})
    assert set(Bottleneck.objects.values_list("body_id", flat=True)) == {lad.tactical.pk}


def told_once(lad: Ladder, items: list[Bottleneck], smtp: SmtpServer) -> None:  # noqa: F811
    assert mailed(smtp) == Counter({address: 1 for address in receivers(lad)})
    notices = Counter(EscalationNotice.objects.values_list("person__email", flat=True))
    assert notices == Counter({address: len(items) for address in receivers(lad)})


def pausing(cluster: Cluster, name: str = "worker", times: int = 1):
    return lambda: cluster.logs[name].read_text(errors="replace").count("pausing") >= times


def test_a_worker_killed_mid_sweep_escalates_and_mails_once(cluster, overdue, smtp):  # noqa: F811
    lad, items = overdue
    worker = cluster.worker(concurrency=1, ESCALATION_TEST_DELAY="3")

    cluster.send(TASK)
    # The sweep holds its escalations, uncommitted, and pauses before the commit: kill it there.
    cluster.wait_for(pausing(cluster), "the sweep to hold its rows")
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)
    cluster.wait_for(lambda: "WorkerLostError" in cluster.logs["worker"].read_text(), "the worker to notice")
    assert not Escalation.objects.exists()  # the killed transaction left nothing

    # The task is redelivered and runs again from the start.
    cluster.wait_for(lambda: len(smtp.messages) >= 2, "the redelivered task to escalate and mail", seconds=90)
    time.sleep(1)
    escalated_once(lad, items)
    told_once(lad, items, smtp)


def test_the_same_task_twice_at_once_escalates_and_mails_once(cluster, overdue, smtp):  # noqa: F811
    lad, items = overdue
    cluster.worker(concurrency=2, ESCALATION_TEST_DELAY="1")
    cluster.send(TASK)
    cluster.send(TASK)
    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count("succeeded") >= 2, "both runs to finish", seconds=90)
    escalated_once(lad, items)
    told_once(lad, items, smtp)
    assert "IntegrityError" not in log.read_text(), cluster.output()


def test_two_beat_processes_escalate_and_mail_once(cluster, overdue, smtp):  # noqa: F811
    lad, items = overdue
    fast = {"ESCALATION_INTERVAL_SECONDS": "1"}
    cluster.worker(concurrency=2, **fast)
    for name in ("beat-1", "beat-2"):
        cluster.start(name, "beat", "--schedule", str(cluster.tmp / f"{name}-schedule"), **fast)
    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count(f"{TASK}[") >= 12, "a dozen runs from both beats")
    cluster.wait_for(lambda: len(smtp.messages) >= 2, "the mails")
    time.sleep(1)
    escalated_once(lad, items)
    told_once(lad, items, smtp)
