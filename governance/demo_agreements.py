"""The demo's agreements (called from governance/demo.py): the ZSM covenant 2025–2028 in force,
signed for the five core partners by their leads, the court (a partner of the chain) taking part
without signing; and a commitment declaration waiting for one signature — the police's, which its
lead (lead.politie@zsm.demo) finds in My work; and the police's service agreement on delivering its
figures (the fifth working day, by import), signed and in force. Everything goes through the services, as a
person would do it, so fingerprints, signatures and the audit trail are real. Loading the demo
again changes nothing (an agreement of that title is left as it is)."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfWriter

from ambitions.models import Channel, DeliveryTerms, IndicatorVersion, ReopenBy
from governance.models import Agreement, AgreementKind, PartyRole
from governance.services import agreements as services
from governance.services import delivery
from stakeholders.models import Chain, Partnership, PartnershipStatus, Person, Role

COVENANT = "Convenant ZSM 2025–2028"
COMMITMENT = "Commitmentverklaring snelrecht 2026"
SERVICE = "Dienstverleningsovereenkomst cijferlevering Politie"
SIGNERS = ("OM", "Politie", "RN", "SHN", "RvdK")

COVENANT_TEXT = """# Convenant ZSM 2025–2028

De partners van ZSM (Zorgvuldig, Snel en op Maat) spreken af:

1. Zij beoordelen veelvoorkomende criminaliteit **samen, op één locatie** en binnen de inverzekeringstelling.
2. Elke partner levert de capaciteit die in het ketenplan staat.
3. Zij delen per afgesproken periode de **geaggregeerde** cijfers van de ketenindicatoren, nooit persoonsgegevens.

## Looptijd en evaluatie

Dit convenant geldt van 1 januari 2025 tot en met 31 december 2028 en wordt in januari 2027 geëvalueerd.
"""

COMMITMENT_TEXT = """# Commitmentverklaring snelrecht 2026

Politie, OM en Reclassering zetten zich in om snelrechtzaken binnen **zeventien dagen** op zitting te brengen.
"""


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": COVENANT})
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def load_agreements(zsm: Chain) -> None:
    partners = {
        p.organisation.short_name: p for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
    }
    leads = {
        person.organisation.short_name: person
        for person in Person.objects.filter(
            memberships__chain=zsm, memberships__role=Role.PARTNER_LEAD, email__startswith="lead."
        ).select_related("organisation")
    }
    manager = Person.objects.get(email="ketenregisseur@zsm.demo")
    existing = set(Agreement.objects.filter(chain=zsm).values_list("title", flat=True))
    if COVENANT not in existing:
        roles = {partners[short]: PartyRole.SIGNS for short in SIGNERS}
        roles |= {
            p: PartyRole.PARTICIPATES for p in partners.values() if p.status == PartnershipStatus.PARTNER_OF_CHAIN
        }
        covenant = Agreement(
            chain=zsm,
            kind=AgreementKind.COVENANT,
            title=COVENANT,
            summary="Samenwerking op de ZSM-locaties: beoordelen binnen de inverzekeringstelling.",
            valid_from=date(2025, 1, 1),
            valid_until=date(2028, 12, 31),
            evaluate_on=date(2027, 1, 15),
        )
        services.draw_up(manager, covenant, roles, text=COVENANT_TEXT, pdf=_pdf(), pdf_name="convenant-zsm.pdf")
        services.send_for_signature(manager, covenant)
        for short in SIGNERS:
            _sign(leads[short], covenant)
    if COMMITMENT not in existing:
        roles = {partners[short]: PartyRole.SIGNS for short in ("Politie", "OM", "RN")}
        commitment = Agreement(
            chain=zsm,
            kind=AgreementKind.COMMITMENT,
            title=COMMITMENT,
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        )
        services.draw_up(manager, commitment, roles, text=COMMITMENT_TEXT, pdf=None)
        services.send_for_signature(manager, commitment)
        for short in ("OM", "RN"):  # the police's signature is still to come
            _sign(leads[short], commitment)
    if SERVICE not in existing:
        _load_service_agreement(zsm, partners["Politie"], leads["Politie"], manager)


SERVICE_TEXT = """# Dienstverleningsovereenkomst cijferlevering Politie

De politie levert de cijfers van haar ZSM-indicatoren uit BVH, via een bestandsimport, op de
**vijfde werkdag** na afloop van elke periode. Correcties na goedkeuring: de partnerleider of de
ketenregisseur heropent, tot de vijftiende werkdag.
"""


def _load_service_agreement(zsm: Chain, police: Partnership, lead: Person, manager: Person) -> None:
    """The police's delivery terms (issue 15): signed by its lead, so in force; for the chain's
    indicators that its units report and whose entry window takes the fifth working day."""
    indicators = [
        version.indicator
        for version in IndicatorVersion.objects.in_force()
        .filter(indicator__ambition__chain=zsm, reporting_units__organisation=police.organisation)
        .select_related("indicator__ambition")
        .distinct()
        if version.entry_window_days >= 14
    ]
    if not indicators:
        return
    agreement = Agreement(
        chain=zsm, kind=AgreementKind.SERVICE, title=SERVICE, valid_from=date(2026, 1, 1), valid_until=None
    )
    services.draw_up(manager, agreement, {police: PartyRole.SIGNS}, text=SERVICE_TEXT, pdf=None)
    terms = DeliveryTerms(
        partnership=police,
        source_system="BVH (Basisvoorziening Handhaving)",
        deliverer_role="Informatiemanager politie",
        delivery_working_day=5,
        channel=Channel.IMPORT,
        reopen_by=ReopenBy.BOTH,
        reopen_until_working_days=15,
    )
    delivery.save_terms(agreement, terms, list({i.pk: i for i in indicators}.values()))
    services.send_for_signature(manager, agreement)
    _sign(lead, agreement)


def _sign(person: Person, agreement: Agreement) -> None:
    version = services.current_version(agreement)
    services.sign(
        person,
        agreement,
        version_id=version.pk,
        fingerprint=version.fingerprint,
        ip_address=None,
        user_agent="Ketenportaal demo",
    )
