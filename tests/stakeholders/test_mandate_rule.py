"""One rule for who may act for a partner: the queryset (Mandate.objects.usable_on), the policy
(allows + has_mandate) and every list built on them (consent requests, reminders) agree, for every
persona of the authorisation matrix, every partner and every scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambitions import reminders
from ambitions.services import consensus
from stakeholders.models import Mandate, MandateScope, Role
from stakeholders.permissions import Action, allows, has_mandate
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.test_authorisation_matrix import PERSONAS

# The policy's act-for-a-partner actions and the mandate scope each needs.
ACTIONS = {
    MandateScope.CONSENT_INDICATORS: Action.CONSENT_INDICATORS,
    MandateScope.APPROVE_FIGURES: Action.APPROVE_FIGURES,
    MandateScope.VOTE_IN_BODY: Action.VOTE_IN_BODY,
}


def people(world: World) -> dict[str, object]:
    """Every persona of the matrix that is a person, plus the roles the matrix has no persona for
    (a steering group member) and a programme manager who works for a partner (the world's has no
    organisation, so could act for none)."""
    found = {name: getattr(world, name) for name in PERSONAS if name != "anonymous"}
    steering = PersonFactory(full_name="Stuur", organisation=world.org_b)
    MembershipFactory(person=steering, chain=world.chain, role=Role.STEERING_MEMBER)
    manager_b = PersonFactory(full_name="Regisseur", organisation=world.org_b)
    MembershipFactory(person=manager_b, chain=world.chain, role=Role.PROGRAMME_MANAGER)
    return {**found, "lead_b": world.lead_b, "steering_b": steering, "manager_b": manager_b}


@pytest.fixture
def everyone_holds_every_mandate(world: World) -> dict[str, object]:
    """Each person holds a mandate of every scope for every partner of both chains — written past
    Mandate.clean(), as old data or the admin might have it — so only the rule decides."""
    persons = people(world)
    for person in persons.values():
        for partnership in (world.partner_a, world.partner_b, world.partner_c):
            for scope in MandateScope.values:
                MandateFactory(person=person, partnership=partnership, scope=scope)
    return persons


def test_it_agrees_with_the_policy_for_every_persona_partner_and_scope(world: World, everyone_holds_every_mandate):
    today = timezone.localdate()
    usable = set(Mandate.objects.usable_on(today).values_list("person_id", "partnership_id", "scope"))
    partnerships = [world.partner_a, world.partner_b, world.partner_c]
    consenters = consensus.mandated_people(partnerships)
    reminded = {
        scope: set(reminders._mandated(today, scope).values_list("person_id", "partnership_id"))
        for scope in MandateScope.values
    }
    for name, person in everyone_holds_every_mandate.items():
        for partnership in partnerships:
            for scope in MandateScope.values:
                by_queryset = (person.pk, partnership.pk, scope) in usable
                assert has_mandate(person, partnership, scope) == by_queryset, (name, partnership, scope)
                assert ((person.pk, partnership.pk) in reminded[scope]) == by_queryset, (name, partnership, scope)
                if scope in ACTIONS:
                    may = allows(person, ACTIONS[scope], partnership.chain, partnership.organisation)
                    assert (may and has_mandate(person, partnership, scope)) == by_queryset, (name, partnership, scope)
                if scope == MandateScope.CONSENT_INDICATORS:
                    assert (person in consenters[partnership.pk]) == by_queryset, (name, partnership)


def test_it_lets_exactly_the_roles_that_can_use_a_scope_act(world: World, everyone_holds_every_mandate):
    persons = everyone_holds_every_mandate
    usable = set(Mandate.objects.usable_on().values_list("person_id", "partnership_id", "scope"))
    expected = {
        # Leads and programme managers for their own organisation, in every scope.
        *((persons["lead_a"].pk, world.partner_a.pk, scope) for scope in MandateScope.values),
        *((persons["lead_b"].pk, world.partner_b.pk, scope) for scope in MandateScope.values),
        *((persons["manager_b"].pk, world.partner_b.pk, scope) for scope in MandateScope.values),
        # A steering group member votes, signs and speaks for the chain, but neither consents nor approves.
        *(
            (persons["steering_b"].pk, world.partner_b.pk, scope)
            for scope in MandateScope.values
            if scope not in (MandateScope.CONSENT_INDICATORS, MandateScope.APPROVE_FIGURES)
        ),
    }
    # Contributors, viewers, the outsider, people without an organisation (the world's manager)
    # and platform administrators without a role act for no one.
    assert usable == expected


def test_it_counts_no_mandate_outside_its_dates_or_of_someone_inactive(world: World):
    today = timezone.localdate()
    MandateFactory(
        person=world.lead_a,
        partnership=world.partner_a,
        valid_from=today - timedelta(days=30),
        valid_until=today - timedelta(days=1),
    )
    MandateFactory(person=world.lead_b, partnership=world.partner_b, valid_from=today + timedelta(days=1))
    assert not Mandate.objects.usable_on(today).exists()
    assert not has_mandate(world.lead_a, world.partner_a, MandateScope.CONSENT_INDICATORS)
    assert has_mandate(world.lead_a, world.partner_a, MandateScope.CONSENT_INDICATORS, on=today - timedelta(days=1))
    MandateFactory(person=world.lead_a, partnership=world.partner_a)
    world.lead_a.is_active = False
    world.lead_a.save()
    assert not Mandate.objects.usable_on(today).exists()
    assert not has_mandate(world.lead_a, world.partner_a, MandateScope.CONSENT_INDICATORS)
