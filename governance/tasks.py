"""Scheduled and queued work of the governance app: e-mailing meeting notices exactly once.

- ``send_meeting_notices(meeting_id)``: enqueued (``delay_on_commit``) when a meeting is
  announced, changed after announcing or cancelled; mails what the meeting calls for now.
- ``send_pending_meeting_notices``: Celery beat ``send-meeting-notices``; mails whatever is still
  due (a task that was lost, a mail server that refused).
- ``send_decision_review_reminders``: Celery beat ``send-decision-review-reminders``; tells the
  body's chair and secretary once when a decision's review date has come.

Both are safe to run any number of times, at once, or again after a worker died mid-run
(governance/services/notices.py says how).

``MEETING_NOTICE_TEST_DELAY`` (seconds): a setting of the reliability tests' workers only
(tests/integration/settings.py): each notice pauses this long after claiming its row and before
mailing, so a test can kill the worker mid-run.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

from .services import notices

logger = logging.getLogger(__name__)


def _test_pause():
    delay = getattr(settings, "MEETING_NOTICE_TEST_DELAY", 0)
    if delay <= 0:
        return None

    def pause() -> None:
        logger.warning("MEETING_NOTICE_TEST_DELAY: notice claimed, pausing %s s before mailing", delay)
        time.sleep(delay)

    return pause


@shared_task
def send_meeting_notices(meeting_id: int) -> dict[str, int]:
    """Mail the meeting's due notice to everyone who has not had it; a missing meeting is no error."""
    counts = notices.send_due(meeting_id, pause=_test_pause()).as_dict()
    logger.info(
        "meeting notices for meeting %d: %d sent, %d failed, %d skipped",
        meeting_id,
        counts["notices_sent"],
        counts["notices_failed"],
        counts["notices_skipped"],
    )
    return counts


@shared_task
def send_pending_meeting_notices() -> dict[str, int]:
    """Every notice still due, for all meetings (beat ``send-meeting-notices``)."""
    counts = notices.sweep(pause=_test_pause()).as_dict()
    logger.info(
        "meeting notices (sweep): %(notices_sent)d sent, %(notices_failed)d failed, %(notices_skipped)d skipped",
        counts,
    )
    return counts


@shared_task
def notify_overdue_actions() -> int:
    """Tell each owner of an overdue action once per due date (beat ``notify-overdue-actions``); the
    daily digest mails it once (governance/services/actions.py)."""
    from .services import actions

    told = actions.notify_overdue()
    logger.info("overdue actions: %d owner(s) told", told)
    return told


@shared_task
def send_decision_review_reminders() -> int:
    """Tell each body's chair and secretary once that a decision's review date has come (beat
    ``send-decision-review-reminders``; governance/services/decisions.py)."""
    from .services import decisions

    told = decisions.send_review_reminders(pause=_pause("DECISION_REVIEW_TEST_DELAY", "reminded a decision"))
    logger.info("decision review dates: %d notification(s)", told)
    return told


@shared_task
def send_written_decision_reminders() -> int:
    """Remind who may still record a missing position on an open written decision, a few working
    days before its closing date and on the day, once each (beat ``send-written-decision-reminders``;
    governance/services/decision_deadlines.py)."""
    from .services import decision_deadlines

    told = decision_deadlines.send_reminders()
    logger.info("written decisions: %d reminder(s)", told)
    return told


def _pause(setting: str, what: str):
    """A pause of the reliability tests' workers only (tests/integration/settings.py), else None."""
    delay = getattr(settings, setting, 0)
    if delay <= 0:
        return None

    def pause() -> None:
        logger.warning("%s: %s, pausing %s s", setting, what, delay)
        time.sleep(delay)

    return pause


@shared_task
def escalate_overdue_bottlenecks(now: str | None = None) -> dict[str, int]:
    """Escalate every bottleneck whose response time passed, once per level, then tell the receiving
    bodies (beat ``escalate-overdue-bottlenecks``; governance/services/bottlenecks.py). ``now`` (an
    ISO time) lets a test run the sweep as of a later day."""
    from datetime import datetime

    from .services import bottlenecks

    moment = datetime.fromisoformat(now) if now else None
    pause = _pause("ESCALATION_TEST_DELAY", "escalation sweep holding its rows")
    result = bottlenecks.SweepResult(escalated=bottlenecks.sweep(moment, pause=pause))
    result.notified = bottlenecks.send_notices(moment, pause=pause)
    logger.info("bottlenecks: %(escalated)d escalated, %(notified)d person(s) told", result.as_dict())
    return result.as_dict()


@shared_task
def send_escalation_notices() -> int:
    """Tell the receiving bodies about escalations made by hand (enqueued on commit); the beat's
    sweep catches up whatever this missed."""
    from .services import bottlenecks

    return bottlenecks.send_notices(pause=_pause("ESCALATION_TEST_DELAY", "escalation notice claimed"))


@shared_task
def run_course_checks(now: str | None = None) -> dict[str, int]:
    """Open, remind and close the chains' course checks (beat ``run-course-checks``;
    governance/services/course_checks.py), exactly once each. ``now`` (an ISO time) lets a test
    run it as of another day."""
    from datetime import datetime

    from .services import course_checks

    moment = datetime.fromisoformat(now) if now else None
    pause = _pause("COURSE_CHECK_TEST_DELAY", "course check opened or reminded, not committed")
    counts = course_checks.sweep(moment, pause=pause).as_dict()
    logger.info("course checks: %(opened)d opened, %(reminded)d reminded, %(closed)d closed", counts)
    return counts
