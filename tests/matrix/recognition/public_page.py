"""Matrix rows of the chain's public page (governance/views/public_page.py); see
tests/matrix/recognition/__init__.py.

The public page, its embeddable version and its logo are anyone's — signed in or not, member or
not — for a chain that switched its page on (zsm here: ``add_objects`` switches it on with an
adopted decision of its steering group); for a chain that did not (the other chain), everyone gets
the same 404 as for a chain that does not exist. Nothing else is new to an anonymous caller: the
settings page is the programme manager's and the administrators' (Action.MANAGE_CHAIN).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import Decision, DecisionStatus, DecisionWay
from governance.models.public_page import PublicPage
from tests.matrix.objects import Objects, in_chain
from tests.matrix.policy import CHAIN, MANAGE, OK, PARTNER_A, PARTNER_B
from tests.matrix.rows import Row, posting


def SWITCHED_ON(persona: str, target: str) -> int | str:
    """Anyone at all, anonymous included, for a chain whose public page is on; else 404 for all."""
    return OK if target == CHAIN else 404


def show_units(o: Objects, target: str) -> dict:
    return {"show_units": "on"}


def units_shown(o: Objects, target: str):
    return PublicPage.objects.filter(chain__slug=o.slug(target)).values_list("show_units", flat=True).first()


ROWS: list[Row] = [
    Row("public:page_detail", in_chain(), SWITCHED_ON),
    Row("public:page_embed", in_chain(), SWITCHED_ON),
    Row("public:page_logo", in_chain(), SWITCHED_ON),
    Row("governance:public_page_edit", in_chain(), MANAGE),
    posting("governance:public_page_edit", in_chain(), MANAGE, show_units, units_shown),
]


def add_objects(w, found) -> None:
    """Switches zsm's public page on, backed by an adopted decision of its steering group (the
    governance matrix's body A), with partner A's and B's indicators; the other chain's stays off."""
    today = timezone.localdate()
    decision = Decision.objects.create(
        body=found.by_kind["body"][PARTNER_A],
        title="Openbaar dashboard publiceren",
        text="De stuurgroep maakt het dashboard openbaar.",
        way=DecisionWay.WRITTEN,
        closes_on=today - timedelta(days=2),
        status=DecisionStatus.ADOPTED,
        decided_on=today - timedelta(days=2),
        proposed_by=w.manager,
    )
    page = PublicPage.objects.create(chain=w.chain, enabled=True, decision=decision)
    page.indicators.set([found.by_kind["indicator"][PARTNER_A], found.by_kind["indicator"][PARTNER_B]])
