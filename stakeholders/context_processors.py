from functools import cache

from stakeholders.models import Notification


def notifications(request) -> dict:
    """``unread_notifications``: the signed-in person's unread count for the header.

    A callable (templates call it), computed once per response: the one COUNT query runs only
    when a full page renders the header; htmx partials and API responses never ask."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: Notification.objects.unread().filter(person=user).count())}
