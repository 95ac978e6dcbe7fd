"""Matrix rows of governance's calendars (views/calendar.py; see tests/matrix/governance/__init__.py):
a meeting as .ics, a person's calendar-feed page and the feed itself, whose token is its credential.

Objects: ``calendar_feed``, lead A's feed token (``valid_token``).
"""

from __future__ import annotations

from governance.models import CalendarFeed
from governance.services import calendar_feeds
from tests.matrix.objects import Objects, Url, in_chain, of
from tests.matrix.policy import OK, READ
from tests.matrix.rows import Row, posting

VALID, UNKNOWN = "valid_token", "unknown_token"


def FEED(persona: str, target: str) -> int | str:
    """The feed answers whoever holds a valid token, signed in or not; any other token is not found."""
    return OK if target == VALID else 404


def feed_tokens() -> Url:
    return Url(
        (VALID, UNKNOWN), lambda o, t: {"token": o.by_kind["calendar_feed"][VALID] if t == VALID else "no-such-token"}
    )


def nothing(o: Objects, target: str) -> dict:
    return {}


def feed_hashes(o: Objects, target: str) -> set[str]:
    """Every feed's token hash: making or renewing one changes them."""
    return set(CalendarFeed.objects.values_list("token_hash", flat=True))


ROWS: list = [
    Row("governance:meeting_ics", of("meeting"), READ),
    Row("governance:calendar_feed", in_chain(), READ),
    # The answer shows the new address, once (200).
    posting("governance:calendar_feed", in_chain(), READ, nothing, feed_hashes, ok_status=200),
    Row("governance-feed:calendar_feed_ics", feed_tokens(), FEED),
]


def add_objects(w, found) -> None:
    """Lead A's calendar feed; the rows use its token."""
    found.by_kind["calendar_feed"] = {VALID: calendar_feeds.renew(w.lead_a)}
