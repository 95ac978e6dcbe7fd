"""stakeholders names no other app: the apps above it contribute their chain-menu sections and
their My work fragment through stakeholders/registry.py (imports are held by lint-imports; URL
names and context keys in templates are held here)."""

import re
from pathlib import Path

from django.urls import reverse

from stakeholders.registry import nav_sections
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]
OTHER_APPS = ("ambitions", "governance")


def test_it_names_no_app_built_on_stakeholders():
    named = re.compile(rf"\b({'|'.join(OTHER_APPS)})[:.]\w")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in (ROOT / "stakeholders", ROOT / "templates" / "stakeholders")
        for path in folder.rglob("*")
        if path.suffix in (".py", ".html", ".txt") and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if named.search(line)
    ]
    assert found == []


def test_it_shows_each_apps_registered_sections_in_order(world: World, client_for):
    keys = [section.key for section in nav_sections()]
    assert keys[:5] == ["home", "dashboard", "ambitions", "entry", "reports"]
    page = client_for(world.contributor_a).get(reverse("stakeholders:chain_detail", args=["zsm"])).text
    assert reverse("ambitions:chain_dashboard", args=["zsm"]) in page
    assert reverse("ambitions:entry_index", args=["zsm"]) in page  # a contributor enters figures
    # The menu comes first in the page; ambitions' sections (order 20-50) before the partners (60).
    assert page.index(reverse("ambitions:chain_dashboard", args=["zsm"])) < page.index(
        reverse("stakeholders:partnership_list", args=["zsm"])
    )
    viewer = client_for(world.viewer).get(reverse("stakeholders:chain_detail", args=["zsm"])).text
    assert reverse("ambitions:entry_index", args=["zsm"]) not in viewer  # the section's action decides
