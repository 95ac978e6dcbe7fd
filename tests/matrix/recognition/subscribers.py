"""Matrix rows of the newsletter's mailing (governance/urls_mailing.py); see
tests/matrix/recognition/__init__.py.

- The sign-up, confirm and unsubscribe pages are public: anonymous callers and everyone signed in
  get the same (the link's token is the credential; a forged or unknown one is not found, 404).
  Sign-up exists for every chain, the other chain's too: a newsletter is for outsiders.
- Sending is the programme manager's (Action.MANAGE_NEWSLETTERS: MANAGE), checked on the chain
  before the edition is looked up.

Objects: ``newsletter_to_send`` (a draft edition per target), ``signup_subscriber`` (an unconfirmed
subscriber of zsm), tokens for its confirmation and unsubscribe links and lead A's member link.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.cache import cache

from governance.models.newsletters import Newsletter
from governance.models.subscribers import NewsletterOptOut, Subscriber
from governance.services import subscribers as service
from tests.matrix.objects import Objects, Url, in_chain, of
from tests.matrix.policy import FORGED, MANAGE, OK, OTHER, PARTNER_A, PARTNER_B, PUBLIC
from tests.matrix.rows import Row, posting

VALID, UNKNOWN, MEMBER = "valid_token", "unknown_token", "member_token"


def TOKEN(persona: str, target: str) -> int | str:
    """Whoever holds a valid link, signed in or not; any other link is not found."""
    return 404 if target == UNKNOWN else OK


def confirm_tokens() -> Url:
    return Url(
        (VALID, UNKNOWN),
        lambda o, t: {"slug": "zsm", "token": o.by_kind["mailing_tokens"][VALID if t == VALID else UNKNOWN]},
    )


def unsubscribe_tokens() -> Url:
    return Url((VALID, MEMBER, UNKNOWN), lambda o, t: {"slug": "zsm", "token": o.by_kind["unsubscribe_tokens"][t]})


def new_address(o: Objects, target: str) -> dict:
    return {"email": f"matrix-{uuid.uuid4().hex[:12]}@example.nl"}


def signups(o: Objects, target: str) -> list:
    # Every caller posts from 127.0.0.1: the throttle's count for it starts again for each request,
    # so the matrix sees the rule and not the limit (tests/governance/test_subscribers.py tests that).
    cache.delete(service.throttle_key("newsletter-signup-ip", "127.0.0.1"))
    return sorted(Subscriber.objects.values_list("chain_id", "email", "secret"))


def confirmed(o: Objects, target: str) -> list:
    return list(Subscriber.objects.values_list("pk", "confirmed_at"))


def unsubscribed(o: Objects, target: str) -> tuple:
    return (
        sorted(Subscriber.objects.values_list("pk", flat=True)),
        sorted(NewsletterOptOut.objects.values_list("person_id", flat=True)),
    )


def nothing(o: Objects, target: str) -> dict:
    return {}


def edition_status(o: Objects, target: str) -> str:
    return Newsletter.objects.get(pk=o.get("newsletter_to_send", target).pk).status


ROWS: list = [
    Row("mailing:subscriber_signup", in_chain(), PUBLIC),
    posting("mailing:subscriber_signup", in_chain(), PUBLIC, new_address, signups),
    Row("mailing:subscriber_signup_sent", in_chain(), PUBLIC),
    Row("mailing:subscriber_confirm", confirm_tokens(), TOKEN),
    posting("mailing:subscriber_confirm", confirm_tokens(), TOKEN, nothing, confirmed),
    Row("mailing:unsubscribe", unsubscribe_tokens(), TOKEN),
    posting("mailing:unsubscribe", unsubscribe_tokens(), TOKEN, nothing, unsubscribed),
    Row("mailing:newsletter_send", of("newsletter_to_send"), MANAGE),
    posting("mailing:newsletter_send", of("newsletter_to_send"), MANAGE, nothing, edition_status),
]


def add_objects(w, found) -> None:
    """A draft edition per target (in quarters no other module uses), an unconfirmed subscriber
    of zsm and the links to it, and lead A's unsubscribe link as a member."""
    a = Newsletter.objects.create(chain=w.chain, quarter=date(2001, 1, 1))
    b = Newsletter.objects.create(chain=w.chain, quarter=date(2001, 4, 1))
    c = Newsletter.objects.create(chain=w.other_chain, quarter=date(2001, 1, 1))
    found.by_kind["newsletter_to_send"] = {PARTNER_A: a, PARTNER_B: b, OTHER: c, FORGED: c}
    subscriber = Subscriber.objects.create(chain=w.chain, email="matrix-subscriber@example.nl")
    found.by_kind["mailing_tokens"] = {VALID: service.confirm_token(subscriber), UNKNOWN: "no-such-token"}
    found.by_kind["unsubscribe_tokens"] = {
        VALID: service.subscriber_unsubscribe_token(subscriber),
        MEMBER: service.member_unsubscribe_token(w.chain, w.lead_a),
        UNKNOWN: "no-such-token",
    }
