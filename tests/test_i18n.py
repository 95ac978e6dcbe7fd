"""Dutch by default, English by the language switch; the Dutch catalogue is complete, Django's own
messages (empty choice, password rules) are Dutch too, and dates are written one way."""

import datetime
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from stakeholders.models import Invitation, Role
from tests.conftest import World, in_english

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_it_speaks_dutch_even_to_an_english_browser(world: World, client_for):
    response = client_for(world.viewer).get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="nl">' in response.text
    assert "Mijn werk" in response.text


def test_it_switches_to_english_with_the_language_switch(world: World, client_for):
    client = client_for(world.viewer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert '<html lang="en">' in response.text
    assert "My work" in response.text
    assert "Mijn werk" not in response.text


def test_it_has_a_dutch_translation_for_every_message():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == [], f"untranslated or fuzzy in {CATALOGUE.name}: {missing[:20]}"


# --- Django's own messages in Dutch (where Django 6.1's Dutch catalogue falls short) ---------


def test_it_offers_the_empty_choice_of_a_select_in_dutch(world: World, client_for):
    page = client_for(world.manager).get(f"/ketens/zsm/partners/{world.partner_a.pk}/bewerken/")
    assert page.status_code == 200
    assert "- Kies een optie -" in page.text
    assert "Select an option" not in page.text


def reset_password_page(client, person) -> str:
    """The set-password page of a reset link (Django moves the token from the link into the session)."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    response = client.get(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(person)]))
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    ("password", "dutch"),
    [
        ("kort", "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten."),
        ("123456789012", "Dit wachtwoord bevat alleen cijfers."),
        ("1qaz2wsx3edc", "Dit wachtwoord is te algemeen."),
        ("viewer@example.nl", "Het wachtwoord lijkt te veel op"),
    ],
)
def test_it_explains_a_refused_new_password_in_dutch(world: World, password, dutch):
    client = Client()
    url = reset_password_page(client, world.viewer)
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 422
    assert dutch in response.text
    assert "This password" not in response.text and "The password is too similar" not in response.text


def test_it_explains_a_too_short_password_in_dutch_when_accepting_an_invitation(world: World):
    _invitation, token = Invitation.issue(
        chain=world.chain,
        email="nieuw@example.nl",
        full_name="Nieuw",
        role=Role.VIEWER,
        organisation=None,
        by=world.manager,
    )
    response = Client().post(
        reverse("stakeholders:invitation_accept", args=[token]),
        {"full_name": "Nieuw", "password1": "kort", "password2": "kort"},
    )
    assert response.status_code == 422
    assert "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten." in response.text


# --- One date format ------------------------------------------------------------------------


def test_it_writes_dates_one_way_in_dutch_and_in_english(world: World, client_for):
    world.partner_a.joined_on = datetime.date(2020, 3, 1)
    world.partner_a.save()
    dutch = client_for(world.viewer).get(f"/ketens/zsm/partners/{world.partner_a.pk}/")
    assert "1 mrt 2020" in dutch.text
    english = in_english(client_for(world.viewer)).get(f"/ketens/zsm/partners/{world.partner_a.pk}/")
    assert "1 Mar 2020" in english.text
    moment = datetime.datetime(2026, 11, 30, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Amsterdam
    with translation.override("nl"):
        assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "30 nov 2026 14:05"
        assert formats.date_format(moment.date(), "DATE_FORMAT") == "30 nov 2026"
    with translation.override("en"):
        assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "30 Nov 2026 14:05"


# A date is written as {{ day|date }} or {{ moment|date:"DATETIME_FORMAT" }}; "F Y" names a month
# (a period), "c" is for machines (<time datetime>).
_ALLOWED_DATE_FORMATS = {"DATE_FORMAT", "DATETIME_FORMAT", "F Y", "c"}


def test_it_has_no_date_format_of_its_own_in_any_template():
    templates = Path(settings.BASE_DIR) / "templates"
    own = [
        f"{path.relative_to(templates)}: {fmt}"
        for path in templates.rglob("*.*")
        for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text())
        if fmt not in _ALLOWED_DATE_FORMATS
    ]
    assert own == [], 'use |date or |date:"DATETIME_FORMAT" (ketenportaal/formats/)'
