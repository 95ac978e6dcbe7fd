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
- Caught up, or not at all: at the request's first read that would go to the replica, the
  replica's replayed WAL position is compared with the primary's current one (two one-row
  queries); a replica that lags, or does not answer, leaves the whole request on the primary. So
  a page never mixes rows of two moments. The dashboard checks once more right after it reads the
  chain's data revision (``confirm_caught_up``), so that what it keeps in its cache under that
  revision is never older than it: a write that committed between the first check and that read
  sends the rest of the request to the primary.
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
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Views (by URL name) whose GETs read from the replica: read-only pages that tolerate seconds of lag.
REPLICA_VIEWS = frozenset({"ambitions:chain_dashboard"})
# Apps whose rows decide who the reader is and what they may do right now: always the primary.
PRIMARY_APPS = frozenset({"sessions", "auth", "contenttypes", "axes", "otp_totp", "authtoken"})
PIN_COOKIE = "kp_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Where this request's data reads go: OFF (the primary), UNCHECKED (the replica if it has caught up,
# decided at the first such read), REPLICA or PRIMARY (decided).
OFF, UNCHECKED, ON_REPLICA, ON_PRIMARY = "off", "unchecked", "replica", "primary"
_reads: ContextVar[str] = ContextVar("replica_reads", default=OFF)


@contextmanager
def reads_from_replica(checked: bool = True) -> Iterator[None]:
    """Within this block, reads (of models outside PRIMARY_APPS) go to the replica; with
    ``checked=False`` only once the replica proves caught up (what the middleware does)."""
    token = _reads.set(ON_REPLICA if checked else UNCHECKED)
    try:
        yield
    finally:
        _reads.reset(token)


def replica_reads_active() -> bool:
    return _reads.get() in (UNCHECKED, ON_REPLICA)


def replica_caught_up(primary: str = DEFAULT_DB_ALIAS, replica: str = REPLICA) -> bool:
    """Whether the replica has replayed everything the primary has written by now. A server that
    is not in recovery (not a streaming replica) counts as caught up; one that fails does not."""
    try:
        with connections[primary].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (position,) = cursor.fetchone()
        with connections[replica].cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, NOT pg_is_in_recovery())", [position]
            )
            (caught_up,) = cursor.fetchone()
    except DatabaseError:
        return False
    return bool(caught_up)


def confirm_caught_up() -> None:
    """For a view that has just read something naming a moment of the primary's data (the chain's
    data revision) and will keep what it renders under it: if this request reads the replica, the
    replica must have replayed up to now, or the rest of the request reads the primary. Nothing to
    do (and no query) when the replica is off or not in use for this request."""
    if _reads.get() != ON_REPLICA:
        return
    checks = [r for r in router.routers if isinstance(r, ReplicaRouter)]
    if checks and not checks[0].caught_up():
        _reads.set(ON_PRIMARY)


class ReplicaRouter:
    """Reads to the replica only inside ``reads_from_replica()``; writes and migrations never."""

    def caught_up(self) -> bool:
        return replica_caught_up()

    def db_for_read(self, model, **hints) -> str:
        state = _reads.get()
        if state == OFF or model._meta.app_label in PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        if state == UNCHECKED:
            state = ON_REPLICA if self.caught_up() else ON_PRIMARY
            _reads.set(state)  # for the rest of the request (the middleware resets it)
        return REPLICA if state == ON_REPLICA else DEFAULT_DB_ALIAS

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
                _reads.reset(token)
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
            request._replica_token = _reads.set(UNCHECKED)
        return None
