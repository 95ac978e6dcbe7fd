"""Telling people that something waits for them: a notification in the portal.

``notify`` is idempotent per (person, key), so repeating an action or retrying a task never
notifies twice. It sends no e-mail itself: the daily digest (stakeholders/digest.py) mails each
person who wants e-mail at most once a day, with their unread notifications. So a rolled-back
action mails nothing, and a failing mail server loses nothing (the notification stays in the
portal and goes out with a later digest).
"""

from __future__ import annotations

from collections.abc import Iterable

from stakeholders.models import Chain, Notification, Person


def notify(people: Iterable[Person], chain: Chain | None, text: str, url: str, key: str) -> list[Notification]:
    """Create the notification for each active person who does not have this ``key`` yet.
    System accounts (API connections) are no one to tell: they are left out."""
    people = {person.pk: person for person in people if person.is_active and not person.is_system}
    already = set(Notification.objects.filter(person_id__in=people, key=key).values_list("person_id", flat=True))
    new = [
        Notification(person=person, chain=chain, text=text[:300], url=url, key=key)
        for pk, person in people.items()
        if pk not in already
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return new
