"""Meeting invitations are mailed exactly once per person, with real Celery workers and beats on
Redis, killed mid-run, and a real (tiny) SMTP server that keeps every message it accepts.

The workers run on tests/integration/settings.py: ``MEETING_NOTICE_TEST_DELAY`` makes each notice
pause after claiming its row (governance/services/notices.py: the row is inserted, uncommitted,
and held until the mail is out) and before mailing, so a test can kill a worker in the middle of a
run; a lower ``CELERY_VISIBILITY_TIMEOUT`` (swept every second) lets a task whose whole worker died
be redelivered within the test. The tests use ``transactional_db``: the workers must see the rows.
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

from governance.models import Meeting, MeetingNotice, MeetingStatus, NoticeStatus
from tests.conftest import build_world
from tests.governance.meeting_fixtures import Seats, a_meeting, build_seats
from tests.integration.processes import ROOT, Cluster, celery_cluster
from tests.integration.test_digest_reliability import SmtpServer, smtp  # noqa: F401 (the fixture)
from tests.integration.test_report_reliability import children, open_transactions
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 14  # this file's own broker database
TASK = "governance.tasks.send_meeting_notices"


@pytest.fixture
def cluster(transactional_db, tmp_path, smtp: SmtpServer) -> Iterator[Cluster]:  # noqa: F811
    smtp.refusing = False
    with celery_cluster(
        tmp_path,
        REDIS_DB,
        drop=("EMAIL_", "MEETING_NOTICE_"),
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        PYTHONPATH=str(ROOT),  # for the settings module under tests/
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.server_address[1]}",
        EMAIL_TIMEOUT="5",
    ) as started:
        yield started


@pytest.fixture
def announced(transactional_db) -> tuple[Seats, Meeting]:
    """A meeting announced a moment ago whose invitations have not gone out: its task is the
    test's to send (announcing through the service would enqueue it on the test's own broker)."""
    seats = build_seats(build_world())
    meeting = a_meeting(seats.body, status=MeetingStatus.ANNOUNCED, announced_at=timezone.now())
    return seats, meeting


def recipients(smtp: SmtpServer) -> Counter:  # noqa: F811
    return Counter(email.message_from_string(message)["To"] for message in smtp.messages)


def sent(meeting: Meeting) -> int:
    return MeetingNotice.objects.filter(meeting=meeting, status=NoticeStatus.SENT).count()


def pausing(cluster: Cluster, name: str = "worker", times: int = 1):
    """The worker logged that it claimed a notice and pauses before mailing it."""
    return lambda: cluster.logs[name].read_text(errors="replace").count("pausing") >= times


def test_the_same_task_twice_at_once_mails_each_person_once(cluster, announced, smtp):  # noqa: F811
    seats, meeting = announced
    cluster.worker(concurrency=2, MEETING_NOTICE_TEST_DELAY="1")

    cluster.send(TASK, meeting.pk)
    cluster.send(TASK, meeting.pk)

    log = cluster.logs["worker"]
    cluster.wait_for(lambda: log.read_text().count("succeeded in") >= 2, "both tasks to finish")
    assert recipients(smtp) == Counter(seats.invited)
    assert sent(meeting) == 4
    # Between them the two runs mailed four, and one of them left each person to the other.
    assert log.read_text().count("pausing") == 4, cluster.output()


def test_a_pool_child_killed_mid_run_mails_nobody_twice_and_the_redelivery_the_rest(cluster, announced, smtp):  # noqa: F811
    seats, meeting = announced
    worker = cluster.worker(concurrency=1, MEETING_NOTICE_TEST_DELAY="3")

    cluster.send(TASK, meeting.pk)
    # The first person is mailed and committed; the run has claimed the second and pauses.
    cluster.wait_for(pausing(cluster, times=2), "the second notice's claim")
    assert sent(meeting) == 1 and len(smtp.messages) == 1
    assert open_transactions() == 1
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    # The killed run's claim died with its connection; the task is rejected and runs again.
    cluster.wait_for(lambda: "WorkerLostError" in cluster.logs["worker"].read_text(), "the worker to notice")
    cluster.wait_for(lambda: sent(meeting) == 4, "the redelivered task to mail the rest", seconds=90)
    time.sleep(1)
    assert recipients(smtp) == Counter(seats.invited)
    assert MeetingNotice.objects.filter(meeting=meeting).count() == 4


def test_the_whole_worker_killed_and_a_new_one_started_still_mails_each_person_once(cluster, announced, smtp):  # noqa: F811
    seats, meeting = announced
    quick = {"MEETING_NOTICE_TEST_DELAY": "3", "CELERY_VISIBILITY_TIMEOUT": "8"}
    first = cluster.worker("first", **quick)

    cluster.send(TASK, meeting.pk)
    cluster.wait_for(pausing(cluster, "first"), "the first notice's claim")
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as when its machine dies
    first.wait(timeout=10)
    cluster.wait_for(lambda: open_transactions() == 0, "PostgreSQL to drop the dead connection")
    assert sent(meeting) == 0 and smtp.messages == []

    # The message was never acknowledged: after the visibility timeout the new worker gets it.
    cluster.worker("second", **quick)
    cluster.wait_for(lambda: sent(meeting) == 4, "the redelivered task", seconds=90)
    time.sleep(1)
    assert recipients(smtp) == Counter(seats.invited)


def test_two_beat_processes_mail_each_person_once(cluster, announced, smtp):  # noqa: F811
    seats, meeting = announced
    cancelled = a_meeting(
        seats.body,
        timezone.now() + timedelta(days=14),
        status=MeetingStatus.CANCELLED,
        announced_at=timezone.now(),
        sequence=1,
    )
    fast = {"MEETING_NOTICE_INTERVAL_SECONDS": "1", "MEETING_NOTICE_TEST_DELAY": "0.5"}
    cluster.worker(concurrency=2, **fast)
    for name in ("beat-1", "beat-2"):
        cluster.start(name, "beat", "--schedule", str(cluster.tmp / f"{name}-schedule"), **fast)

    log = cluster.logs["worker"]
    cluster.wait_for(
        lambda: log.read_text().count("governance.tasks.send_pending_meeting_notices") >= 12,
        "a dozen runs from both beats",
    )
    cluster.wait_for(lambda: sent(meeting) == 4 and sent(cancelled) == 4, "every notice sent")
    # One invitation and one cancellation per person, however many runs there were.
    assert recipients(smtp) == Counter({address: 2 for address in seats.invited})
    methods = Counter(
        part.get_param("method")
        for message in smtp.messages
        for part in email.message_from_string(message).walk()
        if part.get_content_type() == "text/calendar"
    )
    assert methods == Counter({"REQUEST": 4, "CANCEL": 4})
