"""Matrix rows of the quarterly newsletter (governance/views/newsletters.py); see
tests/matrix/recognition/__init__.py.

- The archive is every member's (READ); the edit page and its item steps are the programme
  manager's (Action.MANAGE_NEWSLETTERS: MANAGE), checked on the chain before the edition is looked up.
- A sent edition's web page, PDF and logo answer anyone with its token, signed in or not; a draft's
  token and an unknown token are not found (404), for everyone alike.

Objects: ``newsletter`` (a draft edition with two items per target: zsm Q1 and Q2 2002, jeugd Q1
2002) and ``newsletter_tokens`` (a sent edition's token, a draft's, an unknown one).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.utils import timezone

from governance.models.newsletters import ItemKind, Newsletter, NewsletterItem, NewsletterStatus
from tests.matrix.objects import Objects, Url, in_chain, of
from tests.matrix.policy import MANAGE, OK, OTHER, PARTNER_A, PARTNER_B, READ
from tests.matrix.rows import Row, posting

SENT, DRAFT, UNKNOWN = "sent_token", "draft_token", "unknown_token"


def BY_TOKEN(persona: str, target: str) -> int | str:
    """A sent edition for anyone, signed in or not; a draft or an unknown token is not found."""
    return OK if target == SENT else 404


def tokens() -> Url:
    return Url((SENT, DRAFT, UNKNOWN), lambda o, t: {"token": o.by_kind["newsletter_tokens"][t]})


def version(o: Objects, target: str) -> int:
    return Newsletter.objects.get(pk=o.get("newsletter", target).pk).version


def introduction(o: Objects, target: str) -> str:
    return Newsletter.objects.get(pk=o.get("newsletter", target).pk).introduction


def new_introduction(o: Objects, target: str) -> dict:
    return {"introduction": f"Matrix {uuid.uuid4().hex[:8]}"}


def first_item_down() -> Url:
    """The edition's first item one place down, from the page as it is now (its current version)."""

    def kwargs(o: Objects, target: str) -> dict:
        newsletter = Newsletter.objects.get(pk=o.get("newsletter", target).pk)
        first = newsletter.items.order_by("position", "pk").first()
        data = {"item": first.pk, "step": "down", "version": newsletter.version}
        return {**of("newsletter").kwargs(o, target), "_data": data}

    return Url(of("newsletter").targets, kwargs)


ROWS: list[Row] = [
    Row("governance-newsletters:newsletter_list", in_chain(), READ),
    Row("governance-newsletters:newsletter_edit", of("newsletter"), MANAGE),
    posting("governance-newsletters:newsletter_edit", of("newsletter"), MANAGE, new_introduction, introduction),
    Row("governance-newsletters:newsletter_item", first_item_down(), MANAGE, method="post", state=version),
    Row("governance-newsletters-public:newsletter_public", tokens(), BY_TOKEN),
    Row("governance-newsletters-public:newsletter_public_pdf", tokens(), BY_TOKEN),
    Row("governance-newsletters-public:newsletter_public_logo", tokens(), BY_TOKEN),
]


def _edition(chain, quarter: date, status: str = NewsletterStatus.DRAFT) -> Newsletter:
    newsletter = Newsletter.objects.create(chain=chain, quarter=quarter, introduction="Welkom.")
    NewsletterItem.objects.bulk_create(
        [
            NewsletterItem(
                newsletter=newsletter, kind=ItemKind.STORY, position=1, title="Snelrecht", text="Het werkte."
            ),
            NewsletterItem(newsletter=newsletter, kind=ItemKind.PARTNER, position=2, title="Slachtofferhulp"),
        ]
    )
    if status != NewsletterStatus.DRAFT:
        Newsletter.objects.filter(pk=newsletter.pk).update(status=status, sent_at=timezone.now())
    return newsletter


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind`` (quarters of 2002: no other
    module uses them)."""
    found.by_kind["newsletter"] = {
        PARTNER_A: _edition(w.chain, date(2002, 1, 1)),
        PARTNER_B: _edition(w.chain, date(2002, 4, 1)),
        OTHER: _edition(w.other_chain, date(2002, 1, 1)),
    }
    sent = _edition(w.chain, date(2002, 7, 1), NewsletterStatus.SENT)
    found.by_kind["newsletter_tokens"] = {
        SENT: sent.public_token,
        DRAFT: found.by_kind["newsletter"][PARTNER_A].public_token,
        UNKNOWN: uuid.uuid4(),
    }
