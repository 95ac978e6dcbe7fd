"""Matrix rows of governance's bodies and members (see tests/matrix/governance/__init__.py)."""

from __future__ import annotations

from governance.models import Body, BodyLevel, BodyMember, MemberPosition
from tests.matrix.policy import OTHER, PARTNER_A, PARTNER_B

ROWS: list = []


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
