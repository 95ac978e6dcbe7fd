"""Stand-ins in a real browser: the partner page with its stand-ins, the form (also with an error)
and the end-early page, scanned with axe (WCAG 2.1 A/AA, no CSP violation or script error) on a
desktop and at 375 px, where no page scrolls sideways; a lead naming a stand-in by keyboard alone,
and ending it without JavaScript."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models import Role, StandIn
from stakeholders.models.stand_ins import name_stand_in
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory

from .conftest import PHONE, use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def colleague(world: World):
    MandateFactory(person=world.lead_a, partnership=world.partner_a, valid_from=day(-10))
    person = PersonFactory(email="collega@example.nl", full_name="Collega", organisation=world.org_a)
    MembershipFactory(person=person, chain=world.chain, role=Role.PARTNER_LEAD)
    return person


def named(world: World, person, first: int, last: int) -> StandIn:
    stand_in = StandIn(
        partnership=world.partner_a, lead=world.lead_a, stand_in=person, starts_on=day(first), ends_on=day(last)
    )
    stand_in.full_clean()
    return name_stand_in(stand_in)


def test_the_pages_pass_the_scan_on_desktop_and_phone(world: World, colleague, page, visit, live_server):
    stand_in = named(world, colleague, 1, 5)
    stand_in.reason = "vakantie"
    stand_in.save()
    sign_in_context(page, live_server, world, "lead_a")
    for address in (
        world.partner_a.get_absolute_url(),
        reverse("stakeholders:stand_in_create", args=["zsm", world.partner_a.pk]),
        reverse("stakeholders:stand_in_end", args=["zsm", world.partner_a.pk, stand_in.pk]),
        reverse("stakeholders:mandate_list", args=["zsm"]),
    ):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_the_form_with_an_error_passes_the_scan(world: World, colleague, page, visit, live_server):
    named(world, colleague, 1, 5)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, reverse("stakeholders:stand_in_create", args=["zsm", world.partner_a.pk]))
    page.get_by_label("Absent lead").select_option(str(world.lead_a.pk))
    page.get_by_label("Stand-in").select_option(str(colleague.pk))
    page.get_by_label("From").fill(day(3).isoformat())
    page.get_by_label("Until").fill(day(8).isoformat())
    page.get_by_role("button", name="Name stand-in").click()
    expect(page.locator("#id_starts_on_error")).to_contain_text("already stands in for Lead-A")
    visit.scan(page)
    page.set_viewport_size(PHONE)
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    assert StandIn.objects.count() == 1


def test_a_lead_names_a_stand_in_by_keyboard(world: World, colleague, page, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "lead_a")
    page.goto(world.partner_a.get_absolute_url())
    tab_to(page, "a[href$='/vervanging/nieuw/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Name a stand-in for Politie")
    tab_to(page, "#id_stand_in")
    page.keyboard.press("ArrowDown")  # the first (only) colleague
    for field, value in (("#id_starts_on", day(2)), ("#id_ends_on", day(9))):
        tab_to(page, field)
        # A native date field (ketenportaal/forms.py): typed segment by segment in the browser's
        # locale (the test browser's is en-US: month, day, year).
        page.keyboard.type(value.strftime("%m%d%Y"))
        expect(page.locator(field)).to_have_value(value.isoformat())
    tab_to(page, "#id_reason")
    page.keyboard.type("vakantie")
    tab_to(page, "#stand-in-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#stand-ins-heading")).to_be_visible()
    expect(page.locator("section[aria-labelledby=stand-ins-heading]")).to_contain_text("Collega for Lead-A")
    stand_in = StandIn.objects.get()
    assert (stand_in.stand_in, stand_in.starts_on, stand_in.ends_on) == (colleague, day(2), day(9))
    assert stand_in.mandates.count() == 1


def test_a_lead_ends_a_stand_in_without_javascript(world: World, colleague, open_page, live_server):
    stand_in = named(world, colleague, 1, 5)
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "lead_a")
    page.goto(f"{live_server.url}{world.partner_a.get_absolute_url()}")
    page.get_by_role("link", name="End early the stand-in of Collega").click()
    page.get_by_role("button", name="End stand-in").click()
    expect(page.locator("section[aria-labelledby=stand-ins-heading]")).to_contain_text("No current or coming")
    assert not StandIn.objects.filter(pk=stand_in.pk).exists()
