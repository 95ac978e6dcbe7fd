import datetime

import pytest

from stakeholders.models import Partnership, PartnershipRole, PartnershipStatus
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory

LIST = "/ketens/zsm/partners/"
CREATE = "/ketens/zsm/partners/nieuw/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def detail(p: Partnership) -> str:
    return f"/ketens/{p.chain.slug}/partners/{p.pk}/"


def edit(p: Partnership, slug: str | None = None) -> str:
    return f"/ketens/{slug or p.chain.slug}/partners/{p.pk}/bewerken/"


def snapshot(p: Partnership) -> dict:
    return Partnership.objects.values().get(pk=p.pk)


def edit_data(client, p: Partnership, **overrides) -> dict:
    """What the edit form submits when left as it is, with the version token it was served with."""
    form = client.get(edit(p)).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["version_token"] = form["version_token"].value()
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------------------


def test_it_lists_the_partners_with_their_details(world: World, client_for):
    world.partner_a.role = PartnershipRole.ENFORCER
    world.partner_a.joined_on = datetime.date(2020, 3, 1)
    world.partner_a.interests = "Minder werkvoorraad"
    world.partner_a.save()
    world.partner_b.status = PartnershipStatus.OBSERVER
    world.partner_b.left_on = datetime.date(2025, 12, 31)
    world.partner_b.save()
    response = client_for(world.viewer).get(LIST)
    assert response.status_code == 200
    text = response.text
    for expected in ("Politie", "Enforcer", "1 Mar 2020", "Minder werkvoorraad", "Openbaar Ministerie", "Observer"):
        assert expected in text
    assert "31 Dec 2025" in text
    assert "Gemeente Groningen" not in text
    assert 'scope="col"' in text
    assert CREATE not in text  # viewers get no "add" link


def test_it_offers_managers_the_add_and_edit_links(world: World, client_for):
    text = client_for(world.manager).get(LIST).text
    assert CREATE in text
    assert edit(world.partner_a) in text


def test_it_hides_the_partner_list_from_outsiders(world: World, client_for):
    assert client_for(world.outsider).get(LIST).status_code == 404


def test_it_keeps_the_partner_list_queries_constant(world: World, client_for, max_page_queries):
    client = client_for(world.manager)
    client.get(LIST)
    for _ in range(30):
        PartnershipFactory(chain=world.chain, role=PartnershipRole.FUNDER, interests="Geld terug")
    with max_page_queries(9):  # 9: the header's unread-notification count
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.text.count("Funder") == 30


# --- create -----------------------------------------------------------------------------------------


def test_it_offers_only_organisations_that_are_not_partners_yet(world: World, client_for):
    rechtspraak = OrganisationFactory(name="Rechtspraak")
    response = client_for(world.manager).get(CREATE)
    assert response.status_code == 200
    options = response.text.split('name="organisation"')[1].split("</select>")[0]
    assert f'value="{rechtspraak.pk}"' in options
    assert f'value="{world.org_c.pk}"' in options  # a partner elsewhere, not here
    assert f'value="{world.org_a.pk}"' not in options
    assert f'value="{world.org_b.pk}"' not in options


def test_it_adds_a_partner(world: World, client_for):
    rechtspraak = OrganisationFactory(name="Rechtspraak")
    data = {
        "organisation": rechtspraak.pk,
        "status": PartnershipStatus.PARTNER_OF_CHAIN,
        "role": PartnershipRole.FACILITATOR,
        "joined_on": "2024-01-01",
        "left_on": "",
        "interests": "Onafhankelijk, wel betrokken",
    }
    response = client_for(world.manager).post(CREATE, data, follow=True)
    partnership = Partnership.objects.get(chain=world.chain, organisation=rechtspraak)
    assert response.redirect_chain == [(detail(partnership), 302)]
    assert partnership.status == PartnershipStatus.PARTNER_OF_CHAIN
    assert partnership.role == PartnershipRole.FACILITATOR
    assert partnership.joined_on == datetime.date(2024, 1, 1)
    assert "Rechtspraak is now a partner in ZSM." in response.text
    assert "Partner of the chain" in response.text
    assert "Onafhankelijk, wel betrokken" in response.text


def test_it_refuses_a_duplicate_partner_at_the_field(world: World, client_for):
    count = Partnership.objects.count()
    data = {"organisation": world.org_a.pk, "status": PartnershipStatus.CORE}
    response = client_for(world.manager).post(CREATE, data)
    assert response.status_code == 422
    assert 'id="id_organisation_error"' in response.text
    assert (
        "This organisation is already a partner in this chain." in response.text.split('id="id_organisation_error"')[1]
    )
    assert Partnership.objects.count() == count


def test_it_refuses_leaving_before_joining_when_adding(world: World, client_for):
    rechtspraak = OrganisationFactory(name="Rechtspraak")
    data = {"organisation": rechtspraak.pk, "status": "core", "joined_on": "2024-05-01", "left_on": "2024-04-30"}
    response = client_for(world.manager).post(CREATE, data)
    assert response.status_code == 422
    assert "The date of leaving cannot be before the date of joining." in response.text
    assert 'id="id_left_on_error"' in response.text
    assert not Partnership.objects.filter(organisation=rechtspraak).exists()


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_lets_only_managers_add_partners(world: World, client_for, persona):
    rechtspraak = OrganisationFactory(name="Rechtspraak")
    client = client_for(getattr(world, persona))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"organisation": rechtspraak.pk, "status": "core"}).status_code == 403
    assert not Partnership.objects.filter(organisation=rechtspraak).exists()


def test_it_hides_adding_partners_from_outsiders(world: World, client_for):
    rechtspraak = OrganisationFactory(name="Rechtspraak")
    assert (
        client_for(world.outsider).post(CREATE, {"organisation": rechtspraak.pk, "status": "core"}).status_code == 404
    )
    assert not Partnership.objects.filter(organisation=rechtspraak).exists()


def test_it_answers_htmx_with_the_form_partial_or_a_redirect_header(world: World, client_for):
    client = client_for(world.manager)
    bad = client.post(CREATE, {"organisation": world.org_a.pk, "status": "core"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith("<form")
    assert "<html" not in bad.text
    assert "already a partner" in bad.text

    rechtspraak = OrganisationFactory(name="Rechtspraak")
    good = client.post(CREATE, {"organisation": rechtspraak.pk, "status": "core"}, headers={"HX-Request": "true"})
    partnership = Partnership.objects.get(chain=world.chain, organisation=rechtspraak)
    assert good["HX-Redirect"] == detail(partnership)


# --- detail -----------------------------------------------------------------------------------------


def test_it_shows_a_partner_with_its_history(world: World, client_for):
    manager = client_for(world.manager)
    manager.post(edit(world.partner_a), edit_data(manager, world.partner_a, interests="Snellere doorlooptijd"))
    response = client_for(world.viewer).get(detail(world.partner_a))
    assert response.status_code == 200
    assert "Politie" in response.text
    assert "Snellere doorlooptijd" in response.text
    history = response.text.split('id="history-heading"')[1]
    assert "Snellere doorlooptijd" in history
    assert "Manager" in history
    assert edit(world.partner_a) not in response.text  # viewers get no edit link


def test_it_does_not_find_another_chains_partner(world: World, client_for):
    forged = f"/ketens/zsm/partners/{world.partner_c.pk}/"
    assert client_for(world.manager).get(forged).status_code == 404
    assert client_for(world.outsider).get(detail(world.partner_a)).status_code == 404


# --- edit -------------------------------------------------------------------------------------------


def test_it_edits_a_partnership(world: World, client_for):
    client = client_for(world.manager)
    data = edit_data(
        client,
        world.partner_b,
        status=PartnershipStatus.OBSERVER,
        role=PartnershipRole.COORDINATOR,
        joined_on="2019-01-01",
        left_on="2026-06-30",
        interests="Minder zaken op de plank",
    )
    response = client.post(edit(world.partner_b), data, follow=True)
    assert response.redirect_chain == [(detail(world.partner_b), 302)]
    world.partner_b.refresh_from_db()
    assert world.partner_b.status == PartnershipStatus.OBSERVER
    assert world.partner_b.role == PartnershipRole.COORDINATOR
    assert world.partner_b.left_on == datetime.date(2026, 6, 30)
    assert "The partnership of Openbaar Ministerie has been saved." in response.text
    assert "Coordinator" in response.text


def test_it_refuses_leaving_before_joining(world: World, client_for):
    client = client_for(world.manager)
    before = snapshot(world.partner_a)
    response = client.post(
        edit(world.partner_a), edit_data(client, world.partner_a, joined_on="2024-05-01", left_on="2024-04-30")
    )
    assert response.status_code == 422
    assert (
        "The date of leaving cannot be before the date of joining." in response.text.split('id="id_left_on_error"')[1]
    )
    assert snapshot(world.partner_a) == before


@pytest.mark.parametrize(("field", "day"), [("joined_on", "0001-01-01"), ("left_on", "9999-12-31")])
def test_it_refuses_a_date_outside_2000_to_2100(world: World, client_for, field, day):
    client = client_for(world.manager)
    before = snapshot(world.partner_a)
    response = client.post(edit(world.partner_a), edit_data(client, world.partner_a, **{field: day}))
    assert response.status_code == 422
    assert "Give a period or date between 2000 and 2100." in response.text.split(f'id="id_{field}_error"')[1]
    assert snapshot(world.partner_a) == before


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a", "lead_b"])
def test_it_lets_only_managers_edit(world: World, client_for, persona):
    client = client_for(getattr(world, persona))
    before = snapshot(world.partner_a)
    assert client.get(edit(world.partner_a)).status_code == 403
    response = client.post(edit(world.partner_a), {"status": "observer", "role": "funder"})
    assert response.status_code == 403
    assert snapshot(world.partner_a) == before


def test_it_does_not_edit_another_chains_partner(world: World, client_for):
    before = snapshot(world.partner_c)
    forged = edit(world.partner_c, slug="zsm")
    client = client_for(world.manager)
    assert client.get(forged).status_code == 404
    assert client.post(forged, {"status": "observer", "role": "funder"}).status_code == 404
    assert client_for(world.outsider).post(edit(world.partner_a), {"status": "observer"}).status_code == 404
    assert snapshot(world.partner_c) == before


def test_it_refuses_a_stale_edit_and_shows_the_current_values(world: World, client_for):
    client = client_for(world.manager)
    stale = edit_data(client, world.partner_a, role=PartnershipRole.FUNDER, interests="Mijn versie")
    # Meanwhile, a colleague saves another change.
    colleague = client_for(world.admin)
    colleague.post(edit(world.partner_a), edit_data(colleague, world.partner_a, interests="Versie van een collega"))
    saved = snapshot(world.partner_a)
    assert saved["interests"] == "Versie van een collega"

    response = client.post(edit(world.partner_a), stale)
    assert response.status_code == 422
    assert "Someone else changed this while you were editing" in response.text
    conflict = response.text.split('id="conflict-heading"')[1].split("</section>")[0]
    assert "Versie van een collega" in conflict
    assert snapshot(world.partner_a) == saved

    # With the refreshed token the user can save deliberately.
    again = dict(stale, version_token=response.context["form"]["version_token"].value())
    assert client.post(edit(world.partner_a), again).status_code == 302
    assert snapshot(world.partner_a)["interests"] == "Mijn versie"


def test_it_refuses_an_edit_without_a_version_token(world: World, client_for):
    client = client_for(world.manager)
    data = edit_data(client, world.partner_a, interests="Zonder versie")
    del data["version_token"]
    before = snapshot(world.partner_a)
    response = client.post(edit(world.partner_a), data)
    assert response.status_code == 422
    assert snapshot(world.partner_a) == before


def test_it_answers_a_stale_htmx_edit_with_the_form_partial(world: World, client_for):
    client = client_for(world.manager)
    stale = edit_data(client, world.partner_a, interests="Mijn versie")
    Partnership.objects.filter(pk=world.partner_a.pk).update(role=PartnershipRole.DIRECTOR)
    response = client.post(edit(world.partner_a), stale, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert "Director" in response.text
    ok = client.post(
        edit(world.partner_a),
        dict(stale, version_token=response.context["form"]["version_token"].value()),
        headers={"HX-Request": "true"},
    )
    assert ok["HX-Redirect"] == detail(world.partner_a)
