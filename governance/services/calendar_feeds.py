"""A person's calendar feed: a secret address (``webcal://…/agenda/<token>.ics``) that a calendar
application reads without signing in, with every meeting of every body the person sits in (as
member or alternate) in the chains they are a member of.

Only the token's SHA-256 is stored (``CalendarFeed.token_hash``); the address is shown once, when
it is made. Renewing makes a new token and replaces the hash, so the old address stops working
(404) at once. The feed costs two queries, however many meetings it holds.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.db.models import Q, QuerySet

from stakeholders.models import Membership, Person

from ..models import BodyMember, CalendarFeed, Meeting


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew(person: Person) -> str:
    """A new token for ``person``'s feed (the first, or one that replaces the old): the raw token,
    to be shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(person=person, defaults={"token_hash": token_hash(token)})
    return token


def person_for(token: str) -> Person | None:
    """Whose feed the token opens: an active person, or None (unknown, renewed, or deactivated)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("person").filter(token_hash=token_hash(token)).first()
    if feed is None or not feed.person.is_active:
        return None
    return feed.person


def meetings_for(person: Person) -> QuerySet[Meeting]:
    """Every meeting of every body the person sits in (member or alternate) in the chains they are
    a member of, with what the calendar shows (body, chain, host)."""
    chains = Membership.objects.filter(person=person).values("chain_id")
    bodies = BodyMember.objects.filter(Q(person=person) | Q(alternate=person), body__chain_id__in=chains).values(
        "body_id"
    )
    return (
        Meeting.objects.filter(body_id__in=bodies)
        .select_related("body__chain", "host__organisation")
        .order_by("starts_at", "pk")
    )
