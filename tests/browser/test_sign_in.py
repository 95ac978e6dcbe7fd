"""Signing in in a real browser: a wrong password, and a programme manager's first sign-in,
which sets up the authenticator app from the key shown on the page."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import PASSWORD, World

from .conftest import use_english

pytestmark = pytest.mark.browser


def test_it_refuses_a_wrong_password_with_a_message_and_passes_axe(world: World, page, visit, live_server):
    use_english(page, live_server)
    visit(page, "/inloggen/")
    page.get_by_label("E-mail address").fill(world.viewer.email)
    page.get_by_label("Password").fill("not the password")
    visit.follow(page, page.get_by_role("button", name="Sign in").click, status=422)

    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert "/inloggen/" in page.url
    # Still signed out: My work sends us back to the login page.
    page.goto("/")
    assert "/inloggen/" in page.url


def test_it_sets_up_two_factor_from_the_key_on_the_page(world: World, page, visit, live_server):
    use_english(page, live_server)
    assert not TOTPDevice.objects.filter(user=world.manager).exists()
    visit(page, "/inloggen/")
    page.get_by_label("E-mail address").fill(world.manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    visit.follow(page, page.get_by_role("button", name="Sign in").click)
    assert "/tweestaps/instellen/" in page.url, page.url

    # What someone without a camera does: type the key into the app. We are the app.
    secret = page.locator("code.kp-secret").inner_text().replace(" ", "")
    code = totp(b32decode(secret), step=30, t0=0, digits=6)
    page.get_by_label("Six-digit code").fill(f"{code:06d}")
    visit.follow(page, page.get_by_role("button", name="Confirm").click)

    assert page.url == live_server.url + "/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    assert TOTPDevice.objects.get(user=world.manager).confirmed
