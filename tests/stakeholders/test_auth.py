"""Signing in (throttled by django-axes) and resetting a password by e-mail.

Sign-in goes through the real form (POST /inloggen/), not client.login(): axes'
backend needs the request, and the lockout is part of what is tested.
"""

import re
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from stakeholders.models import Invitation, Person
from tests.conftest import PASSWORD, World, in_english
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings):
    """Each test counts reset requests from zero: the same (real) cache under a key prefix of its
    own, so counts left by an earlier test or run within the hour do not leak in."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


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


# --- One spelling of an address (issue 8, point 12) ----------------------------------------


def _case_variants(email: str, count: int) -> list[str]:
    """``count`` spellings of one address that differ only in letter case (the same one never twice
    in a row), as an attacker would cycle through them to dodge a lockout keyed on the exact text."""
    letters = [i for i, char in enumerate(email) if char.isalpha()]
    variants = []
    for n in range(count):
        chars = list(email)
        for bit, index in enumerate(letters):
            if (n >> (bit % 12)) & 1:
                chars[index] = chars[index].upper()
        variants.append("".join(chars))
    return variants


def test_it_locks_out_across_letter_case_variants_of_the_address(world: World):
    client = english_client()
    variants = _case_variants(world.viewer.email, 41)
    assert len(set(variants)) == 41
    statuses = [sign_in(client, variant, "wrong password").status_code for variant in variants[:40]]
    assert statuses[:4] == [422] * 4
    assert set(statuses[4:]) == {429}
    response = sign_in(client, variants[40], PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The original spelling is locked too.
    assert sign_in(client, world.viewer.email, PASSWORD).status_code == 429


def test_it_locks_out_the_admin_sign_in_across_letter_case_variants(world: World):
    client = english_client()
    url = reverse("admin:login")
    for variant in _case_variants(world.admin.email, 40):
        client.post(url, {"username": variant, "password": "wrong password", "next": "/beheer/"})
    response = client.post(url, {"username": world.admin.email.upper(), "password": PASSWORD, "next": "/beheer/"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_stores_an_address_in_lower_case_however_it_is_created(db):
    by_manager = Person.objects.create_user("Mixed.Case@Example.NL", PASSWORD, full_name="Mixed")
    by_save = Person(email="  Other.Person@EXAMPLE.nl ", full_name="Other")
    by_save.save()
    assert by_manager.email == "mixed.case@example.nl"
    assert Person.objects.get(pk=by_save.pk).email == "other.person@example.nl"
    assert Person.objects.get_by_natural_key("MIXED.case@example.nl") == by_manager


def test_it_refuses_an_existing_address_in_other_case_at_the_field(world: World):
    duplicate = Person(email=world.viewer.email.upper(), full_name="Copy")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean(exclude=["password"])
    assert "email" in refused.value.message_dict


def test_it_refuses_an_existing_address_in_other_case_in_the_database(world: World):
    # Behind every form: the constraint on lower(email), on PostgreSQL and SQLite alike.
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=world.lead_a.pk).update(email=world.viewer.email.upper())


def test_it_refuses_an_existing_address_in_other_case_in_the_admin(world: World, client_for):
    client = in_english(client_for(world.admin))
    before = Person.objects.count()
    response = client.post(
        reverse("admin:stakeholders_person_add"),
        {
            "email": world.viewer.email.upper(),
            "full_name": "Copy",
            "password1": "a long enough new password",
            "password2": "a long enough new password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert Person.objects.count() == before
    assert "email" in response.context["adminform"].form.errors


# --- Throttled reset mails (issue 8, point 14) -----------------------------------------------


def test_it_mails_at_most_three_reset_links_per_address_an_hour(world: World, mailoutbox):
    client = english_client()
    spellings = [world.viewer.email, world.viewer.email.upper(), world.viewer.email.title()]
    responses = [client.post(reverse("password_reset"), {"email": spellings[i % 3]}) for i in range(10)]
    # Every answer is the same neutral page, mailed or not.
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("password_reset_done"))}
    assert len(mailoutbox) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 3
    assert {tuple(mail.to) for mail in mailoutbox} == {(world.viewer.email,)}


def test_it_answers_an_unknown_address_the_same_when_throttled(world: World, mailoutbox):
    client = english_client()
    answers = [client.post(reverse("password_reset"), {"email": "nobody@example.nl"}, follow=True) for _ in range(5)]
    assert {r.redirect_chain[-1][0] for r in answers} == {reverse("password_reset_done")}
    assert len({r.text.split("<main")[1] for r in answers}) == 1
    assert mailoutbox == []


def test_it_mails_at_most_twenty_reset_links_per_ip_an_hour(world: World, mailoutbox):
    people = [PersonFactory(email=f"reset{n}@example.nl") for n in range(25)]
    client = english_client()
    for person in people:
        response = client.post(reverse("password_reset"), {"email": person.email}, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 302
    assert len(mailoutbox) == settings.PASSWORD_RESET_LIMIT_PER_IP == 20
    # Someone else, elsewhere, still gets their link.
    client.post(reverse("password_reset"), {"email": world.viewer.email}, REMOTE_ADDR="203.0.113.9")
    assert mailoutbox[-1].to == [world.viewer.email]


def test_it_refuses_to_invite_a_member_again_in_other_case_at_the_field(world: World, client_for):
    response = in_english(client_for(world.manager)).post(
        reverse("stakeholders:invitation_create", args=[world.chain.slug]),
        {"email": world.viewer.email.upper(), "full_name": "Viewer", "role": "viewer"},
    )
    assert response.status_code == 422
    assert "already has a role in this chain" in str(response.context["form"].errors["email"])


def test_it_sends_an_invitation_in_other_case_to_the_existing_account(world: World, client_for):
    invitation, token = Invitation.issue(
        chain=world.other_chain, email=world.viewer.email.upper(), role="viewer", by=world.admin
    )
    assert invitation.email == world.viewer.email
    page = english_client().get(reverse("stakeholders:invitation_accept", args=[token]))
    # Not a form for a second account, but "sign in to accept".
    assert page.context["state"] == "sign_in"
