"""Matrix rows of contributions (stakeholders/views/contributions.py and its API);
see tests/matrix/partner_health/__init__.py.

The pages are every member's (READ). Committing and changing a commitment is the programme
manager's and administrators' (Action.MANAGE_CONTRIBUTIONS: MANAGE, the chain checked before the
object is looked up); reporting a delivery is also the partner's own lead's (Action.REPORT_DELIVERIES:
PARTNER_WRITE, the commitment looked up first). Each target has a money commitment of its partner.
"""

from __future__ import annotations

from stakeholders.models.contributions import Contribution
from tests.matrix.objects import Objects, api_of, in_chain, of, plain
from tests.matrix.policy import API, MANAGE, OTHER, PARTNER_A, PARTNER_B, PARTNER_WRITE, READ
from tests.matrix.rows import Row, posting

YEAR = 2026


def a_commitment(o: Objects, target: str) -> dict:
    partnership = o.get("partnership", OTHER if target == OTHER else PARTNER_A)
    return {"partnership": partnership.pk, "year": YEAR, "kind": "people", "amount": "2,5"}


def commitment_count(o: Objects, target: str) -> int:
    chain = o.world.other_chain if target == OTHER else o.world.chain
    return Contribution.objects.filter(partnership__chain=chain).count()


def a_new_amount(o: Objects, target: str) -> dict:
    return {"amount": "4321"}


def committed_amount(o: Objects, target: str):
    return Contribution.objects.filter(pk=o.get("contribution", target).pk).values_list("amount", flat=True).get()


def a_delivery(o: Objects, target: str) -> dict:
    return {"delivered_amount": "123", "delivered_note": "Matrix"}


def delivered(o: Objects, target: str) -> list:
    contribution = o.get("contribution", target)
    return list(contribution.deliveries.order_by("quarter").values_list("delivered_amount", flat=True))


ROWS: list[Row] = [
    Row("stakeholders:contribution_list", in_chain(), READ),
    Row("stakeholders:contribution_partner", of("partnership"), READ),
    Row("stakeholders:contribution_detail", of("contribution"), READ),
    Row("stakeholders:contribution_create", in_chain(), MANAGE),
    posting("stakeholders:contribution_create", in_chain(), MANAGE, a_commitment, commitment_count),
    Row("stakeholders:contribution_edit", of("contribution"), MANAGE),
    posting("stakeholders:contribution_edit", of("contribution"), MANAGE, a_new_amount, committed_amount),
    Row("stakeholders:delivery_report", of("contribution"), PARTNER_WRITE),
    posting("stakeholders:delivery_report", of("contribution"), PARTNER_WRITE, a_delivery, delivered),
    Row("stakeholders-api:contribution-list", plain(), API),
    Row("stakeholders-api:contribution-detail", api_of("contribution"), API),
]


def add_objects(w, found) -> None:
    """A money commitment of this year's partner per target: A's, B's and the other chain's C's."""
    found.by_kind["contribution"] = {}
    for target, partnership in ((PARTNER_A, w.partner_a), (PARTNER_B, w.partner_b), (OTHER, w.partner_c)):
        contribution = Contribution.objects.create(partnership=partnership, year=YEAR, kind="money", amount=1000)
        contribution.plan_deliveries()
        found.by_kind["contribution"][target] = contribution
