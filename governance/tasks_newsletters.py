"""Drafting the quarterly newsletters (beat ``draft-newsletters``, ketenportaal/settings.py): after
each quarter, every chain gets one draft edition of the quarter just ended. Safe to run any number
of times, at once, or again after a worker died mid-run: one edition per chain and quarter is a
unique constraint, and an edition is inserted with its items in one transaction
(governance/services/newsletters.py)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def draft_newsletters() -> int:
    from .services import newsletters

    made = newsletters.draft_due()
    logger.info("newsletters: %d draft(s) made", made)
    return made
