from django.urls import reverse

from tests.api.conftest import results
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory, UnitFactory

ORGANISATIONS = reverse("stakeholders-api:organisation-list")
UNITS = reverse("stakeholders-api:unit-list")


def test_it_lists_the_organisations_of_the_persons_chains(world: World, client_for):
    names = [o["name"] for o in results(client_for(world.viewer).get(ORGANISATIONS))]
    assert names == ["Openbaar Ministerie", "Politie"]


def test_it_lists_the_persons_own_organisation_even_without_a_partnership(world: World, client_for):
    names = [o["name"] for o in results(client_for(world.outsider).get(ORGANISATIONS))]
    assert names == ["Gemeente Groningen"]


def test_it_hides_an_organisation_outside_the_persons_chains_with_a_404(world: World, client_for):
    url = reverse("stakeholders-api:organisation-detail", args=[world.org_c.pk])
    assert client_for(world.viewer).get(url).status_code == 404
    assert client_for(world.outsider).get(url).json()["name"] == "Gemeente Groningen"


def test_it_filters_organisations_by_chain(world: World, client_for):
    PartnershipFactory(chain=world.other_chain, organisation=world.org_a)
    client = client_for(world.admin)
    assert [o["name"] for o in results(client.get(ORGANISATIONS, {"chain": "jeugd"}))] == [
        "Gemeente Groningen",
        "Politie",
    ]
    # Another chain's slug narrows to nothing rather than revealing its partners.
    assert results(client_for(world.viewer).get(ORGANISATIONS, {"chain": "jeugd"})) == []


def test_it_lists_units_with_their_place_in_the_tree(world: World, client_for):
    child = UnitFactory(organisation=world.org_a, parent=world.unit_a, name="Team Noord")
    units = results(client_for(world.contributor_a).get(UNITS, {"organisation": world.org_a.pk}))
    assert units == [
        {
            "id": world.unit_a.pk,
            "organisation": world.org_a.pk,
            "parent": None,
            "name": "Eenheid Amsterdam",
            "code": "",
        },
        {"id": child.pk, "organisation": world.org_a.pk, "parent": world.unit_a.pk, "name": "Team Noord", "code": ""},
    ]


def test_it_filters_units_by_parent_and_top_level(world: World, client_for):
    child = UnitFactory(organisation=world.org_a, parent=world.unit_a, name="Team Noord")
    client = client_for(world.viewer)
    assert [u["id"] for u in results(client.get(UNITS, {"parent": world.unit_a.pk}))] == [child.pk]
    top = [u["id"] for u in results(client.get(UNITS, {"top_level": "true"}))]
    assert child.pk not in top and world.unit_a.pk in top


def test_it_hides_units_of_organisations_outside_the_persons_chains(world: World, client_for):
    client = client_for(world.viewer)
    assert {u["name"] for u in results(client.get(UNITS))} == {"Eenheid Amsterdam", "Parket Amsterdam"}
    assert client.get(reverse("stakeholders-api:unit-detail", args=[world.unit_c.pk])).status_code == 404
    assert results(client.get(UNITS, {"organisation": world.org_c.pk})) == []


def test_it_lists_organisations_and_units_in_a_constant_number_of_queries(
    world: World, client_for, django_assert_max_num_queries
):
    client = client_for(world.viewer)
    for url in (ORGANISATIONS, UNITS):
        with django_assert_max_num_queries(7):
            client.get(url)
    for _ in range(12):
        organisation = OrganisationFactory()
        PartnershipFactory(chain=world.chain, organisation=organisation)
        UnitFactory(organisation=organisation, parent=UnitFactory(organisation=organisation))
    with django_assert_max_num_queries(7):
        assert len(results(client.get(ORGANISATIONS))) == 14
    with django_assert_max_num_queries(7):
        assert len(results(client.get(UNITS))) == 26
