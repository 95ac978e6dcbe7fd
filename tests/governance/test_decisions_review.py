"""The review date comes back as a reminder: the body's chair and secretary are told once per
decision and review date, by a Celery beat task (governance/tasks.py), also when it runs twice or
at the same time on two workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from governance.models import BodyMember, Decision, DecisionStatus, MemberPosition
from governance.services import decisions as services
from governance.tasks import send_decision_review_reminders
from stakeholders.models import Notification
from tests.governance.decision_fixtures import build_board, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


def decided(board, review_on, status=DecisionStatus.ADOPTED) -> Decision:
    decision = propose(board)
    Decision.objects.filter(pk=decision.pk).update(
        status=status,
        outcome_statement="Aangenomen",
        decided_on=timezone.localdate() - timedelta(days=200),
        review_on=review_on,
    )
    decision.refresh_from_db()
    return decision


def reminded(decision) -> set[str]:
    key = services.review_key(decision)
    return set(Notification.objects.filter(key=key).values_list("person__email", flat=True))


def test_it_tells_the_chair_and_the_secretary_once_when_the_review_date_comes(board):
    today = timezone.localdate()
    decision = decided(board, today)
    assert send_decision_review_reminders.apply().get() == 2
    assert reminded(decision) == {"chair@example.nl", "secretary@example.nl"}
    assert send_decision_review_reminders.apply().get() == 0
    assert Notification.objects.filter(key=services.review_key(decision)).count() == 2


def test_it_waits_for_the_review_date(board):
    decision = decided(board, timezone.localdate() + timedelta(days=1))
    assert services.send_review_reminders() == 0
    assert services.send_review_reminders(today=timezone.localdate() + timedelta(days=1)) == 2
    assert reminded(decision) == {"chair@example.nl", "secretary@example.nl"}


def test_it_catches_up_a_missed_run_but_not_forever(board):
    today = timezone.localdate()
    recent = decided(board, today - timedelta(days=3))
    long_ago = decided(board, today - timedelta(days=services.REVIEW_CATCH_UP_DAYS + 1))
    services.send_review_reminders()
    assert reminded(recent) and not reminded(long_ago)


def test_it_reminds_of_rejected_decisions_but_not_of_open_or_withdrawn_ones(board):
    today = timezone.localdate()
    rejected = decided(board, today, DecisionStatus.REJECTED)
    withdrawn = decided(board, today, DecisionStatus.WITHDRAWN)
    still_open = decided(board, today, DecisionStatus.OPEN)
    services.send_review_reminders()
    assert reminded(rejected) and not reminded(withdrawn) and not reminded(still_open)


def test_it_reminds_again_for_a_new_review_date(board):
    today = timezone.localdate()
    decision = decided(board, today - timedelta(days=1))
    services.send_review_reminders()
    Decision.objects.filter(pk=decision.pk).update(review_on=today)
    decision.refresh_from_db()
    assert services.send_review_reminders() == 2


def test_it_tells_the_programme_managers_of_a_body_without_chair_or_secretary(board):
    BodyMember.objects.filter(body=board.body, position__in=[MemberPosition.CHAIR, MemberPosition.SECRETARY]).delete()
    decision = decided(board, timezone.localdate())
    services.send_review_reminders()
    assert reminded(decision) == {board.world.manager.email}


def test_it_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["send-decision-review-reminders"]
    assert entry["task"] == "governance.tasks.send_decision_review_reminders"
    assert entry["options"]["expires"] > 0


@pytest.mark.django_db(transaction=True)
def test_it_reminds_once_with_two_beats_at_the_same_moment():
    from tests.conftest import build_world

    board = build_board(build_world())
    decision = decided(board, timezone.localdate())
    start = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            start.wait(10)
            counts.append(services.send_review_reminders())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert Notification.objects.filter(key=services.review_key(decision)).count() == 2
    assert len(counts) == 2
