"""A service agreement's delivery terms (issue 15 point 3): drawn up with the agreement, signed
with it, and applying while it is in force.

The terms themselves and their checks are ambitions' (``ambitions/models/delivery.py``,
``ambitions/services/delivery.py``); this module keeps their validity and state in step with the
agreement's: every step of the agreement that changes its status (sending, signing, a new version,
ending, expiring) calls ``follow``, so the reporting calendar never reads governance's tables.
"""

from __future__ import annotations

from ambitions.models import DeliveryTerms, Indicator, TermsState
from ambitions.services import delivery as terms_service
from governance.models import Agreement, AgreementKind, AgreementStatus

STATE_OF = {
    AgreementStatus.IN_FORCE: TermsState.IN_FORCE,
    AgreementStatus.EXPIRED: TermsState.ENDED,
    AgreementStatus.ENDED: TermsState.ENDED,
}


class TermsRefused(Exception):
    pass


def may_have_terms(agreement: Agreement) -> bool:
    return agreement.kind == AgreementKind.SERVICE


def may_change_terms(agreement: Agreement) -> bool:
    """Only a draft's terms change: once sent, the parties sign what they read (a new agreement
    replaces terms in force; end the old one first)."""
    return may_have_terms(agreement) and agreement.status == AgreementStatus.DRAFT


def follow(agreement: Agreement) -> None:
    """Give the agreement's terms its validity and state (one UPDATE, none without terms)."""
    if agreement.delivery_terms_id is None:
        return
    DeliveryTerms.objects.filter(pk=agreement.delivery_terms_id).update(
        state=STATE_OF.get(agreement.status, TermsState.DRAFT),
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
    )


def end_expired() -> int:
    """After agreements expire in bulk: their terms end too (one UPDATE)."""
    return (
        DeliveryTerms.objects.filter(agreement__status__in=[AgreementStatus.EXPIRED, AgreementStatus.ENDED])
        .exclude(state=TermsState.ENDED)
        .update(state=TermsState.ENDED)
    )


def save_terms(agreement: Agreement, terms: DeliveryTerms, indicators: list[Indicator]) -> DeliveryTerms:
    """Save a draft service agreement's terms (ambitions' checks; ValidationError per field)."""
    if not may_change_terms(agreement):
        raise TermsRefused
    terms.chain_id = agreement.chain_id
    terms.valid_from, terms.valid_until = agreement.valid_from, agreement.valid_until
    terms.state = TermsState.DRAFT
    saved = terms_service.save(terms, indicators)
    if agreement.delivery_terms_id != saved.pk:
        agreement.delivery_terms = saved
        agreement.save(update_fields=["delivery_terms"])
    return saved
