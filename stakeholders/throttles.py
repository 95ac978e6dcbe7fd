"""Throttles on the sign-in pages, all keyed on the normalised e-mail address.

- Failed sign-ins: django-axes locks an address + IP pair (settings.AXES_*). Axes reads the
  address through ``axes_username`` so that "Alice@X.nl" and "alice@x.nl" count as one, as
  sign-in itself treats them.
- Password-reset mails: ``allow_password_reset`` counts requests per address and per IP in
  fixed one-hour windows in Django's cache (Redis in production, so every web process shares the
  counts; each window's keys expire with it). Over a limit the page answers as always, but no
  mail goes out.
"""

import hashlib
import logging
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from stakeholders.models.people import normalise_email

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The address django-axes counts failures for (settings.AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials or getattr(request, "data", request.POST)
    return normalise_email(source.get(field))


def _count(kind: str, value: str) -> int:
    """Add one to this window's counter for ``value`` and return the new count."""
    window = int(time.time() // WINDOW_SECONDS)
    # Hashed: no e-mail addresses as readable keys in Redis.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"throttle:{kind}:{window}:{digest}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def allow_password_reset(request: HttpRequest, email: str) -> bool:
    """Whether a reset mail may go out now; every request counts, known address or not (so the
    answer never tells whether an account exists)."""
    ip_count = _count("reset-ip", get_client_ip_address(request) or "unknown")
    address_count = _count("reset-address", normalise_email(email))
    allowed = (
        ip_count <= settings.PASSWORD_RESET_LIMIT_PER_IP and address_count <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )
    if not allowed:
        log.warning(
            "Password reset throttled (requests this hour: %s from this IP, %s for this address)",
            ip_count,
            address_count,
        )
    return allowed
