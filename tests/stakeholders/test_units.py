from stakeholders.models import Unit
from tests.conftest import World, in_english
from tests.factories import PartnershipFactory, UnitFactory


def edit(client, unit: Unit, **changes):
    url = f"/ketens/zsm/onderdelen/{unit.pk}/bewerken/"
    form = client.get(url).context["form"]
    data = {
        "name": unit.name,
        "code": unit.code,
        "parent": unit.parent_id or "",
        "version_token": form["version_token"].value(),
    }
    data.update(changes)
    return client.post(url, data)


def test_it_adds_a_unit_under_a_parent(world: World, client_for):
    response = client_for(world.lead_a).post(
        f"/ketens/zsm/organisaties/{world.org_a.pk}/onderdelen/nieuw/",
        {"name": "District Noord", "code": "AMS-N", "parent": world.unit_a.pk},
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="District Noord").parent == world.unit_a


def test_it_refuses_a_cycle_at_the_parent_field(world: World, client_for):
    child = UnitFactory(organisation=world.org_a, parent=world.unit_a, name="District")
    grandchild = UnitFactory(organisation=world.org_a, parent=child, name="Basisteam")
    client = in_english(client_for(world.manager))
    response = edit(client, world.unit_a, parent=grandchild.pk)
    assert response.status_code == 422
    parent_field = response.text.split('for="id_parent"')[1].split('id="id_parent"')[0]
    assert "part of itself" in parent_field
    assert Unit.objects.get(pk=world.unit_a.pk).parent is None


def test_it_offers_no_parent_inside_the_units_own_branch(world: World, client_for):
    child = UnitFactory(organisation=world.org_a, parent=world.unit_a, name="District")
    sibling = UnitFactory(organisation=world.org_a, name="Eenheid Rotterdam")
    form = client_for(world.manager).get(f"/ketens/zsm/onderdelen/{world.unit_a.pk}/bewerken/").context["form"]
    offered = {value for value, _ in form.fields["parent"].widget.choices}
    assert sibling.pk in offered
    assert child.pk not in offered and world.unit_a.pk not in offered


def test_it_refuses_a_parent_from_another_organisation(world: World, client_for):
    response = edit(in_english(client_for(world.manager)), world.unit_a, parent=world.unit_b.pk)
    assert response.status_code == 422
    assert Unit.objects.get(pk=world.unit_a.pk).parent is None


def test_it_refuses_a_duplicate_unit_name_at_the_same_level(world: World, client_for):
    client = in_english(client_for(world.lead_a))
    response = client.post(
        f"/ketens/zsm/organisaties/{world.org_a.pk}/onderdelen/nieuw/", {"name": world.unit_a.name, "parent": ""}
    )
    assert response.status_code == 422
    assert "already has a unit with this name" in response.text
    assert Unit.objects.filter(organisation=world.org_a, name=world.unit_a.name).count() == 1


def test_it_lets_lead_a_edit_only_units_of_partner_a(world: World, client_for):
    client = client_for(world.lead_a)
    assert edit(client, world.unit_a, name="Eenheid Amsterdam-Amstelland").status_code == 302
    assert client.get(f"/ketens/zsm/onderdelen/{world.unit_b.pk}/bewerken/").status_code == 403
    assert client.post(f"/ketens/zsm/onderdelen/{world.unit_b.pk}/bewerken/", {"name": "x"}).status_code == 403
    assert Unit.objects.get(pk=world.unit_b.pk).name == "Parket Amsterdam"


def test_it_hides_units_of_the_other_chain(world: World, client_for):
    assert client_for(world.manager).get(f"/ketens/zsm/onderdelen/{world.unit_c.pk}/bewerken/").status_code == 404


def test_it_shows_the_unit_history_on_the_edit_page(world: World, client_for):
    client = client_for(world.manager)
    edit(client, world.unit_a, code="AMS-01")
    history = client.get(f"/ketens/zsm/onderdelen/{world.unit_a.pk}/bewerken/").text.split('id="history-heading"')[1]
    assert "AMS-01" in history


def test_it_names_a_shared_units_editors_only_in_their_own_chain(world: World, client_for):
    assert edit(client_for(world.lead_b), world.unit_b, code="PA-01").status_code == 302
    # OM also becomes a partner in the other chain, where lead B has no role.
    PartnershipFactory(chain=world.other_chain, organisation=world.org_b)
    in_other_chain = in_english(client_for(world.admin)).get(f"/ketens/jeugd/onderdelen/{world.unit_b.pk}/bewerken/")
    history = in_other_chain.text.split('id="history-heading"')[1]
    assert "PA-01" in history
    assert world.lead_b.full_name not in history and "Someone outside this chain" in history
    in_zsm = client_for(world.lead_b).get(f"/ketens/zsm/onderdelen/{world.unit_b.pk}/bewerken/")
    assert world.lead_b.full_name in in_zsm.text.split('id="history-heading"')[1]
    # Shared now: zsm's programme manager may no longer rename it; its own lead still may.
    url = f"/ketens/zsm/onderdelen/{world.unit_b.pk}/bewerken/"
    assert client_for(world.manager).post(url, {"name": world.unit_b.name, "code": "X"}).status_code == 403
    assert edit(client_for(world.lead_b), world.unit_b, code="PA-02").status_code == 302
    assert Unit.objects.get(pk=world.unit_b.pk).code == "PA-02"
