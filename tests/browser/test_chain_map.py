"""The chain map in a real browser: the map page (SVG and table), the dashboard with the map and
the edit page, with its refusal of a gap, scanned with axe (WCAG 2.1 A/AA, no CSP violation or
script error) on a desktop and at 375 px, where no page scrolls sideways; and the programme
manager adding a step by keyboard alone, then seeing it on the map."""

from __future__ import annotations

import urllib.request
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ambitions.models import Indicator
from ambitions.models.chain_map import ChainMap, MapStep
from ambitions.services.entry import CellInput, save_cell
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.measures import adopted_version

from .conftest import DESKTOP, PHONE, use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

MAP = reverse("ambitions:chain_map", args=["zsm"])
EDIT = reverse("ambitions:chain_map_edit", args=["zsm"])


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def mapped(measures) -> World:
    """A map of two steps: the police within its 24-hour norm, the OM past it."""
    m, w = measures, measures.world
    chain_map = ChainMap.objects.create(chain=w.chain)
    norm = {"unit_label": "uur", "direction": "lower", "baseline_value": Decimal(24), "target_value": Decimal(24)}
    for position, (name, partner, unit, person, value) in enumerate(
        [
            ("Aanhouding en verhoor", w.partner_a, w.unit_a, w.contributor_a, "20"),
            ("Beslissing van het OM", w.partner_b, w.unit_b, w.lead_b, "31"),
        ],
        start=1,
    ):
        indicator = Indicator.objects.create(ambition=m.ambition, name=f"Uren bij {name}", position=10 + position)
        adopted_version(indicator, [unit], **norm)
        for period in (m.period.previous, m.period):
            save_cell(person, indicator, unit, period, CellInput(value=value))
        step = MapStep.objects.create(chain_map=chain_map, position=position, name=name, indicator=indicator)
        step.partners.set([partner])
    w.probation = PartnershipFactory(chain=w.chain, organisation=OrganisationFactory(name="Reclassering"))
    return w


def test_the_pages_pass_the_scan_on_desktop_and_phone(mapped: World, page, visit, live_server):
    sign_in_context(page, live_server, mapped, "manager")
    for address in (MAP, reverse("ambitions:chain_dashboard", args=["zsm"]), EDIT):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)
    page.goto(MAP)
    expect(page.locator("svg[role=img] title")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("Beslissing van het OM")


def test_a_gap_is_refused_and_the_page_with_the_message_passes_the_scan(mapped: World, page, visit, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, mapped, "manager")
    visit(page, EDIT)
    page.locator("#id_steps-1-position").fill("3")
    page.get_by_role("button", name="Save the chain map").click()
    expect(page.locator("#form-errors")).to_contain_text("without a gap: number 2 is missing")
    visit.scan(page)
    assert list(MapStep.objects.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_the_programme_manager_adds_a_step_by_keyboard(mapped: World, page, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, mapped, "manager")
    page.goto(MAP)
    tab_to(page, f'a[href="{EDIT}"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Change the chain map")
    tab_to(page, "#id_steps-2-position")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("Advies")
    tab_to(page, f"input[name='steps-2-partners'][value='{mapped.probation.pk}']")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Chain map of ZSM")
    expect(page.locator("table")).to_contain_text("3. Advies")
    expect(page.locator("table")).to_contain_text("Reclassering")
    assert MapStep.objects.filter(position=3, name="Advies").exists()
