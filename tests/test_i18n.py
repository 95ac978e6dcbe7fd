"""Dutch by default, English by the language switch; the Dutch catalogue is complete."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

from tests.conftest import World

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
