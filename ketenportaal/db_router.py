"""The dashboard's reads from a read-only replica, when one is configured (docs/scaling.md).

Off by default: settings.py adds the ``replica`` alias, ``ReplicaRouter`` and
``ReplicaReadsMiddleware`` only when DATABASE_REPLICA_URL is set. Without them every query goes to
``default``, as before.

What goes where:
- Writes always go to the primary (``default``), and so does every read outside the views in
  ``REPLICA_VIEWS`` (a form's checks, a save's own re-reads, the API, tasks): they must see the
  latest rows.
- During a GET or HEAD of a view in ``REPLICA_VIEWS`` (the chain dashboard: read-only, the most
  read page), reads go to the replica, except those of ``PRIMARY_APPS`` (sessions, sign-in,
  two-factor and lockout state, tokens), which must read what was just written.
- Read-your-writes: after a person's own write (any POST, PUT, PATCH or DELETE) a cookie pins their
  pages to the primary for DATABASE_REPLICA_PIN_SECONDS, longer than the replica normally lags,
  so whoever saved a figure sees it on the dashboard at once. Others may see it up to the
  replication lag later. A forged cookie only sends its owner to the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Views (by URL name) whose GETs read from the replica: read-only pages that tolerate seconds of lag.
REPLICA_VIEWS = frozenset({"ambitions:chain_dashboard"})
# Apps whose rows decide who the reader is and what they may do right now: always the primary.
PRIMARY_APPS = frozenset({"sessions", "auth", "contenttypes", "axes", "otp_totp", "otp_static", "authtoken"})
PIN_COOKIE = "kp_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD"})

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Within this block, reads (of models outside PRIMARY_APPS) go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_active() -> bool:
    return _replica_reads.get()


class ReplicaRouter:
    """Reads to the replica only inside ``reads_from_replica()``; writes and migrations never."""

    def db_for_read(self, model, **hints) -> str:
        if _replica_reads.get() and model._meta.app_label not in PRIMARY_APPS:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the primary's rows: an object read there may point at one read here.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        # The replica follows the primary's schema through replication; never migrate it directly.
        return db == DEFAULT_DB_ALIAS


def pinned_to_primary(request: HttpRequest, now: float | None = None) -> bool:
    """Whether this browser wrote something less than DATABASE_REPLICA_PIN_SECONDS ago."""
    raw = request.COOKIES.get(PIN_COOKIE, "")
    try:
        until = float(raw)
    except ValueError:
        return False
    return (time.time() if now is None else now) < until


class ReplicaReadsMiddleware:
    """Sends the reads of the views in REPLICA_VIEWS to the replica (unless the browser is pinned
    to the primary) and pins a browser to the primary after each of its writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _replica_reads.reset(token)
                request._replica_token = None
        if request.method not in SAFE_METHODS:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.view_name in REPLICA_VIEWS
            and not pinned_to_primary(request)
        ):
            request._replica_token = _replica_reads.set(True)
        return None
