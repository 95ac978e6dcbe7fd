from django.urls import reverse

from stakeholders.models import PartnershipStatus
from tests.api.conftest import results
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory

LIST = reverse("stakeholders-api:partnership-list")


def test_it_lists_the_partners_of_the_persons_chains(world: World, client_for):
    partners = results(client_for(world.viewer).get(LIST))
    assert [(p["chain"], p["organisation"]["name"], p["status"]) for p in partners] == [
        ("zsm", "Openbaar Ministerie", "core"),
        ("zsm", "Politie", "core"),
    ]


def test_it_filters_partners_by_chain_and_status(world: World, client_for):
    PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Rechtspraak"), status="partner_of_chain"
    )
    client = client_for(world.admin)
    assert {p["chain"] for p in results(client.get(LIST, {"chain": "jeugd"}))} == {"jeugd"}
    partner_of_chain = results(client.get(LIST, {"chain": "zsm", "status": PartnershipStatus.PARTNER_OF_CHAIN}))
    assert [p["organisation"]["name"] for p in partner_of_chain] == ["Rechtspraak"]


def test_it_shows_nothing_of_another_chains_partners(world: World, client_for):
    client = client_for(world.lead_a)
    assert results(client.get(LIST, {"chain": "jeugd"})) == []
    assert client.get(reverse("stakeholders-api:partnership-detail", args=[world.partner_c.pk])).status_code == 404


def test_it_shows_one_partnership(world: World, client_for):
    url = reverse("stakeholders-api:partnership-detail", args=[world.partner_b.pk])
    body = client_for(world.contributor_a).get(url).json()
    assert body["organisation"] == {
        "id": world.org_b.pk,
        "name": "Openbaar Ministerie",
        "short_name": "OM",
        "website": "",
    }
    assert body["chain"] == "zsm"


def test_it_lists_partners_in_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries):
    client = client_for(world.viewer)
    with django_assert_max_num_queries(7):
        assert len(results(client.get(LIST))) == 2
    for _ in range(20):
        PartnershipFactory(chain=world.chain)
    with django_assert_max_num_queries(7):
        assert len(results(client.get(LIST))) == 22
