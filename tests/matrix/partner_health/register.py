"""Matrix rows of the stakeholder register (stakeholders/views/register.py and its API);
see tests/matrix/partner_health/__init__.py.

Every member reads; keeping the register is the programme manager's (``MANAGE``, checked on the
chain before the stakeholder is looked up); a contact is logged by the programme manager or the
stakeholder's owner (``LOG``: stakeholder A is owned by lead A, B by lead B, the other chain's by
nobody), the stakeholder looked up first.
"""

from __future__ import annotations

from django.utils import timezone

from stakeholders.models.register import Stakeholder, StakeholderContact
from tests.matrix.objects import api_of, in_chain, of, plain
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    API,
    FORGED,
    LEAD_A,
    LOGIN,
    MANAGE,
    MANAGER,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
)
from tests.matrix.rows import Row, posting


def LOG(persona: str, target: str) -> int | str:
    """Logging a contact: the programme manager, administrators and the stakeholder's owner."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    if persona in (MANAGER, ADMIN) or (persona == LEAD_A and target == PARTNER_A):
        return OK
    return 403


def _chain(o, target: str):
    return o.world.other_chain if target in (OTHER, FORGED) else o.world.chain


def a_new_stakeholder(o, target: str) -> dict:
    return {"name": "Matrix-omgevingspartij", "influence": "2", "interest": "4", "owner": ""}


def stakeholder_count(o, target: str) -> int:
    return Stakeholder.objects.filter(chain=_chain(o, target)).count()


def _row(o, kind: str, target: str):
    return Stakeholder.objects.filter(pk=o.get(kind, target).pk)


def new_influence(o, target: str) -> dict:
    return {"influence": "1"}


def influence(o, target: str) -> int:
    return _row(o, "stakeholder", target).values_list("influence", flat=True).get()


def is_active(o, target: str) -> bool:
    return _row(o, "stakeholder", target).values_list("is_active", flat=True).get()


def inactive_is_active(o, target: str) -> bool:
    return _row(o, "inactive_stakeholder", target).values_list("is_active", flat=True).get()


def a_contact(o, target: str) -> dict:
    return {"on": timezone.localdate().isoformat(), "kind": "call", "summary": "Matrix: gebeld."}


def contact_count(o, target: str) -> int:
    return StakeholderContact.objects.filter(stakeholder=o.get("stakeholder", target)).count()


ROWS: list[Row] = [
    Row("stakeholders:stakeholder_list", in_chain(), READ),
    Row("stakeholders:stakeholder_grid", in_chain(), READ),
    Row("stakeholders:stakeholder_create", in_chain(), MANAGE),
    posting("stakeholders:stakeholder_create", in_chain(), MANAGE, a_new_stakeholder, stakeholder_count),
    Row("stakeholders:stakeholder_detail", of("stakeholder"), READ),
    Row("stakeholders:stakeholder_edit", of("stakeholder"), MANAGE),
    posting("stakeholders:stakeholder_edit", of("stakeholder"), MANAGE, new_influence, influence),
    Row("stakeholders:stakeholder_deactivate", of("stakeholder"), MANAGE),
    Row("stakeholders:stakeholder_deactivate", of("stakeholder"), MANAGE, method="post", state=is_active),
    Row("stakeholders:stakeholder_reactivate", of("inactive_stakeholder"), MANAGE),
    Row(
        "stakeholders:stakeholder_reactivate",
        of("inactive_stakeholder"),
        MANAGE,
        method="post",
        state=inactive_is_active,
    ),
    Row("stakeholders:stakeholder_log_contact", of("stakeholder"), LOG),
    posting("stakeholders:stakeholder_log_contact", of("stakeholder"), LOG, a_contact, contact_count),
    Row("stakeholders-api:stakeholder-list", plain(), API),
    Row("stakeholders-api:stakeholder-detail", api_of("stakeholder"), API),
]


def add_objects(w, found) -> None:
    """Per target an active ``stakeholder`` (A owned by lead A, B by lead B, the other chain's by
    nobody) and an ``inactive_stakeholder``."""
    chains = {PARTNER_A: w.chain, PARTNER_B: w.chain, OTHER: w.other_chain}
    owners = {PARTNER_A: w.lead_a, PARTNER_B: w.lead_b, OTHER: None}
    found.by_kind["stakeholder"] = {
        target: Stakeholder.objects.create(
            chain=chain, name=f"Matrix-partij {target}", influence=4, interest=3, owner=owners[target]
        )
        for target, chain in chains.items()
    }
    found.by_kind["inactive_stakeholder"] = {
        target: Stakeholder.objects.create(
            chain=chain, name=f"Matrix-oud {target}", influence=2, interest=2, is_active=False
        )
        for target, chain in chains.items()
    }
