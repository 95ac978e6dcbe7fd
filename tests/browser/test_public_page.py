"""The chain's public page in a real browser: the page and its embeddable version pass axe
(WCAG 2.1 A/AA, no CSP violation or script error) anonymously, on a desktop and at 375 px without
scrolling sideways; only the embed shows inside another site's iframe; the programme manager's
settings page passes axe with and without errors and switches the page on by keyboard alone."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from governance.models.public_page import PublicPage
from tests.governance.public_page_fixtures import adopted_decision, steering_group, switched_on
from tests.measures import enter_count, enter_share

from .conftest import PHONE
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

PUBLIC = "/openbaar/zsm/"
EMBED = "/openbaar/zsm/embed/"
SETTINGS = reverse("governance:public_page_edit", args=["zsm"])


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def reported(measures):
    w = measures.world
    for back in range(4):
        period = measures.period.shifted(-back)
        enter_share(measures, w.unit_a, period, "40", "50")
        enter_share(measures, w.unit_b, period, "30", "50")
        enter_count(measures, w.unit_a, period, "12")
    return measures


def test_the_public_pages_pass_the_scan_anonymously_on_desktop_and_phone(reported, page, visit):
    switched_on(reported, show_units=True)
    for address in (PUBLIC, EMBED):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(PUBLIC)
    expect(page.locator("h1")).to_contain_text("ZSM")
    expect(page.locator(".kp-chart svg[role=img]")).to_have_count(2)
    # The tables open by keyboard.
    tab_to(page, "details.kp-chart-data summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.kp-chart-data").first).to_have_attribute("open", "")


@pytest.fixture
def embedder(live_server) -> Iterator[str]:
    """Another site on this machine (another origin; Chromium keeps public pages from framing local
    servers) whose page frames the embed and the full page."""
    body = (
        "<!doctype html><title>embedder</title>"
        f'<iframe id="embed" title="embed" src="{live_server.url}{EMBED}"></iframe>'
        f'<iframe id="full" title="full" src="{live_server.url}{PUBLIC}"></iframe>'
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_only_the_embed_shows_inside_another_sites_iframe(reported, browser, embedder):
    switched_on(reported)
    # Not the watched page fixture: the refused frame is a CSP violation on purpose.
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(embedder)
        expect(page.frame_locator("#embed").locator("h1")).to_contain_text("ZSM")
        expect(page.frame_locator("#full").locator("h1")).not_to_contain_text("ZSM")
    finally:
        context.close()


def test_the_settings_page_passes_the_scan_and_switches_on_by_keyboard(reported, page, visit, live_server):
    w = reported.world
    decision = adopted_decision(steering_group(w.chain), w.manager)
    sign_in_context(page, live_server, w, "manager")
    visit(page, SETTINGS)
    # Switched on without indicators: refused at the field, scanned with the error.
    page.locator("#id_enabled").check()
    page.locator("#id_decision").select_option(str(decision.pk))
    visit.follow(page, lambda: page.locator("form.kp-form button[type=submit]").click(), status=422)
    expect(page.locator("#id_indicators_error")).to_be_visible()
    assert not PublicPage.objects.filter(enabled=True).exists()
    page.set_viewport_size(PHONE)
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # By keyboard: choose an indicator and save.
    tab_to(page, f'input[name=indicators][value="{reported.share.pk}"]')
    page.keyboard.press("Space")
    tab_to(page, "form.kp-form button[type=submit]")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    saved = PublicPage.objects.get(chain=w.chain)
    assert saved.enabled and list(saved.indicators.all()) == [reported.share]
    page.goto(PUBLIC)
    expect(page.locator("h1")).to_contain_text("ZSM")
