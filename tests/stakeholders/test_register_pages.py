"""The stakeholder register's pages: the list with its filters and gap, the grid (an SVG and the
same data as a table), adding with its field messages, editing without overwriting, making
inactive and active again, a stakeholder's page with its contact log and history, logging a
contact — and a fixed number of queries for many stakeholders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ketenportaal.concurrency import VERSION_FIELD, version_token
from stakeholders.models.register import Stakeholder, StakeholderContact
from tests.conftest import sign_in
from tests.stakeholders.register_fixtures import contact, form_data, stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def url(name: str, *args) -> str:
    return reverse(f"stakeholders:{name}", args=["zsm", *args])


def test_it_adds_a_stakeholder_owned_by_a_member(world, client_for):
    response = client_for(world.manager).post(url("stakeholder_create"), form_data(owner=world.lead_a.pk))
    item = Stakeholder.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.chain == world.chain and item.owner == world.lead_a and item.influence == 3 and item.is_active


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"influence": "6"}, "influence", "Give a score from 1 to 5."),
        ({"interest": "0"}, "interest", "Give a score from 1 to 5."),
        ({"influence": "drie"}, "influence", "Give a score from 1 to 5."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"attitude": "9"}, "attitude", "Select a valid choice. 9 is not one of the available choices."),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(world, client_for, changes, field, message):
    response = client_for(world.manager).post(url("stakeholder_create"), form_data(**changes))
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert message.split(" (")[0] in response.content.decode()
    assert not Stakeholder.objects.exists()


def test_it_refuses_an_owner_who_is_no_member_of_the_chain(world, client_for):
    response = client_for(world.manager).post(url("stakeholder_create"), form_data(owner=world.outsider.pk))
    assert response.status_code == 422 and "owner" in response.context["form"].errors
    assert not Stakeholder.objects.exists()


def test_it_refuses_a_second_stakeholder_of_the_same_name(world, client_for):
    stakeholder(world.chain, "Fonds Slachtofferhulp")
    response = client_for(world.manager).post(url("stakeholder_create"), form_data(name="fonds slachtofferhulp"))
    assert response.status_code == 422
    assert response.context["form"].errors["name"] == ["This chain already has a stakeholder with this name."]
    assert Stakeholder.objects.count() == 1


def test_only_the_programme_manager_keeps_the_register(world, client_for):
    for person in (world.lead_a, world.viewer, world.contributor_a):
        assert client_for(person).post(url("stakeholder_create"), form_data()).status_code == 403
    assert client_for(world.viewer).get(url("stakeholder_list")).status_code == 200
    assert not Stakeholder.objects.exists()


def test_an_edit_never_overwrites_a_change_made_meanwhile(world, client_for):
    item = stakeholder(world.chain)
    fields = ["name", "kind", "influence", "interest", "attitude", "current_engagement", "desired_engagement"]
    fields += ["owner", "approach", "frequency", "notes"]
    stale = version_token(item, fields)
    Stakeholder.objects.filter(pk=item.pk).update(influence=2)
    data = form_data(name=item.name, **{VERSION_FIELD: stale, "influence": "4"})
    response = client_for(world.manager).post(url("stakeholder_edit", item.pk), data)
    assert response.status_code == 422 and response.context["form"].conflict
    item.refresh_from_db()
    assert item.influence == 2
    fresh = version_token(item, fields)
    response = client_for(world.manager).post(url("stakeholder_edit", item.pk), {**data, VERSION_FIELD: fresh})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.influence == 4


def test_it_makes_a_stakeholder_inactive_and_active_again_after_confirming(world, client_for):
    item = stakeholder(world.chain)
    client = client_for(world.manager)
    page = client.get(url("stakeholder_deactivate", item.pk))
    assert page.status_code == 200 and "Nothing is deleted" in page.content.decode()
    item.refresh_from_db()
    assert item.is_active  # a GET only asks
    assert client.post(url("stakeholder_deactivate", item.pk)).status_code == 302
    item.refresh_from_db()
    assert not item.is_active
    assert not client.get(url("stakeholder_grid")).context["grid"].points
    listed = client.get(url("stakeholder_list"), {"status": "inactive"}).content.decode()
    assert item.name in listed
    assert client.post(url("stakeholder_reactivate", item.pk)).status_code == 302
    item.refresh_from_db()
    assert item.is_active
    assert client_for(world.lead_a).post(url("stakeholder_deactivate", item.pk)).status_code == 403
    assert client.delete(url("stakeholder_deactivate", item.pk)).status_code == 405


def test_the_list_filters_and_shows_the_gap_in_words(world, client_for):
    stakeholder(world.chain, "Ministerie", current_engagement=1, desired_engagement=4)
    stakeholder(world.chain, "NOS", kind="media", current_engagement=4, desired_engagement=4)
    stakeholder(world.chain, "Oud", is_active=False)
    client = client_for(world.viewer)
    html = client.get(url("stakeholder_list")).content.decode()
    assert "Ministerie" in html and "NOS" in html and "Oud" not in html
    assert "Gap: 3 steps to go" in html and "No gap" in html
    gaps = client.get(url("stakeholder_list"), {"gap": "gap"}).content.decode()
    assert "Ministerie" in gaps and "NOS" not in gaps
    media = client.get(url("stakeholder_list"), {"kind": "media"}).content.decode()
    assert "NOS" in media and "Ministerie" not in media
    everyone = client.get(url("stakeholder_list"), {"status": "all"}).content.decode()
    assert "Oud" in everyone
    assert client.get(url("stakeholder_list"), {"kind": "citizen"}).status_code == 422


def test_the_grid_is_an_accessible_svg_with_the_same_data_as_its_table(world, client_for):
    stakeholder(world.chain, "Ministerie", influence=5, interest=5)
    stakeholder(world.chain, "Gemeenteraad", kind="municipal", influence=4, interest=1)
    stakeholder(world.chain, "Slachtofferfonds", kind="interest_group", influence=2, interest=5)
    stakeholder(world.chain, "Lokale krant", kind="media", influence=1, interest=2)
    response = client_for(world.viewer).get(url("stakeholder_grid"))
    html = response.content.decode()
    assert 'role="img" aria-labelledby="grid-title grid-desc"' in html
    grid = response.context["grid"]
    names = ["Gemeenteraad", "Lokale krant", "Ministerie", "Slachtofferfonds"]
    assert [p.stakeholder.name for p in grid.points] == names
    description = grid.description
    assert "Manage closely: 3. Ministerie." in description
    assert "Keep satisfied: 1. Gemeenteraad." in description
    assert "Keep informed: 4. Slachtofferfonds." in description
    assert "Monitor: 2. Lokale krant." in description
    table = html.split('id="grid-table"')[1]
    for name in ("Ministerie", "Gemeenteraad", "Slachtofferfonds", "Lokale krant"):
        assert name in table
    assert table.count("<tr") == 5  # a header and one row per point


def test_a_stakeholder_page_shows_the_contact_log_and_history(world, client_for):
    item = stakeholder(world.chain, owner=world.lead_a)
    contact(item, timezone.localdate() - timedelta(days=3), world.manager, "Werkbezoek DG")
    html = client_for(world.viewer).get(url("stakeholder_detail", item.pk)).content.decode()
    assert "Werkbezoek DG" in html and 'id="history-heading"' in html
    assert 'id="contact-form"' not in html  # a viewer does not log contacts
    assert 'id="contact-form"' in client_for(world.lead_a).get(url("stakeholder_detail", item.pk)).content.decode()


def test_the_owner_and_the_manager_log_contacts_and_others_may_not(world, client_for):
    item = stakeholder(world.chain, owner=world.lead_a)
    data = {"on": timezone.localdate().isoformat(), "kind": "call", "summary": "Gebeld over de begroting."}
    response = client_for(world.lead_a).post(url("stakeholder_log_contact", item.pk), data)
    assert response.status_code == 302
    logged = StakeholderContact.objects.get()
    assert logged.by == world.lead_a and logged.stakeholder == item
    assert client_for(world.manager).post(url("stakeholder_log_contact", item.pk), data).status_code == 302
    assert client_for(world.lead_b).post(url("stakeholder_log_contact", item.pk), data).status_code == 403
    assert StakeholderContact.objects.count() == 2


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (lambda today: today + timedelta(days=1), "A contact cannot lie in the future."),
        (lambda today: today.replace(year=1999), "Give a period or date between 2000 and 2100."),
        (lambda today: "31-02-2025", "Enter a valid date."),
    ],
)
def test_it_refuses_a_contact_date_in_the_future_or_out_of_range(world, client_for, on, message):
    item = stakeholder(world.chain)
    day = on(timezone.localdate())
    data = {"on": day if isinstance(day, str) else day.isoformat(), "kind": "call", "summary": "X"}
    response = client_for(world.manager).post(url("stakeholder_log_contact", item.pk), data)
    assert response.status_code == 422
    assert response.context["contact_form"].errors["on"] == [message]
    assert not StakeholderContact.objects.exists()


def test_the_list_and_grid_cost_the_same_queries_for_many_stakeholders(world, client_for, max_page_queries):
    client = client_for(world.viewer)
    for number in range(3):
        contact(stakeholder(world.chain, f"Partij {number}", owner=world.lead_a), timezone.localdate())
    client.get(url("stakeholder_list"))  # warm the session
    with max_page_queries(12) as few_list:
        client.get(url("stakeholder_list"))
    with max_page_queries(12) as few_grid:
        client.get(url("stakeholder_grid"))
    for number in range(3, 60):
        item = stakeholder(world.chain, f"Partij {number}", owner=world.lead_b, influence=number % 5 + 1)
        contact(item, timezone.localdate())
    with max_page_queries(len(few_list.captured_queries)):
        assert client.get(url("stakeholder_list")).status_code == 200
    with max_page_queries(len(few_grid.captured_queries)):
        assert client.get(url("stakeholder_grid")).status_code == 200


def test_the_chain_menu_and_home_offer_the_register_in_dutch(world):
    stakeholder(world.chain, "Ministerie", influence=5, interest=5)
    client = sign_in(Client(), world.viewer)
    home = client.get(reverse("stakeholders:chain_detail", args=["zsm"])).content.decode()
    assert f'href="{url("stakeholder_list")}"' in home and "Omgeving" in home
    grid = client.get(url("stakeholder_grid")).content.decode()
    assert "Krachtenveld" in grid and "Nauw betrekken: 1. Ministerie." in grid and "Tevreden houden" in grid


def test_htmx_gets_only_the_form_back_with_its_errors(world, client_for):
    item = stakeholder(world.chain, owner=world.lead_a)
    client = client_for(world.lead_a)
    data = {"on": "2099-01-01", "kind": "call", "summary": ""}
    response = client.post(url("stakeholder_log_contact", item.pk), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode().strip()
    assert html.startswith('<form class="kp-form" id="contact-form"') and "<h1" not in html
    created = client_for(world.manager).post(url("stakeholder_create"), form_data(), headers={"HX-Request": "true"})
    new = Stakeholder.objects.get(name=form_data()["name"])
    assert created.status_code == 200 and created["HX-Redirect"] == new.get_absolute_url()


def test_the_admin_shows_the_register_but_deletes_nothing(world, client_for):
    item = stakeholder(world.chain)
    admin = client_for(world.admin)
    assert admin.get(reverse("admin:stakeholders_stakeholder_changelist")).status_code == 200
    assert admin.get(reverse("admin:stakeholders_stakeholder_change", args=[item.pk])).status_code == 200
    delete = reverse("admin:stakeholders_stakeholder_delete", args=[item.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert Stakeholder.objects.filter(pk=item.pk).exists()
