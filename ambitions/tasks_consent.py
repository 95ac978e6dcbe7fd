"""The consent deadline sweep as a Celery task (beat ``sweep-consent-deadlines``): reminders before
and on a proposal's answer deadline, and what silence means after it
(ambitions/services/consent_deadlines.py). Idempotent: running it again, or twice at once, adds
nothing. Not a tasks.py: named for the worker in CELERY_IMPORTS."""

from __future__ import annotations

import logging

from celery import shared_task

from ambitions.services import consent_deadlines

logger = logging.getLogger(__name__)


@shared_task
def sweep_consent_deadlines() -> dict[str, int]:
    counts = consent_deadlines.sweep()
    logger.info(
        "consent deadlines: %(proposals)d open proposal(s), %(notifications)d notification(s), "
        "%(steps)d step(s), %(silences)d silence(s), %(adopted)d adopted",
        counts,
    )
    return counts
