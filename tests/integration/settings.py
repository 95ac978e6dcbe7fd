"""Settings of the Celery workers and beats that tests/integration/test_report_reliability.py and
test_meeting_notice_reliability.py start: the portal's own (ketenportaal/settings.py) plus switches
that no deployment has.

- ``REPORT_DRAFT_TEST_DELAY`` (seconds): each draft pauses this long after inserting its report
  and before committing it (ambitions/tasks.py), so that a test can kill the worker mid-draft.
- ``MEETING_NOTICE_TEST_DELAY`` (seconds): each meeting notice pauses this long after claiming its
  row and before mailing (governance/tasks.py), so that a test can kill the worker mid-run.
- ``DECISION_REVIEW_TEST_DELAY`` (seconds): the review-date reminders pause this long after each
  decision's notifications (governance/tasks.py), so that a test can kill the worker mid-run.
- ``ESCALATION_TEST_DELAY`` (seconds): the escalation sweep pauses this long before committing,
  and each escalation notice after claiming its rows and before mailing (governance/tasks.py).
- ``AGREEMENT_SWEEP_TEST_DELAY`` (seconds): the agreements' sweep pauses this long after each
  agreement's reminders (governance/tasks_agreements.py), so that a test can kill the worker mid-run.
- ``IMPORT_WRITE_TEST_DELAY`` (seconds): an import's write pauses this long after writing its figures
  and before committing (ambitions/services/imports/run.py), so that a test can kill the worker.
- With ``CELERY_VISIBILITY_TIMEOUT`` lowered, Redis is also swept for unacknowledged messages every
  second, so that the task of a worker killed as a whole is redelivered within the test.
"""

import os

from ketenportaal.settings import *  # noqa: F403
from ketenportaal.settings import CELERY_BROKER_TRANSPORT_OPTIONS

REPORT_DRAFT_TEST_DELAY = float(os.environ.get("REPORT_DRAFT_TEST_DELAY") or 0)
# Each meeting notice pauses this long after claiming its row, before mailing (governance/tasks.py).
MEETING_NOTICE_TEST_DELAY = float(os.environ.get("MEETING_NOTICE_TEST_DELAY") or 0)
# The review-date reminders pause this long after each decision's notifications (governance/tasks.py).
DECISION_REVIEW_TEST_DELAY = float(os.environ.get("DECISION_REVIEW_TEST_DELAY") or 0)
# The escalation sweep pauses this long before committing its escalations, and the escalation
# notices after claiming their rows, before mailing (governance/tasks.py).
ESCALATION_TEST_DELAY = float(os.environ.get("ESCALATION_TEST_DELAY") or 0)
# The agreements' sweep pauses this long after each agreement's reminders (governance/tasks_agreements.py).
AGREEMENT_SWEEP_TEST_DELAY = float(os.environ.get("AGREEMENT_SWEEP_TEST_DELAY") or 0)
# An import's write pauses this long after writing its figures, before committing (ambitions/services/imports/run.py).
IMPORT_WRITE_TEST_DELAY = float(os.environ.get("IMPORT_WRITE_TEST_DELAY") or 0)

if os.environ.get("CELERY_VISIBILITY_TIMEOUT"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# Opening a course check pauses this long before its transaction commits (governance/services/course_checks.py).
COURSE_CHECK_TEST_DELAY = float(os.environ.get("COURSE_CHECK_TEST_DELAY") or 0)
# Each newsletter mail pauses this long after its row is claimed, before it goes to the mail server
# (governance/tasks_newsletter_send.py).
NEWSLETTER_SEND_TEST_DELAY = float(os.environ.get("NEWSLETTER_SEND_TEST_DELAY") or 0)
