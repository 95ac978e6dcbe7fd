from stakeholders.models import Organisation, Partnership, Unit
from tests.conftest import World, in_english
from tests.factories import UnitFactory


def test_it_lists_the_partner_organisations_with_their_unit_trees(world: World, client_for):
    child = UnitFactory(organisation=world.org_a, parent=world.unit_a, name="District Centrum")
    response = client_for(world.viewer).get("/ketens/zsm/organisaties/")
    assert response.status_code == 200
    page = response.text
    assert "Politie" in page and "Openbaar Ministerie" in page
    assert "Gemeente Groningen" not in page  # partner of the other chain only
    # The child sits in a list nested inside its parent's item.
    parent_item = page.split(world.unit_a.name)[1].split("</li>")[0]
    assert child.name in parent_item


def test_it_lists_organisations_in_a_constant_number_of_queries(
    world: World, client_for, django_assert_max_num_queries
):
    client = client_for(world.viewer)
    client.get("/ketens/zsm/organisaties/")
    for i in range(30):
        UnitFactory(organisation=world.org_a if i % 2 else world.org_b, name=f"Unit {i}")
    with django_assert_max_num_queries(10):
        assert client.get("/ketens/zsm/organisaties/").status_code == 200


def test_it_adds_an_organisation_as_partner(world: World, client_for):
    response = client_for(world.manager).post(
        "/ketens/zsm/organisaties/nieuw/",
        {"name": "Reclassering Nederland", "short_name": "RN", "add_as_partner": "on", "partner_status": "core"},
    )
    organisation = Organisation.objects.get(name="Reclassering Nederland")
    assert response.status_code == 302
    assert response["Location"] == f"/ketens/zsm/organisaties/{organisation.pk}/"
    assert Partnership.objects.get(chain=world.chain, organisation=organisation).status == "core"


def test_it_refuses_a_duplicate_organisation_at_the_name_field(world: World, client_for):
    client = in_english(client_for(world.manager))
    before = Organisation.objects.count()
    response = client.post("/ketens/zsm/organisaties/nieuw/", {"name": "POLITIE", "partner_status": "core"})
    assert response.status_code == 422
    assert Organisation.objects.count() == before
    name_field = response.text.split('for="id_name"')[1].split('id="id_name"')[0]
    assert "An organisation with this name already exists." in name_field


def test_it_lets_the_lead_edit_their_own_organisation_but_not_another(world: World, client_for):
    client = client_for(world.lead_a)
    token = client.get(f"/ketens/zsm/organisaties/{world.org_a.pk}/bewerken/").context["form"]["version_token"].value()
    response = client.post(
        f"/ketens/zsm/organisaties/{world.org_a.pk}/bewerken/",
        {"name": "Nationale Politie", "short_name": "NP", "version_token": token},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=world.org_a.pk).name == "Nationale Politie"
    assert client.get(f"/ketens/zsm/organisaties/{world.org_b.pk}/bewerken/").status_code == 403
    assert (
        client_for(world.contributor_a).get(f"/ketens/zsm/organisaties/{world.org_a.pk}/bewerken/").status_code == 403
    )


def test_it_hides_organisations_that_are_not_partners_in_the_chain(world: World, client_for):
    assert client_for(world.manager).get(f"/ketens/zsm/organisaties/{world.org_c.pk}/").status_code == 404
    assert client_for(world.outsider).get(f"/ketens/zsm/organisaties/{world.org_a.pk}/").status_code == 404


def test_it_shows_the_organisation_history(world: World, client_for):
    client = client_for(world.manager)
    token = client.get(f"/ketens/zsm/organisaties/{world.org_b.pk}/bewerken/").context["form"]["version_token"].value()
    client.post(
        f"/ketens/zsm/organisaties/{world.org_b.pk}/bewerken/",
        {"name": "Openbaar Ministerie", "short_name": "OM-NL", "version_token": token},
    )
    history = client.get(f"/ketens/zsm/organisaties/{world.org_b.pk}/").text.split('id="history-heading"')[1]
    assert "OM-NL" in history and world.manager.full_name in history


def test_it_refuses_a_stale_organisation_edit(world: World, client_for):
    client = in_english(client_for(world.manager))
    url = f"/ketens/zsm/organisaties/{world.org_b.pk}/bewerken/"
    token = client.get(url).context["form"]["version_token"].value()
    Organisation.objects.filter(pk=world.org_b.pk).update(short_name="changed meanwhile")
    response = client.post(url, {"name": "OM", "short_name": "mine", "version_token": token})
    assert response.status_code == 422
    assert "Someone else changed this" in response.text
    assert Organisation.objects.get(pk=world.org_b.pk).short_name == "changed meanwhile"


def test_unit_tree_survives_no_units(world: World):
    Unit.objects.all().delete()
    assert Unit.objects.all().as_trees() == {}
