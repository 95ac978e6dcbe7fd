"""Every page names the portal's icon, so browsers do not ask for /favicon.ico (a 404 in every
visitor's console): the signed-in layout (templates/base.html) and the public page's own layout."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client


def icon_of(html: str) -> str:
    start = html.index('<link rel="icon" href="') + len('<link rel="icon" href="')
    return html[start : html.index('"', start)]


def test_the_sign_in_page_names_an_icon_that_exists(db, settings):
    href = icon_of(Client().get("/inloggen/").text)
    assert href.startswith(settings.STATIC_URL) and href.endswith(".svg")
    assert finders.find(href.removeprefix(settings.STATIC_URL)) is not None


def test_the_public_layout_names_the_same_icon():
    templates = Path(__file__).resolve().parents[1] / "templates"
    layout = (templates / "governance" / "public" / "_layout.html").read_text()
    assert icon_of(layout) == icon_of((templates / "base.html").read_text())
