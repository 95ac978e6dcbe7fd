"""What a person could be asked to do, read once for the whole *My work* page.

Most fragments of My work (stakeholders/registry.py) can only hold something for a person with a
particular role or mandate: signatures wait only for someone who may sign for a partner, approvals
only for someone who may approve figures, a programme manager's lists only for a programme
manager. Asked on its own, each fragment finds that out inside its own query, and PostgreSQL then
weighs every agreement party, submission or proposal of the installation against the person's
mandates — tens of milliseconds for what is nearly always nothing.

So the My work view reads the person's roles and usable mandates once (``shared_for``: the roles
come with the view's list of chains, the mandates are one small indexed query) and lends them to
the fragments for the length of the request; a fragment asks ``lent(user)`` and, when it gets an
answer, skips its query when the person holds nothing that could give it items, or narrows its
query to the partners the person may act for. A fragment called anywhere else (its own tests,
another page) gets ``None`` and reads as it always did, so the snapshot can never go stale: it
lives no longer than one My work request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from stakeholders.models import Mandate, Membership

_ATTRIBUTE = "_my_work_roles"


@dataclass(frozen=True)
class MyRoles:
    day: date
    roles: dict[int, str]  # chain id → the person's role there
    mandates: dict[str, frozenset[int]]  # scope → the partnerships the person may act for that day

    def has_role(self, *roles: str) -> bool:
        return any(role in roles for role in self.roles.values())

    def chains_as(self, *roles: str) -> list[int]:
        return sorted(chain_id for chain_id, role in self.roles.items() if role in roles)

    def partnerships_for(self, scope: str) -> frozenset[int]:
        return self.mandates.get(scope, frozenset())


def read(user, day: date | None = None, roles: dict[int, str] | None = None) -> MyRoles:
    """The person's roles per chain (unless given: the caller read them already) and usable
    mandates (Mandate.objects.usable_on): one query each."""
    day = day or timezone.localdate()
    if roles is None:
        roles = dict(Membership.objects.filter(person=user).values_list("chain_id", "role"))
    mandates: dict[str, set[int]] = {}
    for scope, partnership_id in (
        Mandate.objects.usable_on(day).filter(person=user).values_list("scope", "partnership_id")
    ):
        mandates.setdefault(scope, set()).add(partnership_id)
    return MyRoles(day, roles, {scope: frozenset(ids) for scope, ids in mandates.items()})


def lent(user, day: date | None = None) -> MyRoles | None:
    """The roles the My work view read for this request, or None outside it (or for another day)."""
    roles = getattr(user, _ATTRIBUTE, None)
    if roles is None or (day is not None and day != roles.day):
        return None
    return roles


@contextmanager
def shared_for(user, roles: dict[int, str] | None = None) -> Iterator[MyRoles | None]:
    """Within the block, fragments asking ``lent(user)`` get the person's roles (``roles``: chain id
    → role, every membership of the person, when the caller has read them), read once."""
    if not user.is_authenticated:
        yield None
        return
    held = read(user, roles=roles)
    setattr(user, _ATTRIBUTE, held)
    try:
        yield held
    finally:
        delattr(user, _ATTRIBUTE)
