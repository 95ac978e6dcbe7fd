"""Matrix rows of benefits and "what each partner gains" (ambitions/views/benefits.py and its API);
see tests/matrix/partner_health/__init__.py.

The pages are every member's (READ). A partner's benefits and assessments are its own lead's, the
programme manager's and administrators' (Action.MANAGE_BENEFITS: PARTNER_WRITE, the benefit looked
up first); adding one is open to whoever may manage benefits for some partner (``CREATE``: lead A
for partner A). Each target has a benefit of its partner.
"""

from __future__ import annotations

from datetime import date

from ambitions.models.benefits import Benefit, BenefitAssessment
from tests.matrix.objects import Objects, api_of, in_chain, of, plain
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    API,
    LEAD_A,
    LOGIN,
    MANAGER,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    PARTNER_WRITE,
    READ,
)
from tests.matrix.rows import Row, posting


def CREATE(persona: str, target: str) -> int | str:
    """Adding a benefit: for a partner one manages benefits for (lead A: partner A; the programme
    manager and administrators: any)."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return OK if persona in (LEAD_A, MANAGER, ADMIN) else 403


def a_benefit(o: Objects, target: str) -> dict:
    partnership = o.get("partnership", OTHER if target == OTHER else PARTNER_A)
    return {
        "partnership": partnership.pk,
        "title": "Matrix-baat",
        "start_picture": "Nu",
        "end_picture": "Straks",
        "target_date": "2027-12-31",
    }


def benefit_count(o: Objects, target: str) -> int:
    chain = o.world.other_chain if target == OTHER else o.world.chain
    return Benefit.objects.filter(chain=chain).count()


def a_new_title(o: Objects, target: str) -> dict:
    return {"title": "Matrix: herzien"}


def benefit_title(o: Objects, target: str) -> str:
    return Benefit.objects.filter(pk=o.get("benefit", target).pk).values_list("title", flat=True).get()


def an_assessment(o: Objects, target: str) -> dict:
    return {"status": "on_track", "assessed_on": "2026-01-15", "note": "Matrix"}


def assessment_count(o: Objects, target: str) -> int:
    return BenefitAssessment.objects.filter(benefit=o.get("benefit", target)).count()


ROWS: list[Row] = [
    Row("ambitions:benefit_overview", in_chain(), READ),
    Row("ambitions:benefit_create", in_chain(), CREATE),
    posting("ambitions:benefit_create", in_chain(), CREATE, a_benefit, benefit_count),
    Row("ambitions:benefit_detail", of("benefit"), READ),
    Row("ambitions:benefit_edit", of("benefit"), PARTNER_WRITE),
    posting("ambitions:benefit_edit", of("benefit"), PARTNER_WRITE, a_new_title, benefit_title),
    Row("ambitions:benefit_assess", of("benefit"), PARTNER_WRITE),
    posting("ambitions:benefit_assess", of("benefit"), PARTNER_WRITE, an_assessment, assessment_count),
    Row("ambitions-api:benefit-list", plain(), API),
    Row("ambitions-api:benefit-detail", api_of("benefit"), API),
]


def add_objects(w, found) -> None:
    """A benefit of each target's partner: A's, B's and the other chain's C's."""
    found.by_kind["benefit"] = {
        target: Benefit.objects.create(
            chain=partnership.chain,
            partnership=partnership,
            title="Matrix-baat",
            start_picture="Nu",
            end_picture="Straks",
            target_date=date(2027, 12, 31),
        )
        for target, partnership in ((PARTNER_A, w.partner_a), (PARTNER_B, w.partner_b), (OTHER, w.partner_c))
    }
