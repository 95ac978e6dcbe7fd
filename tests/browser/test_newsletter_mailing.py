"""The newsletter's mailing pages in a real browser, scanned with axe (WCAG 2.1 A/AA, no CSP
violation or script error) on a desktop and at 375 px: an outsider signs up by keyboard (an invalid
address refused at the field first), confirms and unsubscribes; a link that does not work; the
programme manager's confirm step and the progress once sending."""

from __future__ import annotations

import urllib.request
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance.models.newsletters import Newsletter, NewsletterStatus
from governance.models.subscribers import Subscriber
from governance.services import subscribers as service
from tests.conftest import World

from .conftest import use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

SIGNUP = reverse("mailing:subscriber_signup", args=["zsm"])


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    from django.core.cache import cache

    cache.delete(service.throttle_key("newsletter-signup-ip", "127.0.0.1"))
    cache.delete(service.throttle_key("newsletter-signup-address", "lezer@example.nl"))


def scan_both(page, visit) -> None:
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_outsider_signs_up_by_keyboard_confirms_and_unsubscribes(world: World, page, visit, live_server):
    use_english(page, live_server)
    visit(page, SIGNUP)
    scan_both(page, visit)

    tab_to(page, "#id_email")
    page.keyboard.type("geen-adres")
    page.keyboard.press("Enter")
    expect(page.locator("#id_email_error")).to_contain_text("Enter an e-mail address like name@example.nl.")
    visit.scan(page)
    assert not Subscriber.objects.exists()

    page.locator("#id_email").fill("lezer@example.nl")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#signup-sent")).to_contain_text("Unless this address is subscribed already")
    scan_both(page, visit)
    subscriber = Subscriber.objects.get(email="lezer@example.nl")

    visit(page, reverse("mailing:subscriber_confirm", args=["zsm", service.confirm_token(subscriber)]))
    scan_both(page, visit)
    tab_to(page, "main button[type=submit]")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#confirmed")).to_be_visible()
    visit.scan(page)
    subscriber.refresh_from_db()
    assert subscriber.is_confirmed

    visit(page, reverse("mailing:unsubscribe", args=["zsm", service.subscriber_unsubscribe_token(subscriber)]))
    scan_both(page, visit)
    tab_to(page, "main button[type=submit]")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#unsubscribed")).to_be_visible()
    scan_both(page, visit)
    assert not Subscriber.objects.exists()


def test_a_link_that_does_not_work_passes_the_scan(world: World, page, visit):
    visit(page, reverse("mailing:unsubscribe", args=["zsm", "afgebroken"]), status=404)
    scan_both(page, visit)


def test_the_send_step_and_the_progress_pass_the_scan(world: World, page, visit, live_server):
    Subscriber.objects.create(chain=world.chain, email="lezer@example.nl", confirmed_at=timezone.now())
    edition = Newsletter.objects.create(chain=world.chain, quarter=date(2026, 7, 1))
    sign_in_context(page, live_server, world, "manager")
    url = reverse("mailing:newsletter_send", args=["zsm", edition.pk])
    visit(page, url)
    expect(page.locator("#send-recipients")).to_contain_text("6")
    scan_both(page, visit)
    tab_to(page, "main button[type=submit]")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#count-pending")).to_be_visible()
    scan_both(page, visit)
    edition.refresh_from_db()
    assert edition.status == NewsletterStatus.SENDING
