"""The agreements' sweep (beat ``sweep-agreements``) with real Celery workers and beats on Redis:
an agreement past its end date expires once, and before the end date the programme manager and
the parties' leads are told once per agreement — with a worker killed halfway through a run (the
redelivered task does the rest) and with two beats at once.

The workers run on tests/integration/settings.py: ``AGREEMENT_SWEEP_TEST_DELAY`` makes the run
pause after each agreement's reminders, so that a test can kill the worker in the middle. Expiry
is one conditional UPDATE; the reminders' notification key (person, key) keeps them to once. The
tests use ``transactional_db``: the workers must see the rows.
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

from governance.models import Agreement, AgreementStatus
from stakeholders.models import Notification
from tests.conftest import build_world
from tests.governance.agreement_fixtures import build_parties, covenant, sign
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.integration.test_report_reliability import children
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 10  # this file's own broker database
TASK = "governance.tasks_agreements.sweep_agreements"
TOLD = {"manager@example.nl", "lead-a@example.nl", "lead-b@example.nl", "judge@example.nl"}


@pytest.fixture
def cluster(transactional_db, tmp_path) -> Iterator[Cluster]:
    with celery_cluster(
        tmp_path,
        REDIS_DB,
        drop=("AGREEMENT_",),
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        PYTHONPATH=str(ROOT),  # for the settings module under tests/
    ) as started:
        yield started


@pytest.fixture
def due(transactional_db, settings, tmp_path) -> tuple[list[Agreement], Agreement]:
    """Three agreements in force that end in five days, and one whose end date has passed."""
    settings.MEDIA_ROOT = tmp_path
    parties = build_parties(build_world())
    w = parties.world
    today = timezone.localdate()

    def in_force(title: str, until: date) -> Agreement:
        agreement = covenant(parties, title=title, valid_from=date(2024, 1, 1), valid_until=until, evaluate_on=None)
        sign(w.lead_a, agreement)
        sign(w.lead_b, agreement)
        return agreement

    ending = [in_force(f"Convenant {number}", today + timedelta(days=5)) for number in range(3)]
    return ending, in_force("Afgelopen convenant", today - timedelta(days=1))


def reminders(agreements: list[Agreement]) -> Counter:
    keys = {f"agreement-end:{a.pk}:{a.valid_until.isoformat()}": a.pk for a in agreements}
    return Counter(
        (email, keys[key])
        for email, key in Notification.objects.filter(key__in=keys).values_list("person__email", "key")
    )


def everyone_once(agreements: list[Agreement]) -> Counter:
    return Counter({(email, agreement.pk): 1 for agreement in agreements for email in TOLD})


def test_a_worker_killed_mid_run_tells_nobody_twice_and_the_redelivery_the_rest(cluster, due):
    ending, ended = due
    worker = cluster.worker(concurrency=1, AGREEMENT_SWEEP_TEST_DELAY="3")

    cluster.send(TASK)
    # Expiry is done and the first agreement's reminders are committed; the run pauses before the second.
    cluster.wait_for(lambda: cluster.logs["worker"].read_text(errors="replace").count("pausing") >= 1, "a pause")
    assert sum(reminders(ending).values()) == len(TOLD)
    assert Agreement.objects.get(pk=ended.pk).status == AgreementStatus.EXPIRED
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    cluster.wait_for(lambda: "WorkerLostError" in cluster.logs["worker"].read_text(), "the worker to notice")
    cluster.wait_for(
        lambda: sum(reminders(ending).values()) == 3 * len(TOLD), "the redelivered task to tell the rest", seconds=90
    )
    time.sleep(1)
    assert reminders(ending) == everyone_once(ending)
    assert Agreement.objects.filter(status=AgreementStatus.EXPIRED).count() == 1


def test_two_beat_processes_expire_once_and_tell_each_person_once(cluster, due):
    ending, ended = due
    fast = {"AGREEMENT_SWEEP_INTERVAL_SECONDS": "1"}
    cluster.worker(concurrency=2, **fast)
    for name in ("beat-1", "beat-2"):
        cluster.start(name, "beat", "--schedule", str(cluster.tmp / f"{name}-schedule"), **fast)

    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count(f"{TASK}[") >= 12, "a dozen runs from both beats")
    cluster.wait_for(lambda: sum(reminders(ending).values()) == 3 * len(TOLD), "every reminder")
    assert reminders(ending) == everyone_once(ending)
    assert list(Agreement.objects.filter(status=AgreementStatus.EXPIRED).values_list("pk", flat=True)) == [ended.pk]
    assert "IntegrityError" not in log.read_text(), cluster.output()
