import pytest

from stakeholders.models import Organisation, Partnership, Person, Role, Unit
from tests.conftest import World, in_english
from tests.factories import MembershipFactory, PartnershipFactory, PersonFactory, UnitFactory


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


# --- Organisations shared between chains (issue 8, point 13) -----------------------------------


@pytest.fixture
def lead_c(world: World) -> Person:
    """Partner lead of Gemeente Groningen (org C) in the other chain only."""
    person = PersonFactory(email="lead-c@example.nl", full_name="Lead C", organisation=world.org_c)
    MembershipFactory(person=person, chain=world.other_chain, role=Role.PARTNER_LEAD)
    return person


def share_with_zsm(world: World, client) -> None:
    """The programme manager of zsm adds the other chain's organisation as a partner: the
    directory is shared, so that is still allowed."""
    response = client.post(
        "/ketens/zsm/partners/nieuw/", {"organisation": world.org_c.pk, "status": "core", "role": "executor"}
    )
    assert response.status_code == 302, response.content
    assert Partnership.objects.filter(chain=world.chain, organisation=world.org_c).exists()


def edit_organisation(client, slug: str, organisation: Organisation, **data):
    url = f"/ketens/{slug}/organisaties/{organisation.pk}/bewerken/"
    page = client.get(url)
    if page.status_code != 200:
        return page
    token = page.context["form"]["version_token"].value()
    fields = {"name": organisation.name, "short_name": organisation.short_name, "version_token": token}
    return client.post(url, {**fields, **data})


def test_it_lets_a_manager_add_another_chains_organisation_but_not_change_it(world: World, client_for):
    client = client_for(world.manager)
    share_with_zsm(world, client)
    org_c = world.org_c
    assert client.get(f"/ketens/zsm/organisaties/{org_c.pk}/").status_code == 200
    assert edit_organisation(client, "zsm", org_c, name="Gemeente Stad").status_code == 403
    assert client.post(f"/ketens/zsm/organisaties/{org_c.pk}/bewerken/", {"name": "Gemeente Stad"}).status_code == 403
    assert client.post(f"/ketens/zsm/organisaties/{org_c.pk}/onderdelen/nieuw/", {"name": "Nieuw"}).status_code == 403
    assert client.post(f"/ketens/zsm/onderdelen/{world.unit_c.pk}/bewerken/", {"name": "Hernoemd"}).status_code == 403
    assert Organisation.objects.get(pk=org_c.pk).name == "Gemeente Groningen"
    assert list(Unit.objects.filter(organisation=org_c).values_list("name", flat=True)) == ["Wijkteam Centrum"]


def test_it_hides_the_edit_links_of_a_shared_organisation_from_the_manager(world: World, client_for):
    client = in_english(client_for(world.manager))
    share_with_zsm(world, client)
    detail = client.get(f"/ketens/zsm/organisaties/{world.org_c.pk}/")
    assert detail.context["can_edit"] is False
    assert f"/organisaties/{world.org_c.pk}/bewerken/" not in detail.text
    assert "kept by its own partner leads" in detail.text
    listing = client.get("/ketens/zsm/organisaties/")
    assert f"/onderdelen/{world.unit_c.pk}/bewerken/" not in listing.text
    assert f"/onderdelen/{world.unit_a.pk}/bewerken/" in listing.text  # partner in zsm only


def test_it_stops_the_manager_once_a_second_chain_takes_the_organisation_on(world: World, client_for):
    client = client_for(world.manager)
    assert edit_organisation(client, "zsm", world.org_b, short_name="OM-1").status_code == 302
    PartnershipFactory(chain=world.other_chain, organisation=world.org_b)
    assert edit_organisation(client, "zsm", world.org_b, short_name="OM-2").status_code == 403
    assert Organisation.objects.get(pk=world.org_b.pk).short_name == "OM-1"
    # Its own lead still may, and so may a platform administrator.
    assert edit_organisation(client_for(world.lead_b), "zsm", world.org_b, short_name="OM-3").status_code == 302
    assert edit_organisation(client_for(world.admin), "zsm", world.org_b, short_name="OM-4").status_code == 302


def test_it_lets_the_organisations_own_lead_maintain_it_from_any_chain_they_see(world: World, client_for, lead_c):
    share_with_zsm(world, client_for(world.manager))
    MembershipFactory(person=lead_c, chain=world.chain, role=Role.VIEWER)
    client = client_for(lead_c)
    # A viewer in zsm, but the lead of this organisation (in jeugd): the organisation is theirs.
    assert edit_organisation(client, "zsm", world.org_c, short_name="GG").status_code == 302
    assert edit_organisation(client, "zsm", world.org_a, short_name="X").status_code == 403
    assert Organisation.objects.get(pk=world.org_c.pk).short_name == "GG"


def test_it_names_only_the_chains_own_members_in_a_shared_history(world: World, client_for, lead_c):
    share_with_zsm(world, client_for(world.manager))
    assert edit_organisation(client_for(lead_c), "jeugd", world.org_c, short_name="GG").status_code == 302
    by_admin = edit_organisation(client_for(world.admin), "jeugd", world.org_c, website="https://groningen.nl")
    assert by_admin.status_code == 302

    seen_in_zsm = in_english(client_for(world.viewer)).get(f"/ketens/zsm/organisaties/{world.org_c.pk}/")
    history = seen_in_zsm.text.split('id="history-heading"')[1]
    assert "GG" in history  # the change itself: the organisation is in zsm's directory too
    assert lead_c.full_name not in history and lead_c.email not in history
    assert world.admin.full_name not in history
    assert "Someone outside this chain" in history and "A platform administrator" in history

    seen_in_jeugd = client_for(world.outsider).get(f"/ketens/jeugd/organisaties/{world.org_c.pk}/")
    assert lead_c.full_name in seen_in_jeugd.text.split('id="history-heading"')[1]
