"""The daily digest: at most one e-mail per person per day with their new unread notifications.

Who gets one: active people (never system accounts) whose mail preference is *digest* and who have unread notifications
that no digest has mailed yet. Per person the run

1. claims the day: inserts the ``DigestRun`` row for (person, day) — the idempotency key — or takes
   over that row when an earlier attempt failed (or its worker died long ago), with a conditional
   UPDATE; a concurrent run finds the row taken and leaves the person alone;
2. sends the mail, outside any transaction;
3. marks the notifications it listed as mailed (``mailed_at``) and the row as sent.

If the mail server refuses, the row is marked failed and a later run (the next beat tick) claims it
again. Notifications are never read or removed by the digest: they stay unread in the portal, and
stay unmailed, so the next digest that goes out includes them — nothing is lost, also not a
notification whose transaction committed while a digest was being sent.

A worker killed between sending and marking leaves a claimed row; after ``STALE_CLAIM`` another run
takes it over and mails again. That is the one case of a second mail on a day, chosen over losing
the digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from stakeholders.mail import absolute_url, send_templated_mail
from stakeholders.models import DigestRun, MailPreference, Notification, Person
from stakeholders.models.notifications import DigestStatus

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(hours=1)
MAX_LISTED = 50  # notifications written out in one mail; the rest are counted


@dataclass
class DigestCounts:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another run, or nothing new after all

    def as_dict(self) -> dict[str, int]:
        return {"digests_sent": self.sent, "digests_failed": self.failed, "digests_skipped": self.skipped}


def _to_mail():
    return Notification.objects.unread().filter(mailed_at__isnull=True)


def people_waiting(day: date) -> list[int]:
    """Ids of the people who should get a digest on ``day`` and have not got it yet (one query)."""
    done_today = DigestRun.objects.filter(person=OuterRef("person"), day=day).filter(
        Q(status=DigestStatus.SENT) | Q(status=DigestStatus.CLAIMED, claimed_at__gte=timezone.now() - STALE_CLAIM)
    )
    return list(
        _to_mail()
        # A system account's address receives no mail (a server refuses it, and the run would
        # retry every hour): only people get a digest.
        .filter(person__is_active=True, person__is_system=False, person__mail_preference=MailPreference.DIGEST)
        .filter(~Exists(done_today))
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )


def claim(person_id: int, day: date, now: datetime) -> bool:
    """Take the (person, day) digest for this run; False when another run holds or sent it."""
    retried = (
        DigestRun.objects.filter(person_id=person_id, day=day)
        .filter(Q(status=DigestStatus.FAILED) | Q(status=DigestStatus.CLAIMED, claimed_at__lt=now - STALE_CLAIM))
        .update(status=DigestStatus.CLAIMED, claimed_at=now, attempts=F("attempts") + 1, error="")
    )
    if retried:
        return True
    try:
        with transaction.atomic():
            DigestRun.objects.create(person_id=person_id, day=day, status=DigestStatus.CLAIMED, claimed_at=now)
    except IntegrityError:
        return False  # sent already, or a concurrent run holds it
    return True


def send_daily_digests(day: date | None = None) -> dict[str, int]:
    """Mail every waiting person their digest for ``day`` (today); safe to run any number of times."""
    day = day or timezone.localdate()
    counts = DigestCounts()
    for person_id in people_waiting(day):
        now = timezone.now()
        if not claim(person_id, day, now):
            counts.skipped += 1
            continue
        person = Person.objects.get(pk=person_id)
        pending = list(_to_mail().filter(person_id=person_id).select_related("chain").order_by("-created_at"))
        if not pending:
            # Read in the meantime: nothing to mail, and today's key stays free for later ones.
            DigestRun.objects.filter(person_id=person_id, day=day, status=DigestStatus.CLAIMED).delete()
            counts.skipped += 1
            continue
        try:
            _mail(person, pending)
        except Exception as error:
            DigestRun.objects.filter(person_id=person_id, day=day).update(
                status=DigestStatus.FAILED, error=type(error).__name__[:300]
            )
            counts.failed += 1
            # No address or notification text in the logs.
            logger.warning("digest for person %d failed (%s); a later run retries", person_id, type(error).__name__)
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(mailed_at=now)
            DigestRun.objects.filter(person_id=person_id, day=day).update(
                status=DigestStatus.SENT, until=now, notification_count=len(pending)
            )
        counts.sent += 1
    return counts.as_dict()


def _mail(person: Person, notifications: list[Notification]) -> None:
    listed = [
        {"text": n.text, "link": absolute_url(n.url) if n.url else "", "chain": n.chain.name if n.chain else ""}
        for n in notifications[:MAX_LISTED]
    ]
    send_templated_mail(
        "emails/digest",
        [person.email],
        {
            "name": person.get_short_name(),
            "notifications": listed,
            "count": len(notifications),
            "more": max(len(notifications) - MAX_LISTED, 0),
            "list_link": absolute_url(reverse("stakeholders:notification_list")),
            "settings_link": absolute_url(reverse("stakeholders:notification_settings")),
        },
    )
