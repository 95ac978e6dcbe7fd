"""Matrix rows of governance's bodies and members (see tests/matrix/governance/__init__.py)."""

from __future__ import annotations

from governance.models import Body, BodyLevel, BodyMember, MemberPosition
from tests.matrix.objects import Objects, in_chain, of
from tests.matrix.policy import FORGED, MANAGE, OTHER, PARTNER_A, PARTNER_B, READ
from tests.matrix.rows import Row, posting

# --- What the POST rows send, and the state they change ---------------------------------------


def a_new_body(o: Objects, target: str) -> dict:
    return {"name": "ZSM-locatieoverleg", "level": BodyLevel.OPERATIONAL}


def body_count(o: Objects, target: str) -> int:
    return Body.objects.count()


def new_purpose(o: Objects, target: str) -> dict:
    return {"purpose": "Sturen op de doorlooptijd van zaken."}


def body_purpose(o: Objects, target: str) -> str:
    return Body.objects.values_list("purpose", flat=True).get(pk=o.get("body", target).pk)


def nothing(o: Objects, target: str) -> dict:
    return {}


def body_active(o: Objects, target: str) -> bool:
    return Body.objects.values_list("is_active", flat=True).get(pk=o.get("body", target).pk)


def a_new_seat(o: Objects, target: str) -> dict:
    """Contributor A for partner A in a zsm body; in the other chain, the outsider for partner C."""
    w = o.world
    if target in (OTHER, FORGED):
        return {"person": w.outsider.pk, "partnership": w.partner_c.pk, "position": MemberPosition.MEMBER}
    return {"person": w.contributor_a.pk, "partnership": w.partner_a.pk, "position": MemberPosition.MEMBER}


def seat_count(o: Objects, target: str) -> int:
    return BodyMember.objects.count()


def another_position(o: Objects, target: str) -> dict:
    return {"position": MemberPosition.VICE_CHAIR}


def seat_position(o: Objects, target: str) -> str:
    return BodyMember.objects.values_list("position", flat=True).get(pk=o.get("body_member", target).pk)


def seat_exists(o: Objects, target: str) -> bool:
    return BodyMember.objects.filter(pk=o.get("body_member", target).pk).exists()


ROWS: list = [
    Row("governance:body_list", in_chain(), READ),
    Row("governance:body_detail", of("body"), READ),
    Row("governance:body_create", in_chain(), MANAGE),
    posting("governance:body_create", in_chain(), MANAGE, a_new_body, body_count),
    Row("governance:body_edit", of("body"), MANAGE),
    posting("governance:body_edit", of("body"), MANAGE, new_purpose, body_purpose),
    Row("governance:body_deactivate", of("body"), MANAGE),
    posting("governance:body_deactivate", of("body"), MANAGE, nothing, body_active),
    Row("governance:body_member_create", of("body"), MANAGE),
    posting("governance:body_member_create", of("body"), MANAGE, a_new_seat, seat_count),
    Row("governance:body_member_edit", of("body_member"), MANAGE),
    posting("governance:body_member_edit", of("body_member"), MANAGE, another_position, seat_position),
    Row("governance:body_member_remove", of("body_member"), MANAGE),
    posting("governance:body_member_remove", of("body_member"), MANAGE, nothing, seat_exists),
]


def add_objects(w, found) -> None:
    """One body per target (two in zsm, one in the other chain) and one member per target.

    ``found.by_kind["body"]``: A the zsm steering group (strategic), B zsm's tactical body
    (escalating to A), OTHER the other chain's steering group. ``found.by_kind["body_member"]``:
    lead A for partner A in body A, lead B for partner B in body B, the other chain's lead C for
    partner C in body OTHER — each a plain member (no chair or secretary: rows that need one add
    their own seat), none with a mandate to vote.
    """
    steering = Body.objects.create(chain=w.chain, name="Stuurgroep ZSM", level=BodyLevel.STRATEGIC)
    tactical = Body.objects.create(
        chain=w.chain, name="Tactisch ketenoverleg", level=BodyLevel.TACTICAL, escalates_to=steering
    )
    other = Body.objects.create(chain=w.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    found.by_kind["body"] = {PARTNER_A: steering, PARTNER_B: tactical, OTHER: other}
    found.by_kind["body_member"] = {
        PARTNER_A: BodyMember.objects.create(
            body=steering, person=w.lead_a, partnership=w.partner_a, position=MemberPosition.MEMBER
        ),
        PARTNER_B: BodyMember.objects.create(
            body=tactical, person=w.lead_b, partnership=w.partner_b, position=MemberPosition.MEMBER
        ),
        OTHER: BodyMember.objects.create(
            body=other, person=found.lead_c, partnership=w.partner_c, position=MemberPosition.MEMBER
        ),
    }
