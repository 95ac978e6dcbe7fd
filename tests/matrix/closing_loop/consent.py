"""Matrix rows of issue 15: consent that cannot stall — the proposer's ways forward after an
objection (ambitions/views/proposals.py); see tests/matrix/closing_loop/__init__.py.

Amending (a page with the definition form) and withdrawing (a form on the version's page) are for
programme managers and administrators (Action.MANAGE_INDICATORS, which MANAGE describes): the
policy is asked on the chain before the version is looked up, so a forged version is 404 only for
those who may. Objects: per target a proposal stopped by its partner's objection, on an indicator
of its own (the rows of the version page itself are tests/test_authorisation_matrix.py's).
"""

from __future__ import annotations

from django.utils import timezone

from ambitions.models import Consent, ConsentPosition, Indicator, IndicatorVersion, VersionStatus
from tests.matrix.objects import Objects, version_of
from tests.matrix.policy import MANAGE, OTHER, PARTNER_A, PARTNER_B
from tests.matrix.rows import Row, posting
from tests.measures import adopted_version


def amended(o: Objects, target: str) -> tuple:
    return tuple(IndicatorVersion.objects.values_list("status", "round").get(pk=o.get("objected_proposal", target).pk))


def a_changed_text(o: Objects, target: str) -> dict:
    return {"note": "De noemer telt geen sepots meer.", "tolerance": "3"}


ROWS: list[Row] = [
    Row("ambitions:version_amend", version_of("objected_proposal"), MANAGE),
    posting("ambitions:version_amend", version_of("objected_proposal"), MANAGE, a_changed_text, amended),
    Row(
        "ambitions:version_withdraw",
        version_of("objected_proposal", {"reason": "Niet meer nodig."}),
        MANAGE,
        method="post",
        state=amended,
    ),
]


def add_objects(w, found) -> None:
    """Per target a proposal stopped by its partner's objection (the other chain's by partner C)."""
    ambitions = found.by_kind["ambition"]
    stopped = {}
    for target, unit, partnership, person in (
        (PARTNER_A, w.unit_a, w.partner_a, w.lead_a),
        (PARTNER_B, w.unit_b, w.partner_b, w.lead_b),
        (OTHER, w.unit_c, w.partner_c, found.lead_c),
    ):
        indicator = Indicator.objects.create(ambition=ambitions[target], name=f"Voorstel met bezwaar {target}")
        version = adopted_version(
            indicator,
            [unit],
            status=VersionStatus.STOPPED,
            effective_from=timezone.localdate().replace(day=1),
            proposed_by=w.manager,
        )
        Consent.objects.create(
            version=version, partnership=partnership, person=person, position=ConsentPosition.OBJECTION, reason="Nee"
        )
        stopped[target] = version
    found.by_kind["objected_proposal"] = stopped
