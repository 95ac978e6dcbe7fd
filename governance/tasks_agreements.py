"""Scheduled work on agreements (beat ``sweep-agreements``, ketenportaal/settings.py): agreements
in force past their end date expire, and reminders go out before the evaluation and end dates.
Safe to run any number of times, at once, or again after a worker died mid-run
(governance/services/agreements.py says how).

``AGREEMENT_SWEEP_TEST_DELAY`` (seconds): a setting of the reliability tests' workers only
(tests/integration/settings.py): the sweep pauses after each agreement it reminded, so a test can
kill the worker mid-run.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .tasks import _pause

logger = logging.getLogger(__name__)


@shared_task
def sweep_agreements() -> dict[str, int]:
    from .services import agreements

    counts = agreements.sweep(pause=_pause("AGREEMENT_SWEEP_TEST_DELAY", "reminded an agreement"))
    logger.info("agreements: %(expired)d expired, %(reminded)d reminder(s)", counts)
    return counts
