"""Revision tokens per chain in the shared cache: a token that changes whenever something a kept
rendering was built from changes, so the rendering can be kept under it and is never served once
the data behind it has moved on. ``ambitions/services/data_revision.py`` (the dashboard's figures)
explains the design; each kind of data has its own tokens (``RevisionTokens("data-revision")``,
``RevisionTokens("bottleneck-revision")``), so a saved figure does not empty the caches of what
governance shows, and the other way round.

- A random token, not a counter: ids come back (SQLite, a recreated test database), and a counter
  evicted from the cache would start again at a number earlier entries were stored under.
- The key carries the database's name: two databases may share one Redis (test workers, staging
  beside production).
- ``bump`` sets a new token at once (the writer's own transaction sees it) and again when the
  transaction commits: a request that read the new token before the commit may have rendered the
  old data under it, and the second token retires that rendering.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction

from ketenportaal.kept import Token


class RevisionTokens:
    """One kind of token, one per chain (or per row of another kind: an indicator's figures);
    ``prefix`` names the kind in the cache's keys."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def key(self, chain_id: int) -> str:
        return f"{self.prefix}:{connection.settings_dict['NAME']}:{chain_id}"

    def token(self, chain_id: int) -> Token:
        """The chain's token as ketenportaal.kept reads it (with the others, in one round trip)."""
        return Token(self.key(chain_id), lambda: self.current(chain_id))

    def current(self, chain_id: int) -> str:
        """The chain's token now (one cache read; a missing one, e.g. evicted, is started afresh)."""
        key = self.key(chain_id)
        token = cache.get(key)
        if token is None:
            token = secrets.token_hex(8)
            if not cache.add(key, token, timeout=None):  # another process started it first
                token = cache.get(key) or token
        return token

    def bump(self, chain_ids: Iterable[int | None]) -> None:
        """Give each of ``chain_ids`` a new token, now and again when the transaction commits."""
        keys = [self.key(chain_id) for chain_id in sorted({i for i in chain_ids if i})]
        if keys:
            renew(keys)
            if connection.in_atomic_block:
                renew_on_commit(keys)


def renew(keys: Iterable[str]) -> None:
    cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)


class _OnCommit:
    """The keys to renew once the transaction commits: one callback per transaction, however many
    rows it writes (an import or a sweep writes hundreds)."""

    revision_renewal = True  # tests that count a transaction's callbacks pass over these

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def __call__(self) -> None:
        if getattr(_state, "pending", None) is self:
            _state.pending = None
        renew(self.keys)


_state = threading.local()


def renew_on_commit(keys: Iterable[str]) -> None:
    pending = getattr(_state, "pending", None)
    # A callback of a transaction rolled back (or already run) is no longer queued: start another.
    if pending is None or not any(queued[1] is pending for queued in connection.run_on_commit):
        pending = _state.pending = _OnCommit()
        # robust: the data is committed by then; a cache that fails now must not fail the request
        # (kept renderings expire within their own timeout anyway).
        transaction.on_commit(pending, robust=True)
    pending.keys.update(keys)
