"""Matrix rows of issue 15: stand-ins (stakeholders/views/stand_ins.py); see
tests/matrix/closing_loop/__init__.py.

Naming a stand-in and ending one early is for the absent lead (partner A's lead for partner A) and
the programme manager (and administrators): Action.NAME_STAND_IN, which PARTNER_WRITE describes.
Each target's partner has a lead with a mandate (build_objects), a colleague who can stand in and
one coming stand-in (days 1–5) to end; the form names another for days 10–12. The API lists them
read only, to every member of the chain, as the partner page does (API).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from stakeholders.models import Role, StandIn
from stakeholders.models.stand_ins import name_stand_in
from tests.factories import MembershipFactory, PersonFactory
from tests.matrix.objects import Objects, api_of, custom, of, plain
from tests.matrix.policy import API, FORGED, OTHER, PARTNER_A, PARTNER_B, PARTNER_WRITE
from tests.matrix.rows import Row, posting


def _day(n: int):
    return timezone.localdate() + timedelta(days=n)


def another_stand_in(o: Objects, target: str) -> dict:
    lead, colleague = o.get("stand_in_people", target)
    return {"lead": lead.pk, "stand_in": colleague.pk, "starts_on": _day(10), "ends_on": _day(12), "reason": ""}


def stand_in_count(o: Objects, target: str) -> int:
    return StandIn.objects.filter(partnership=o.get("partnership", target)).count()


def the_stand_in(o: Objects, target: str) -> dict:
    stand_in = o.get("stand_in", target)
    return {"slug": o.slug(target), "pk": stand_in.partnership_id, "stand_in_pk": stand_in.pk}


ROWS: list[Row] = [
    Row("stakeholders:stand_in_create", of("partnership"), PARTNER_WRITE),
    posting("stakeholders:stand_in_create", of("partnership"), PARTNER_WRITE, another_stand_in, stand_in_count),
    Row(
        "stakeholders:stand_in_end",
        custom((PARTNER_A, PARTNER_B, OTHER, FORGED), the_stand_in),
        PARTNER_WRITE,
    ),
    Row(
        "stakeholders:stand_in_end",
        custom((PARTNER_A, PARTNER_B, OTHER, FORGED), the_stand_in),
        PARTNER_WRITE,
        method="post",
        state=stand_in_count,
    ),
    # API (stakeholders/api/stand_ins.py): read only, the partner page's policy.
    Row("stakeholders-api:stand-in-list", plain(), API),
    Row("stakeholders-api:stand-in-detail", api_of("stand_in"), API),
]


def add_objects(w, found) -> None:
    """Per partner: its lead (holding a mandate since build_objects), a colleague who can stand in,
    and a coming stand-in of the colleague for the lead."""
    leads = {PARTNER_A: w.lead_a, PARTNER_B: w.lead_b, OTHER: found.lead_c}
    partners = {PARTNER_A: w.partner_a, PARTNER_B: w.partner_b, OTHER: w.partner_c}
    people, stand_ins = {}, {}
    for target, lead in leads.items():
        partner = partners[target]
        colleague = PersonFactory(email=f"stand-in-{target}@example.nl", organisation=partner.organisation)
        MembershipFactory(person=colleague, chain=partner.chain, role=Role.PARTNER_LEAD)
        people[target] = (lead, colleague)
        stand_in = StandIn(partnership=partner, lead=lead, stand_in=colleague, starts_on=_day(1), ends_on=_day(5))
        stand_in.full_clean()
        stand_ins[target] = name_stand_in(stand_in)
    found.by_kind["stand_in_people"] = people
    found.by_kind["stand_in"] = stand_ins
