"""Queued and scheduled work of the newsletter's sending (governance/services/newsletter_send.py,
governance/services/subscribers.py):

- ``send_newsletter(newsletter_id)``: enqueued after the programme manager's send commits; mails
  every pending row of the edition, exactly once each. Safe to run any number of times, at once,
  or again after a worker died mid-run (late acknowledgement redelivers it). A mail server that is
  down stops the run; it is retried with backoff.
- ``resume_newsletter_sends``: Celery beat ``resume-newsletter-sends``; enqueues the editions still
  sending (a task lost with its broker, retries used up), so no edition stays half sent.
- ``send_subscription_confirmation(subscriber_id, secret)``: the double opt-in's mail, after the
  sign-up commits (off the request, so the page answers equally fast whatever it found).

``NEWSLETTER_SEND_TEST_DELAY`` (seconds): a setting of the reliability tests' workers only
(tests/integration/settings.py): each mail pauses this long after its row is claimed and before
it goes to the mail server, so a test can kill the worker mid-send.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .tasks import _pause

logger = logging.getLogger(__name__)

RETRY_DELAYS = (60, 300, 900, 3600)  # seconds; then the beat's sweep picks it up


@shared_task(bind=True, max_retries=len(RETRY_DELAYS))
def send_newsletter(self, newsletter_id: int) -> dict:
    from .services import newsletter_send

    try:
        counts = newsletter_send.send_pending(
            newsletter_id, pause=_pause("NEWSLETTER_SEND_TEST_DELAY", "newsletter mail claimed")
        )
    except newsletter_send.MailServerDown as error:
        delay = RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)]
        raise self.retry(exc=error, countdown=delay) from error
    logger.info("newsletter %d: %d sent, %d failed", newsletter_id, counts.sent, counts.failed)
    return counts.as_dict()


@shared_task
def resume_newsletter_sends() -> int:
    from .models.newsletters import Newsletter, NewsletterStatus

    ids = list(Newsletter.objects.filter(status=NewsletterStatus.SENDING).values_list("pk", flat=True))
    for pk in ids:
        send_newsletter.delay(pk)
    if ids:
        logger.info("newsletters still sending: %d resumed", len(ids))
    return len(ids)


@shared_task
def send_subscription_confirmation(subscriber_id: int, secret: str) -> bool:
    from .services import subscribers

    return subscribers.send_confirmation(subscriber_id, secret)
