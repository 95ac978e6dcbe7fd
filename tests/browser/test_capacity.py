"""Capacity self-assessments in a real browser: the chain's overview, a partner's history, the
assessment form and My work's item scanned with axe (WCAG 2.1 A/AA, no CSP violation or script
error) on a desktop and at 375 px, where no page scrolls sideways; and a lead assessing their
partner by keyboard alone, the drop then flagged on the overview in words."""

from __future__ import annotations

import urllib.request

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models.capacity import CapacityAssessment, shift_window, window_start
from tests.conftest import World
from tests.stakeholders.capacity_fixtures import assess

from .conftest import PHONE, use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

OVERVIEW = reverse("stakeholders:capacity_overview", args=["zsm"])


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def assessed(world: World) -> None:
    """Two periods ago and last period for both partners; the OM's people dropped from 5 to 2."""
    current = window_start(timezone.localdate(), 6)
    for steps in (2, 1):
        start = shift_window(current, 6, -steps)
        assess(world.partner_a, start, by=world.lead_a, people=4)
        assess(world.partner_b, start, by=world.lead_b, people=5 if steps == 2 else 2, knowledge=3)


def test_the_pages_pass_the_scan_on_desktop_and_phone(world: World, assessed, page, visit, live_server):
    sign_in_context(page, live_server, world, "lead_a")
    for address in (
        OVERVIEW,
        reverse("stakeholders:capacity_partner", args=["zsm", world.partner_b.pk]),
        reverse("stakeholders:capacity_assess", args=["zsm", world.partner_a.pk]),
        reverse("stakeholders:my_work"),
    ):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("stakeholders:my_work"))
    expect(page.locator("#my-capacity")).to_contain_text("Politie")


def test_the_form_with_errors_passes_the_scan(world: World, assessed, page, visit, live_server):
    sign_in_context(page, live_server, world, "lead_a")
    visit(page, reverse("stakeholders:capacity_assess", args=["zsm", world.partner_a.pk]))
    page.locator("#id_money_0").check()  # 1 without an explanation
    page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page.locator("#id_money_note_error")).to_contain_text("Licht een score van 2 of lager toe")
    visit.scan(page)
    assert not CapacityAssessment.objects.filter(period_start=window_start(timezone.localdate(), 6)).exists()


def test_a_lead_assesses_by_keyboard_and_the_drop_is_flagged(world: World, assessed, page, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "lead_a")
    page.goto(reverse("stakeholders:my_work"))
    tab_to(page, "#my-capacity a")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Assess the capacity of Politie")
    # Prefilled with last period's 4: two steps back is 2, which needs an explanation.
    tab_to(page, "input[name=people]:checked")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#id_people_1")).to_be_checked()
    tab_to(page, "#id_people_note")
    page.keyboard.type("Vacatures blijven open.")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Capacity of Politie")
    saved = CapacityAssessment.objects.get(
        partnership=world.partner_a, period_start=window_start(timezone.localdate(), 6)
    )
    assert (saved.people, saved.people_note, saved.assessed_by) == (2, "Vacatures blijven open.", world.lead_a)
    page.goto(OVERVIEW)
    expect(page.locator("#capacity-flags")).to_contain_text("Politie")
    expect(page.locator("#capacity-flags")).to_contain_text("People: 2, low and dropped from 4")
