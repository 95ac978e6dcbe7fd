"""The error pages are the portal's own: Dutch, in the layout, with a way back; never a bare
English "403 Forbidden" or Django's debug page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import World, in_english

ROOT = Path(settings.BASE_DIR)
LAYOUT = 'class="kp-header"'  # only templates/base.html draws the portal's header
MY_WORK_LINK = 'href="/"'


def assert_portal_page(response, status: int, *dutch: str) -> None:
    assert response.status_code == status
    text = response.content.decode()
    assert '<html lang="nl">' in text
    assert LAYOUT in text
    assert MY_WORK_LINK in text, "no way back to the start page"
    for phrase in dutch:
        assert phrase in text
    assert "Forbidden" not in text and "Not Found" not in text and "Server Error" not in text


def test_it_answers_a_forged_chain_slug_with_the_portals_404(world: World, client_for):
    response = client_for(world.viewer).get("/ketens/bestaat-niet/")
    assert_portal_page(response, 404, "Pagina niet gevonden", "Naar Mijn werk")


def test_it_answers_an_unknown_address_with_the_portals_404_when_signed_out(db):
    response = Client().get("/bestaat-niet/")
    assert_portal_page(response, 404, "Pagina niet gevonden", "Naar de startpagina")


def test_it_answers_a_refused_action_with_the_portals_403_and_a_way_back(world: World, client_for):
    came_from = "http://testserver/ketens/zsm/mensen/"
    response = client_for(world.viewer).get("/ketens/zsm/mensen/uitnodigen/", headers={"referer": came_from})
    assert_portal_page(response, 403, "Dit mag u niet", "Naar Mijn werk")
    assert f'href="{came_from}"' in response.text
    assert "Terug naar de vorige pagina" in response.text


def test_it_offers_no_way_back_to_another_site(world: World, client_for):
    response = client_for(world.viewer).get(
        "/ketens/zsm/mensen/uitnodigen/", headers={"referer": "https://elders.example/"}
    )
    assert response.status_code == 403
    assert "elders.example" not in response.text


def test_it_speaks_english_on_the_error_pages_when_chosen(world: World, client_for):
    response = in_english(client_for(world.viewer)).get("/ketens/bestaat-niet/")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Go to My work" in response.text


@pytest.mark.urls("tests.error_urls")
def test_it_answers_an_unforeseen_fault_with_the_portals_500(db):
    response = Client(raise_request_exception=False).get("/test-fout/500/")
    assert_portal_page(response, 500, "Er ging iets mis")


@pytest.mark.urls("tests.error_urls")
def test_it_renders_the_500_page_when_the_context_processors_fail(db, settings):
    # A 500 may come from a database that is down, which the context processors (the unread
    # notifications in the header) would need: the 500 page does without them.
    engine = {**settings.TEMPLATES[0]}
    engine["OPTIONS"] = {**engine["OPTIONS"]}
    engine["OPTIONS"]["context_processors"] = [*engine["OPTIONS"]["context_processors"], "tests.error_urls.broken"]
    settings.TEMPLATES = [engine]
    response = Client(raise_request_exception=False).get("/test-fout/500/")
    assert_portal_page(response, 500, "Er ging iets mis")


@pytest.mark.urls("tests.error_urls")
def test_it_answers_a_suspicious_request_with_the_portals_400(db):
    response = Client().get("/test-fout/400/")
    assert_portal_page(response, 400, "Ongeldig verzoek")


def test_it_answers_a_host_it_does_not_serve_with_the_portals_400(db):
    response = Client().get("/inloggen/", headers={"host": "elders.example"})
    assert_portal_page(response, 400, "Ongeldig verzoek")


def test_it_explains_a_refused_form_in_dutch(world: World):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.viewer, backend="django.contrib.auth.backends.ModelBackend")
    client.get("/")  # sets the CSRF cookie
    response = client.post("/meldingen/alles-gelezen/", {"csrfmiddlewaretoken": "verlopen" * 4})
    assert_portal_page(response, 403, "Het formulier kon niet worden verstuurd", "Er is niets opgeslagen")


def test_it_asks_for_cookies_when_a_form_comes_without_one(db):
    response = Client(enforce_csrf_checks=True).post("/inloggen/", {"username": "a@example.nl", "password": "x"})
    assert_portal_page(response, 403, "Het formulier kon niet worden verstuurd", "cookie")


def test_it_runs_the_demo_without_debug_so_nobody_sees_djangos_debug_page():
    script = (ROOT / "scripts" / "run-demo").read_text()
    exported = " ".join(re.findall(r"^export (.+)$", script, re.MULTILINE))
    assert "DEBUG=false" in exported
    assert "DEBUG=true" not in script


@pytest.mark.parametrize("path", ["/static/css/portal.css", "/static/vendor/htmx/htmx.min.js"])
def test_it_serves_the_static_files_without_debug(db, path):
    # The demo runs runserver with DEBUG off, which serves no static files itself: WhiteNoise does.
    assert not settings.DEBUG
    response = Client().get(path)
    assert response.status_code == 200
