from functools import cache

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from ketenportaal import kept
from stakeholders.models import Notification
from stakeholders.models.notifications import UNREAD_TOKENS


def notifications(request) -> dict:
    """``unread_notifications``: the signed-in person's unread count for the header.

    A callable (templates call it), computed once per response: only when a full page renders the
    header; htmx partials and API responses never ask. The count is kept under the person's unread
    token (one cache round trip instead of a COUNT per page), which every write of their
    notifications renews (stakeholders/models/notifications.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: unread_count(user))}


def unread_count(person) -> int:
    def count() -> int:  # built only when counted: building the query cost more than reading the kept count
        return Notification.objects.unread().filter(person=person).count()

    if isinstance(caches["default"], LocMemCache):
        # The embedded default's cache is one process's memory: a notification the Celery worker
        # writes would renew the token in the worker's memory only, so the pages count every time.
        return count()
    return kept.fetch(
        ["unread-notifications", person.pk],
        [UNREAD_TOKENS.token(person.pk)],
        count,
    )
