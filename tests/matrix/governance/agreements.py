"""Matrix rows of agreements (governance/views/agreements.py and the agreements API; see
tests/matrix/governance/__init__.py).

Objects, per target: ``agreement``, for signature, with an attached PDF (version 1), its target's
partner required to sign (partner A, partner B, partner C in the other chain); ``agreement_draft``,
a draft with the same party. Lead A holds a mandate to sign agreements for partner A, so lead A
signs partner A's agreement; contributor A works for partner A but holds no such mandate (422 with
the message), and so does the outsider for partner C in the other chain; anyone of no party 403.
"""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile

from governance.models import Agreement, AgreementKind, AgreementParty, AgreementVersion, PartyRole, Signature
from governance.models.agreements import fingerprint_of
from governance.services import agreements as services
from stakeholders.models import MandateScope
from tests.factories import MandateFactory
from tests.governance.agreement_fixtures import pdf
from tests.matrix.objects import Objects, api_of, custom, in_chain, of, plain
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    API,
    CONTRIBUTOR_A,
    FORGED,
    LEAD_A,
    LOGIN,
    MANAGE,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
)
from tests.matrix.rows import Row, posting

TARGETS = (PARTNER_A, PARTNER_B, OTHER, FORGED)
PDF = pdf()  # a one-page PDF


def SIGNS(persona: str, target: str) -> int | str:
    """Signing: lead A for partner A (a usable mandate); someone of the party's organisation without
    one gets the page with the message (422); anyone of no party 403. Found in the chain first."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return {OUTSIDER: 422, ADMIN: 403}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    if target == PARTNER_A:
        return {LEAD_A: OK, CONTRIBUTOR_A: 422}.get(persona, 403)
    return 403


def _partner(o: Objects, target: str):
    w = o.world
    return w.partner_c if target in (OTHER, FORGED) else {PARTNER_B: w.partner_b}.get(target, w.partner_a)


def a_new_agreement(o: Objects, target: str) -> dict:
    return {
        "kind": AgreementKind.WORKING,
        "title": "Werkafspraak snelrecht",
        "valid_from": "2026-01-01",
        "text": "Politie en OM plannen snelrechtzittingen samen.",
        f"party_{_partner(o, target).pk}": PartyRole.SIGNS,
    }


def agreement_count(o: Objects, target: str) -> int:
    return Agreement.objects.count()


def a_new_title(o: Objects, target: str) -> dict:
    return {"title": "Convenant (gewijzigd)"}


def draft_title(o: Objects, target: str) -> str:
    return Agreement.objects.values_list("title", flat=True).get(pk=o.get("agreement_draft", target).pk)


def a_new_text(o: Objects, target: str) -> dict:
    return {"text": "Een nieuwe tekst.", "note": "Herzien"}


def version_count(o: Objects, target: str) -> int:
    return AgreementVersion.objects.filter(agreement=o.get("agreement_draft", target)).count()


def status_of(kind: str):
    def state(o: Objects, target: str) -> str:
        return Agreement.objects.values_list("status", flat=True).get(pk=o.get(kind, target).pk)

    return state


def a_reason(o: Objects, target: str) -> dict:
    return {"reason": "Vervangen door het nieuwe convenant."}


def signature_count(o: Objects, target: str) -> int:
    return Signature.objects.count()


def _signing(o: Objects, target: str) -> dict:
    agreement = o.get("agreement", target)
    version = services.current_version(agreement)
    data = {"version": version.pk, "fingerprint": version.fingerprint, "confirm": "on"}
    return {"slug": o.slug(target), "pk": agreement.pk, "_data": data}


def _attachment(o: Objects, target: str) -> dict:
    return {"slug": o.slug(target), "pk": o.get("agreement", target).pk, "number": 1}


ROWS = [
    Row("governance:agreement_list", in_chain(), READ),
    Row("governance:agreement_create", in_chain(), MANAGE),
    posting("governance:agreement_create", in_chain(), MANAGE, a_new_agreement, agreement_count),
    Row("governance:agreement_detail", of("agreement"), READ),
    Row("governance:agreement_pdf", of("agreement"), READ),
    Row("governance:agreement_attachment", custom(TARGETS, _attachment), READ),
    Row("governance:agreement_edit", of("agreement_draft"), MANAGE),
    posting("governance:agreement_edit", of("agreement_draft"), MANAGE, a_new_title, draft_title),
    Row("governance:agreement_version_create", of("agreement_draft"), MANAGE),
    posting("governance:agreement_version_create", of("agreement_draft"), MANAGE, a_new_text, version_count),
    Row(
        "governance:agreement_send",
        of("agreement_draft"),
        MANAGE,
        method="post",
        state=status_of("agreement_draft"),
    ),
    Row("governance:agreement_sign", custom(TARGETS, _signing), SIGNS, method="post", state=signature_count),
    Row("governance:agreement_end", of("agreement"), MANAGE),
    posting("governance:agreement_end", of("agreement"), MANAGE, a_reason, status_of("agreement")),
    Row("governance-api:agreement-list", plain(), API),
    Row("governance-api:agreement-detail", api_of("agreement"), API),
]


def _agreement(chain, partnership, creator, *, send: bool, with_pdf: bool) -> Agreement:
    agreement = Agreement.objects.create(
        chain=chain,
        kind=AgreementKind.COVENANT,
        title=f"Convenant {partnership.organisation}",
        valid_from=date(2025, 1, 1),
        valid_until=date(2028, 12, 31),
        created_by=creator,
        status="for_signature" if send else "draft",
    )
    AgreementParty.objects.create(agreement=agreement, partnership=partnership, role=PartyRole.SIGNS)
    version = AgreementVersion(agreement=agreement, number=1, text="Samen werken.", created_by=creator)
    if with_pdf:
        version.attachment.save("v1.pdf", ContentFile(PDF), save=False)
        version.attachment_name, version.attachment_size = "convenant.pdf", len(PDF)
    version.fingerprint = fingerprint_of(version.text, PDF if with_pdf else None)
    version.save()
    return agreement


def add_objects(w, found) -> None:
    MandateFactory(person=w.lead_a, partnership=w.partner_a, scope=MandateScope.SIGN_AGREEMENTS)
    partners = {PARTNER_A: w.partner_a, PARTNER_B: w.partner_b, OTHER: w.partner_c}
    for kind, send in (("agreement", True), ("agreement_draft", False)):
        found.by_kind[kind] = {
            target: _agreement(partnership.chain, partnership, w.manager, send=send, with_pdf=send)
            for target, partnership in partners.items()
        }
