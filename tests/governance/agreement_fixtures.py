"""Agreements on top of the test world (tests/conftest.py), for the agreement tests.

In ``zsm``: partner A (Politie) and partner B (OM) are core partners whose leads (lead A, lead B)
hold a valid mandate to sign agreements; ``court`` (Rechtspraak) is a partner of the chain with
its own lead (``judge``), never required to sign. ``covenant`` draws up a covenant (manager)
with A and B required to sign and the court participating, sent for signature unless told not to.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from governance.models import Agreement, AgreementKind, PartyRole
from governance.services import agreements as services
from stakeholders.models import MandateScope, Partnership, PartnershipStatus, Person, Role
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, OrganisationFactory, PartnershipFactory, PersonFactory

TEXT = "# Convenant ZSM 2025–2028\n\nDe partners werken samen op de **ZSM-locaties**.\n\n1. Politie\n2. OM\n"


def pdf(padding: int = 0) -> bytes:
    """A valid one-page PDF; ``padding`` bytes of metadata make it as large as wanted."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def upload(data: bytes, name: str = "convenant.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@dataclass
class Parties:
    world: World
    court: Partnership
    judge: Person


def sign_mandate(holder: Person, partnership: Partnership, **fields):
    return MandateFactory(person=holder, partnership=partnership, scope=MandateScope.SIGN_AGREEMENTS, **fields)


def build_parties(w: World) -> Parties:
    court_org = OrganisationFactory(name="Rechtspraak")
    court = PartnershipFactory(chain=w.chain, organisation=court_org, status=PartnershipStatus.PARTNER_OF_CHAIN)
    judge = PersonFactory(email="judge@example.nl", full_name="Judge", organisation=court_org)
    MembershipFactory(person=judge, chain=w.chain, role=Role.PARTNER_LEAD)
    sign_mandate(w.lead_a, w.partner_a)
    sign_mandate(w.lead_b, w.partner_b)
    return Parties(w, court, judge)


def covenant(
    parties: Parties, *, send: bool = True, text: str = TEXT, attachment: bytes | None = None, **fields
) -> Agreement:
    w = parties.world
    values = {
        "chain": w.chain,
        "kind": AgreementKind.COVENANT,
        "title": "Convenant ZSM 2025–2028",
        "valid_from": date(2025, 1, 1),
        "valid_until": date(2028, 12, 31),
        "evaluate_on": date(2027, 1, 1),
    } | fields
    roles = {w.partner_a: PartyRole.SIGNS, w.partner_b: PartyRole.SIGNS, parties.court: PartyRole.PARTICIPATES}
    agreement = services.draw_up(w.manager, Agreement(**values), roles, text=text, pdf=attachment, pdf_name="c.pdf")
    if send:
        services.send_for_signature(w.manager, agreement)
    return agreement


def sign(person: Person, agreement: Agreement, **overrides):
    version = services.current_version(agreement)
    values = {
        "version_id": version.pk,
        "fingerprint": version.fingerprint,
        "ip_address": "192.0.2.10",
        "user_agent": "pytest",
    } | overrides
    return services.sign(person, agreement, **values)
