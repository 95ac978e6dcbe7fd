"""Signing in (throttled by django-axes) and resetting a password by e-mail.

Sign-in goes through the real form (POST /inloggen/), not client.login(): axes'
backend needs the request, and the lockout is part of what is tested.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, World, in_english


def english_client() -> Client:
    """UI text assertions in English, whatever the Dutch catalogue says."""
    return in_english(Client())


def sign_in(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_it_signs_in_and_lands_on_my_work(world: World):
    client = english_client()
    response = sign_in(client, world.viewer.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:my_work")
    assert client.session["_auth_user_id"] == str(world.viewer.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "My work" in page.text


def test_it_accepts_the_address_in_another_case(world: World):
    client = english_client()
    response = sign_in(client, world.viewer.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.viewer.pk)


def test_it_returns_to_the_requested_page_after_sign_in(world: World):
    client = english_client()
    first = client.get("/ketens/zsm/")
    assert first.status_code == 302
    login_page = client.get(first["Location"])
    assert 'name="next" value="/ketens/zsm/"' in login_page.text
    response = client.post(
        first["Location"], {"username": world.viewer.email, "password": PASSWORD, "next": "/ketens/zsm/"}
    )
    assert response["Location"] == "/ketens/zsm/"


def test_it_refuses_a_wrong_password_at_the_form_with_422(world: World):
    client = english_client()
    response = sign_in(client, world.viewer.email, "wrong password")
    assert response.status_code == 422
    assert "do not match" in response.text
    assert "_auth_user_id" not in client.session


def test_it_links_to_password_reset_from_the_login_page(db):
    response = english_client().get(reverse("login"))
    assert response.status_code == 200
    assert f'href="{reverse("password_reset")}"' in response.text
    assert 'autocomplete="current-password"' in response.text


def test_it_locks_out_after_five_failures_even_with_the_right_password(world: World):
    client = english_client()
    for _attempt in range(4):
        assert sign_in(client, world.viewer.email, "wrong password").status_code == 422
    fifth = sign_in(client, world.viewer.email, "wrong password")
    assert fifth.status_code == 429
    response = sign_in(client, world.viewer.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert "Try again in 15 minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_it_locks_out_only_that_username(world: World):
    client = english_client()
    for _attempt in range(5):
        sign_in(client, world.viewer.email, "wrong password")
    response = sign_in(client, world.lead_a.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.lead_a.pk)


def _reset_link(body: str) -> str:
    match = re.search(r"https?://\S+/wachtwoord-instellen/\S+/\S+/", body)
    assert match, body
    return match.group(0)


def test_it_resets_a_password_by_email(world: World, mailoutbox):
    client = english_client()
    response = client.post(reverse("password_reset"), {"email": world.viewer.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [world.viewer.email]
    link = _reset_link(mail.body)
    assert link.startswith(settings.SITE_URL)

    path = link.removeprefix(settings.SITE_URL.rstrip("/"))
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.text
    set_password_url = form_page.redirect_chain[-1][0]
    new_password = "a brand new long passphrase"
    done = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")

    world.viewer.refresh_from_db()
    assert world.viewer.check_password(new_password)
    fresh = english_client()
    assert sign_in(fresh, world.viewer.email, PASSWORD).status_code == 422
    assert sign_in(fresh, world.viewer.email, new_password).status_code == 302

    # The link works once.
    again = client.get(path, follow=True)
    assert "This link does not work" in again.text


def test_it_shows_the_same_page_for_an_unknown_address(world: World, mailoutbox):
    client = english_client()
    response = client.post(reverse("password_reset"), {"email": "nobody@example.nl"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "If an account exists" in response.text
    assert mailoutbox == []


def test_it_refuses_a_weak_new_password_at_the_field(world: World, mailoutbox):
    client = english_client()
    client.post(reverse("password_reset"), {"email": world.viewer.email})
    path = _reset_link(mailoutbox[0].body).removeprefix(settings.SITE_URL.rstrip("/"))
    form_page = client.get(path, follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 422
    assert "too short" in response.text
    world.viewer.refresh_from_db()
    assert world.viewer.check_password(PASSWORD)


@pytest.mark.parametrize("email", ["not-an-address", ""])
def test_it_refuses_an_invalid_reset_address_with_422(db, mailoutbox, email):
    response = english_client().post(reverse("password_reset"), {"email": email})
    assert response.status_code == 422
    assert mailoutbox == []
