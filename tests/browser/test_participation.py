"""Participation health in a real browser: the page and the chain home's "partners that need
attention" scanned with axe (WCAG 2.1 A/AA, no CSP violation or script error) on a desktop and at
375 px, where the page does not scroll sideways (the table scrolls inside its wrapper with the
partner's column kept in view); the table's region is reached by keyboard; without JavaScript the
page reads the same."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import World
from tests.governance import action_fixtures as make
from tests.governance.test_participation import decided, position

from .conftest import PHONE, use_english
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

PAGE = reverse("governance:participation_detail", args=["zsm"])
HOME = reverse("stakeholders:chain_detail", args=["zsm"])


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def slipping(world: World) -> None:
    """OM recorded no position on three decisions and has two overdue actions."""
    body = make.body(world.chain)
    make.seat(body, world.lead_a, world.partner_a)
    make.seat(body, world.lead_b, world.partner_b)
    today = timezone.localdate()
    for n in range(3):
        position(decided(body, world, today - timedelta(days=n + 1)), world.partner_a, world.lead_a)
    for n in range(2):
        make.action(body, world.lead_b, today - timedelta(days=n + 2))


def test_the_page_and_the_chain_home_pass_the_scan_on_desktop_and_phone(
    world: World, slipping, page, visit, live_server
):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "viewer")
    for address in (PAGE, HOME):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#partners-needing-attention")).to_contain_text(
        "Openbaar Ministerie: a position recorded on 0 of 3 decisions; 2 actions overdue"
    )
    page.get_by_role("link", name="Participation health of every partner").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participation health")
    expect(page.locator("#participation-summary")).to_contain_text("Openbaar Ministerie")


def test_the_table_keeps_the_partner_in_view_and_is_reached_by_keyboard(
    world: World, slipping, page, visit, live_server
):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "viewer")
    page.set_viewport_size(PHONE)
    visit(page, PAGE)
    region = page.get_by_role("region", name="Participation of the partners of ZSM, core partners first")
    region.focus()
    expect(region).to_be_focused()
    for _ in range(20):  # the arrow keys scroll the table sideways inside its wrapper
        page.keyboard.press("ArrowRight")
    partner = page.locator("#participation-table tbody th").first
    box, wrap = partner.bounding_box(), region.bounding_box()
    assert region.evaluate("el => el.scrollLeft") > 0
    assert box["x"] >= wrap["x"] - 1  # the partner's column stays in view


def test_the_page_reads_without_javascript(world: World, slipping, open_page, live_server):
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "viewer")
    page.goto(PAGE)
    expect(page.locator("#participation-table")).to_contain_text("2 actions overdue")
