"""Shared by the stand-in tests (pages, the API, following the lead's mandates): lead A's mandates for
partner A and a colleague of the same organisation who can stand in."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from stakeholders.models import Mandate, MandateScope, Person, Role
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory


def day(n: int) -> date:
    """``n`` days from today (asked each time: a run may pass midnight)."""
    return timezone.localdate() + timedelta(days=n)


def lead_and_colleague(world: World, consent_until: int, email: str) -> tuple[Mandate, Person]:
    """lead_a holds a consent mandate for partner_a until day ``consent_until`` and an open-ended
    vote in bodies; a colleague of the same organisation, partner lead in the chain, can stand in."""
    consent = MandateFactory(
        person=world.lead_a, partnership=world.partner_a, valid_from=day(-30), valid_until=day(consent_until)
    )
    MandateFactory(
        person=world.lead_a, partnership=world.partner_a, scope=MandateScope.VOTE_IN_BODY, valid_from=day(-30)
    )
    colleague = PersonFactory(email=email, full_name="Collega", organisation=world.org_a)
    MembershipFactory(person=colleague, chain=world.chain, role=Role.PARTNER_LEAD)
    return consent, colleague
