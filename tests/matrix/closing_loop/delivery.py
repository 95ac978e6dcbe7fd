"""Matrix rows of issue 15: delivery terms of a service agreement
(governance/views/delivery_terms.py; see tests/matrix/closing_loop/__init__.py).

Setting a draft service agreement's delivery terms is the agreement managers' (MANAGE), as
changing the draft is. Objects, per target: ``service_draft``, a draft service agreement whose
party is the target's partner (partner A, partner B, partner C in the other chain).
"""

from __future__ import annotations

from datetime import date

from ambitions.models import DeliveryTerms
from governance.models import Agreement, AgreementKind, AgreementParty, AgreementVersion, PartyRole
from governance.models.agreements import fingerprint_of
from tests.matrix.objects import Objects, of
from tests.matrix.policy import MANAGE, OTHER, PARTNER_B
from tests.matrix.rows import Row, posting


def some_terms(o: Objects, target: str) -> dict:
    w = o.world
    partner = w.partner_c if target == OTHER else {PARTNER_B: w.partner_b}.get(target, w.partner_a)
    return {
        "partnership": str(partner.pk),
        "indicators": [str(o.get("indicator", target).pk)],
        "source_system": "Matrix-bronsysteem",
        "deliverer": "",
        "deliverer_role": "Informatiemanager",
        "delivery_working_day": "1",
        "channel": "grid",
        "reopen_by": "both",
        "reopen_until_working_days": "5",
    }


def terms_count(o: Objects, target: str) -> int:
    return DeliveryTerms.objects.count()


ROWS: list = [
    Row("governance:agreement_terms", of("service_draft"), MANAGE),
    posting("governance:agreement_terms", of("service_draft"), MANAGE, some_terms, terms_count),
]


def add_objects(w, found) -> None:
    """A draft service agreement in each target, its partner a party that signs."""
    agreements = {}
    for target, partnership in (("partner_a", w.partner_a), ("partner_b", w.partner_b), (OTHER, w.partner_c)):
        agreement = Agreement.objects.create(
            chain=partnership.chain,
            kind=AgreementKind.SERVICE,
            title=f"Dienstverleningsovereenkomst {partnership.organisation}",
            valid_from=date(2025, 1, 1),
            created_by=w.manager,
        )
        AgreementParty.objects.create(agreement=agreement, partnership=partnership, role=PartyRole.SIGNS)
        AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            text="Levering.",
            fingerprint=fingerprint_of("Levering.", None),
            created_by=w.manager,
        )
        agreements[target] = agreement
    found.by_kind["service_draft"] = agreements
