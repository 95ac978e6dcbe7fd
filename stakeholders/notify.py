"""Telling people that something waits for them: a notification in the portal and an e-mail.

``notify`` is idempotent per (person, key), so repeating an action or retrying a task never
notifies twice. The e-mail goes out after the transaction commits, so a rolled-back action sends
nothing. (The daily digest and per-person mail preference come with the reminders issue.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from stakeholders.mail import absolute_url, send_templated_mail
from stakeholders.models import Chain, Notification, Person

logger = logging.getLogger(__name__)


def notify(people: Iterable[Person], chain: Chain | None, text: str, url: str, key: str) -> list[Notification]:
    """Create the notification for each person who does not have this ``key`` yet; mail those people."""
    people = {person.pk: person for person in people if person.is_active}
    already = set(Notification.objects.filter(person_id__in=people, key=key).values_list("person_id", flat=True))
    new = [
        Notification(person=person, chain=chain, text=text[:300], url=url, key=key)
        for pk, person in people.items()
        if pk not in already
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    recipients = [n.person.email for n in new]
    if recipients:
        transaction.on_commit(lambda: _mail(recipients, text, url))
    return new


def _mail(recipients: list[str], text: str, url: str) -> None:
    for email in recipients:
        send_templated_mail("emails/notification", [email], {"text": text, "link": absolute_url(url)})
    logger.info("Notification mailed to %d people", len(recipients))
