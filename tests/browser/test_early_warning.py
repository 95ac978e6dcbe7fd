"""Early warnings in a real browser: the chain's list, a warning's page (chart, lagging units, the
programme manager's forms), the page after a dismissal without a reason, and the chain home with
"1 ambition heading off target", scanned with axe (WCAG 2.1 A/AA, no CSP violation or script
error) on a desktop and at 375 px, where no page scrolls sideways."""

from __future__ import annotations

import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from governance.models.early_warnings import EarlyWarning
from governance.services import early_warning
from tests.governance.body_fixtures import body_of
from tests.governance.early_warning_fixtures import BEND, report, seen_on

from .conftest import DESKTOP, PHONE, use_english
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def warning(measures) -> EarlyWarning:
    report(measures)
    body_of(measures.world)
    [raised] = early_warning.sweep(seen_on(BEND.shifted(4)))
    return raised


def test_the_pages_pass_the_scan_on_desktop_and_phone(warning, measures, page, visit, live_server):
    sign_in_context(page, live_server, measures.world, "manager")
    for address in (
        reverse("governance:early_warning_list", args=["zsm"]),
        warning.get_absolute_url(),
        reverse("stakeholders:chain_detail", args=["zsm"]),
    ):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)
    expect(page.locator("#ambitions-off-target")).to_contain_text("1")


def test_a_dismissal_without_a_reason_is_refused_at_the_field(warning, measures, page, visit, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, measures.world, "manager")
    visit(page, warning.get_absolute_url())
    expect(page.locator("svg[role=img] title")).to_have_count(1)
    expect(page.locator("#lagging-units")).to_contain_text(measures.world.unit_a.name)
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#id_reason_error")).to_contain_text("Say why you dismiss this early warning")
    visit.scan(page)
    page.locator("#id_reason").fill("Known: the police are hiring.")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#warning-status")).to_contain_text("Dismissed")
