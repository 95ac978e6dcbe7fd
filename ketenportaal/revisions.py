"""Revision tokens per chain in the shared cache: a token that changes whenever something a kept
rendering was built from changes, so the rendering can be kept under it and is never served once
the data behind it has moved on. ``ambitions/services/data_revision.py`` (the dashboard's figures)
explains the design; each kind of data has its own tokens (``ChainRevisions("data-revision")``,
``ChainRevisions("bottleneck-revision")``), so a saved figure does not empty the caches of what
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
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction


class ChainRevisions:
    """One kind of token, one per chain (``prefix`` names the kind in the cache's keys)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def key(self, chain_id: int) -> str:
        return f"{self.prefix}:{connection.settings_dict['NAME']}:{chain_id}"

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
        if not keys:
            return

        def renew() -> None:
            cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)

        renew()
        if connection.in_atomic_block:
            # robust: the data is committed by then; a cache that fails now must not fail the
            # request (kept renderings expire within their own timeout anyway).
            transaction.on_commit(renew, robust=True)
