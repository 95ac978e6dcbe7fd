"""TOTP two-factor sign-in: required for programme managers and platform administrators."""

import base64
import re
from base64 import b32encode

from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, World, in_english

CHAIN_URL = "/ketens/zsm/"


def password_client(person) -> Client:
    """Signed in with the password only, through the real login form."""
    client = in_english(Client())
    response = client.post(reverse("login"), {"username": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def confirmed_device(person) -> TOTPDevice:
    return TOTPDevice.objects.create(user=person, name="phone", confirmed=True)


def test_it_keeps_a_programme_manager_out_until_the_code_is_entered(world: World):
    device = confirmed_device(world.manager)
    client = password_client(world.manager)
    blocked = client.get(CHAIN_URL)
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{reverse('otp_verify')}?next=%2Fketens%2Fzsm%2F"

    page = client.get(blocked["Location"])
    assert page.status_code == 200
    assert "Enter your verification code" in page.text
    assert 'value="/ketens/zsm/"' in page.text

    response = client.post(reverse("otp_verify"), {"token": code(device), "next": CHAIN_URL})
    assert response.status_code == 302
    assert response["Location"] == CHAIN_URL
    assert client.get(CHAIN_URL).status_code == 200


def test_it_refuses_a_wrong_code_at_the_field_with_422(world: World):
    device = confirmed_device(world.manager)
    client = password_client(world.manager)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("otp_verify"), {"token": wrong, "next": CHAIN_URL})
    assert response.status_code == 422
    assert "This code is not correct" in response.text
    assert "utrecht-form-field--invalid" in response.text
    assert client.get(CHAIN_URL).status_code == 302


def test_it_throttles_codes_after_a_wrong_one(world: World):
    device = confirmed_device(world.manager)
    client = password_client(world.manager)
    client.post(reverse("otp_verify"), {"token": "000000" if code(device) != "000000" else "111111"})
    response = client.post(reverse("otp_verify"), {"token": code(device)})
    assert response.status_code == 422
    assert "Too many wrong codes" in response.text
    assert client.get(CHAIN_URL).status_code == 302


def test_it_refuses_letters_as_a_code(world: World):
    confirmed_device(world.manager)
    response = password_client(world.manager).post(reverse("otp_verify"), {"token": "abcdef"})
    assert response.status_code == 422
    assert "six digits" in response.text


def test_it_sets_up_an_authenticator_app_with_qr_code_and_key(world: World):
    client = password_client(world.manager)
    blocked = client.get(CHAIN_URL)
    assert blocked["Location"].startswith(reverse("otp_setup"))

    page = client.get(blocked["Location"])
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=world.manager)
    assert not device.confirmed
    match = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"[^>]*alt="([^"]+)"', page.text)
    assert match, page.text
    assert base64.b64decode(match.group(1)).lstrip().startswith((b"<?xml", b"<svg"))
    assert "QR code" in match.group(2)
    secret = b32encode(device.bin_key).decode()
    assert secret[:4] in page.text and secret[-4:] in page.text
    assert 'autocomplete="one-time-code"' in page.text

    # Reloading the page shows the same unconfirmed device, not a new secret each time.
    client.get(reverse("otp_setup"))
    assert TOTPDevice.objects.filter(user=world.manager).count() == 1

    response = client.post(reverse("otp_setup"), {"token": code(device), "next": CHAIN_URL})
    assert response.status_code == 302
    assert response["Location"] == CHAIN_URL
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(CHAIN_URL).status_code == 200


def test_it_does_not_confirm_a_device_with_a_wrong_code(world: World):
    client = password_client(world.manager)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=world.manager)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("otp_setup"), {"token": wrong})
    assert response.status_code == 422
    assert "This code is not correct" in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(CHAIN_URL).status_code == 302


def test_it_does_not_let_a_password_alone_replace_the_second_factor(world: World):
    confirmed_device(world.manager)
    client = password_client(world.manager)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(user=world.manager).count() == 1


def test_it_ignores_a_next_that_leads_off_site(world: World):
    device = confirmed_device(world.manager)
    client = password_client(world.manager)
    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:my_work")


def test_it_requires_two_factor_for_platform_administrators(world: World):
    client = password_client(world.admin)
    assert client.get("/beheer/")["Location"].startswith(reverse("otp_setup"))


def test_it_does_not_ask_other_roles_for_a_code(world: World):
    assert password_client(world.lead_a).get(CHAIN_URL).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_it_lets_a_programme_manager_in_when_two_factor_is_switched_off(world: World):
    confirmed_device(world.manager)
    assert password_client(world.manager).get(CHAIN_URL).status_code == 200


def test_it_sends_anonymous_visitors_to_sign_in_first(db):
    response = Client().get(reverse("otp_verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
