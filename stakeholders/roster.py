"""The roster revision: a token that changes whenever who-is-who in the chains may have changed —
partnerships, organisations and their units, people, their roles (memberships), mandates and
stand-ins. Pages that show the same roster to everyone who may read them (an indicator proposal's
"where the decision stands": who may answer for each core partner) keep their rendering in the
cache under this token, so a change is on the page at once.

One token for all chains: these rows change seldom (an administrator's step), while the pages that
read them are read all day, so a change that empties every chain's cached pages costs little and
keeps the bookkeeping impossible to get wrong.

A random token, not a counter: a counter evicted from the cache would start again at a number
that earlier entries were stored under. The token is changed at once (so a request later in the
same transaction sees the change) and again when the transaction commits (so a page read by
another request between the two, from the data before the commit, is not reused).
"""

from __future__ import annotations

from uuid import uuid4

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from ketenportaal.kept import Token

# What a login writes (stakeholders.Person.last_login) and other bookkeeping that changes nobody's
# place in a chain: saves of only these fields keep the token.
BOOKKEEPING_FIELDS = frozenset({"last_login"})


def _key() -> str:
    # The database's name: test workers (and staging beside production) may share one Redis.
    return f"roster-revision:{connection.settings_dict['NAME']}"


def revision() -> str:
    """The current token (one cache read)."""
    token = cache.get(_key())
    if token is None:
        cache.add(_key(), uuid4().hex, None)
        token = cache.get(_key()) or "new"
    return token


def token() -> Token:
    """The token as ketenportaal.kept reads it (with the others, in one round trip)."""
    return Token(_key(), revision)


def _renew() -> None:
    cache.set(_key(), uuid4().hex, None)


def changed(sender=None, update_fields=None, **kwargs) -> None:
    """Signal receiver: a roster row was saved or deleted."""
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    _renew()
    transaction.on_commit(_renew)


def connect() -> None:
    """Listen to the roster's models (StakeholdersConfig.ready())."""
    from stakeholders.models import Mandate, Membership, Organisation, Partnership, Person, StandIn, Unit

    for model in (Partnership, Organisation, Unit, Person, Membership, Mandate, StandIn):
        uid = f"roster-revision:{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}:delete")
