"""The stakeholder register in a real browser: the list, the grid, a stakeholder's page and the
create form (with a field error shown) pass axe on the desktop and at 375 px without sideways
scrolling; the programme manager adds a stakeholder and logs a contact by keyboard alone; and the
same works without JavaScript."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models.register import Stakeholder, StakeholderContact
from tests.conftest import World
from tests.stakeholders.register_fixtures import contact, stakeholder

from .conftest import use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    """Take the live server's first-request import cost before the browser does."""
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


def url(name: str, *args) -> str:
    return reverse(f"stakeholders:{name}", args=["zsm", *args])


def _both_widths(page, visit) -> None:
    """Scan at the desktop width (done by visit), then at 375 px, without sideways scrolling."""
    assert_no_horizontal_scroll(page)
    visit.scan(page)
    page.set_viewport_size(DESKTOP)


def _register(world: World) -> Stakeholder:
    ministry = stakeholder(world.chain, owner=world.lead_a, current_engagement=2, desired_engagement=5)
    contact(ministry, timezone.localdate() - timedelta(days=4), world.manager, "Kwartaaloverleg over capaciteit.")
    stakeholder(world.chain, "Slachtofferorganisaties Nederland", kind="interest_group", influence=3, interest=5)
    stakeholder(world.chain, "Regionale pers", kind="media", influence=2, interest=1, desired_engagement=3)
    stakeholder(world.chain, "Oude partij", is_active=False)
    return ministry


def test_every_register_page_passes_the_scan_on_desktop_and_phone(world: World, page, visit, live_server):
    ministry = _register(world)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    for address in (
        url("stakeholder_list"),
        url("stakeholder_list") + "?status=all&gap=gap&kind=ministry",
        url("stakeholder_grid"),
        url("stakeholder_detail", ministry.pk),
        url("stakeholder_edit", ministry.pk),
        url("stakeholder_deactivate", ministry.pk),
        url("stakeholder_create"),
    ):
        page.set_viewport_size(DESKTOP)
        visit(page, address)
        _both_widths(page, visit)
    expect(page.locator("svg[role=img] title")).to_have_count(0)  # the create form has no grid
    visit(page, url("stakeholder_grid"))
    expect(page.locator("#grid-desc")).to_contain_text("Manage closely")
    expect(page.locator("#grid-table tbody tr")).to_have_count(3)

    # The create form with an error at its field, scanned at both widths; nothing saved.
    visit(page, url("stakeholder_create"))
    page.get_by_label("Name").fill("Gemeenteraad Amsterdam")
    page.get_by_label("Influence").fill("9")
    page.get_by_label("Interest").fill("3")
    page.get_by_role("button", name="Add stakeholder").click()
    expect(page.locator("#id_influence_error")).to_contain_text("Give a score from 1 to 5.")
    visit.scan(page)
    _both_widths(page, visit)
    assert not Stakeholder.objects.filter(name="Gemeenteraad Amsterdam").exists()


def test_the_manager_adds_a_stakeholder_and_logs_a_contact_by_keyboard(world: World, page, visit, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, url("stakeholder_list"))
    tab_to(page, f"a[href='{url('stakeholder_create')}']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Add a stakeholder")
    tab_to(page, "#id_name")
    page.keyboard.type("Gemeenteraad Rotterdam")
    tab_to(page, "#id_kind")
    page.keyboard.type("City")  # type-ahead: "City council or municipal politics"
    tab_to(page, "#id_influence")
    page.keyboard.type("4")
    tab_to(page, "#id_interest")
    page.keyboard.type("2")
    tab_to(page, "#id_approach")
    page.keyboard.type("Raadsinformatiebrief bij de jaarcijfers.")
    tab_to(page, "#stakeholder-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Gemeenteraad Rotterdam")
    created = Stakeholder.objects.get(name="Gemeenteraad Rotterdam")
    assert (created.kind, created.influence, created.interest) == ("municipal", 4, 2)
    visit.scan(page)

    tab_to(page, "#id_summary")
    page.keyboard.type("Werkbezoek van de commissie aan de ZSM-locatie.")
    tab_to(page, "#contact-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-log")).to_contain_text("Werkbezoek van de commissie")
    logged = StakeholderContact.objects.get(stakeholder=created)
    assert (logged.on, logged.by) == (timezone.localdate(), world.manager)


def test_it_works_without_javascript(world: World, open_page, visit, live_server):
    ministry = _register(world)
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, url("stakeholder_deactivate", ministry.pk))
    page.get_by_role("button", name="Make inactive").click()
    expect(page.locator("#inactive")).to_be_visible()
    page.get_by_label("Summary").fill("Gebeld over de inzet.")
    page.get_by_role("button", name="Log contact").click()
    expect(page.locator("#contact-log")).to_contain_text("Gebeld over de inzet.")
    ministry.refresh_from_db()
    assert not ministry.is_active and ministry.contacts.count() == 2
