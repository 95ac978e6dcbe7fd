"""Parts of pages kept rendered in the shared cache under revision tokens.

A page part that every reader with the same rights sees the same (a meeting's agenda, attendance
and minutes; the decision register's table) is rendered once and kept; the next reader gets it
with one round trip to the cache. It stays true because the entry holds the **tokens** it was
rendered under (ketenportaal/revisions.py: a chain's governance revision, the roster revision),
which every write of what it shows renews, and the **key** holds everything else it depends on:
what the caller names (the object, the reader's rights, the query), the language, the time zone,
the day (states that change by the calendar) and the database.

What differs per request is put back on every request: a part is rendered with marks in place of
the CSRF token and the CSP nonce, and the marks are replaced by this request's own when served, so
no reader ever gets another's token or nonce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

CSRF_MARK = "kp-kept-csrf-token"
NONCE_MARK = "kp-kept-csp-nonce"
# How long a part is kept when nothing changes. The tokens decide freshness; this only bounds what
# an entry from before a deployment (a changed template) can still serve.
KEPT_SECONDS = 60 * 60


@dataclass(frozen=True)
class Token:
    """A revision token: where it is in the cache, and how to read (or start) it when missing."""

    key: str
    current: Callable[[], str]


def _entry_key(parts: Sequence[object]) -> str:
    named = "\x1f".join(
        [
            connection.settings_dict["NAME"],
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
            *(str(part) for part in parts),
        ]
    )
    return "kept:" + hashlib.blake2b(named.encode(), digest_size=16).hexdigest()


def fetch[T](parts: Sequence[object], tokens: Sequence[Token], build: Callable[[], T]) -> T:
    """The part named by ``parts`` (rendered HTML, or anything the cache can keep): kept when every
    token is as it was, else ``build()`` and kept. Tokens are read before building, so a write
    during the build leaves an entry that the next read no longer accepts (never a newer token
    over older data)."""
    key = _entry_key(parts)
    found = cache.get_many([key, *(token.key for token in tokens)])
    now = tuple(found.get(token.key) or token.current() for token in tokens)
    entry = found.get(key)
    if entry is not None and entry[0] == now:
        return entry[1]
    value = build()
    cache.set(key, (now, value), KEPT_SECONDS)
    return value


def personal(html: str, csrf_token: object, csp_nonce: object) -> SafeString:
    """A kept part with this request's CSRF token and CSP nonce in place of the marks."""
    return mark_safe(html.replace(CSRF_MARK, str(csrf_token or "")).replace(NONCE_MARK, str(csp_nonce or "")))  # noqa: S308 - rendered by our templates, escaped there
