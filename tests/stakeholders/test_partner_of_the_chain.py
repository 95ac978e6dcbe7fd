"""The one rule for what a partner's status binds it to (stakeholders PartnershipStatus): only a core
partner is bound — asked to consent to indicators, counted in decisions, required to sign, able to
block. Each area's own tests show the rule at work (tests/ambitions/test_consensus.py,
tests/governance/test_decisions.py, the agreements' tests); here the rule itself and the sentence
the partners pages explain it with."""

import pytest
from django.utils.html import escape

from stakeholders.models import Partnership, PartnershipStatus
from tests.factories import OrganisationFactory, PartnershipFactory


@pytest.fixture
def court(world) -> Partnership:
    return PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Rechtbank"), status=PartnershipStatus.PARTNER_OF_CHAIN
    )


@pytest.fixture
def inspectorate(world) -> Partnership:
    return PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Inspectie"), status=PartnershipStatus.OBSERVER
    )


def test_only_a_core_partner_is_bound(world, court, inspectorate):
    assert world.partner_a.is_bound
    assert not court.is_bound
    assert not inspectorate.is_bound
    assert set(Partnership.objects.filter(chain=world.chain).bound()) == {world.partner_a, world.partner_b}


def test_the_partners_page_explains_every_status_in_one_sentence(world, court, english_client_for):
    page = english_client_for(world.viewer).get(f"/ketens/{world.chain.slug}/partners/").text
    for status in PartnershipStatus:
        assert escape(status.meaning) in page
    assert "not counted in decisions or asked to consent to indicators, never has to sign" in page


def test_a_partners_page_says_what_its_status_means_in_dutch(world, court, client_for):
    page = client_for(world.viewer).get(f"/ketens/{world.chain.slug}/partners/{court.pk}/").text
    assert "hoeft nooit een afspraak te ondertekenen en kan nooit blokkeren" in page
    assert "Een kernpartner is gebonden" not in page
