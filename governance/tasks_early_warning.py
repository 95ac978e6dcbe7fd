"""Scheduled early warning (beat ``sweep-early-warnings``, ketenportaal/settings.py): every chain's
indicators whose forecast misses the target two periods in a row get a warning proposed to the
programme managers. Safe to run any number of times, or two at once: one warning per indicator and
period (governance/services/early_warning.py)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def sweep_early_warnings() -> int:
    from .services import early_warning

    raised = len(early_warning.sweep())
    logger.info("early warnings: %d raised", raised)
    return raised
