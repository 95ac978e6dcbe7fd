"""stakeholders names no other app: the apps above it contribute their chain-menu sections and
their My work fragment through stakeholders/registry.py (imports are held by lint-imports; URL
names and context keys in templates are held here)."""

import re
from pathlib import Path

from django.urls import reverse

from stakeholders.models import Membership, Role
from stakeholders.registry import nav_groups, nav_sections
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
    assert keys[0] == "home"
    assert keys.index("dashboard") < keys.index("ambitions") < keys.index("entry") < keys.index("reports")
    page = client_for(world.contributor_a).get(reverse("stakeholders:chain_detail", args=["zsm"])).text
    assert reverse("ambitions:chain_dashboard", args=["zsm"]) in page
    assert reverse("ambitions:entry_index", args=["zsm"]) in page  # a contributor enters figures
    # The menu comes first in the page; ambitions' sections (order 20-50) before the partners (60).
    assert page.index(reverse("ambitions:chain_dashboard", args=["zsm"])) < page.index(
        reverse("stakeholders:partnership_list", args=["zsm"])
    )
    viewer = client_for(world.viewer).get(reverse("stakeholders:chain_detail", args=["zsm"])).text
    assert reverse("ambitions:entry_index", args=["zsm"]) not in viewer  # the section's action decides


def test_every_section_belongs_to_a_registered_group():
    groups = {group.key for group in nav_groups()}
    assert [section.key for section in nav_sections() if section.group not in groups] == []


def menu_of(page: str) -> str:
    return page[page.index('<nav class="kp-subnav"') : page.index("</nav>", page.index('<nav class="kp-subnav"'))]


def test_the_chain_home_shows_every_group_with_its_sections(world: World, client_for):
    menu = menu_of(client_for(world.viewer).get(reverse("stakeholders:chain_detail", args=["zsm"])).text)
    for label in ("In één oogopslag", "Doelen en voortgang", "Sturen", "Samenwerking", "Beheer"):
        assert f">{label}</p>" in menu
    for name in ("ambitions:chain_dashboard", "governance:decision_list", "stakeholders:membership_list"):
        assert f'href="{reverse(name, args=["zsm"])}"' in menu
    # The groups come in their order, each section under its own group.
    assert menu.index(">Sturen</p>") < menu.index(reverse("governance:decision_list", args=["zsm"]))
    assert menu.index(reverse("governance:decision_list", args=["zsm"])) < menu.index(">Samenwerking</p>")


def test_elsewhere_the_menu_shows_the_groups_and_the_current_groups_sections(world: World, client_for):
    decisions = reverse("governance:decision_list", args=["zsm"])
    menu = menu_of(client_for(world.viewer).get(decisions).text)
    bodies = reverse("governance:body_list", args=["zsm"])
    # The row of groups: each links its first section; the current page's group is marked.
    assert f'<a class="utrecht-link" href="{bodies}" aria-current="true">Sturen</a>' in menu
    home = reverse("stakeholders:chain_detail", args=["zsm"])
    assert f'<a class="utrecht-link" href="{home}">In één oogopslag</a>' in menu
    # Under it the steering group's sections, the current one marked; another group's are not listed.
    assert f'<a class="utrecht-link" href="{decisions}" aria-current="page">Besluiten</a>' in menu
    assert f'href="{reverse("stakeholders:membership_list", args=["zsm"])}"' not in menu


def test_the_menu_follows_a_changed_role_and_the_language(world: World, client_for, english_client_for):
    """What each kind of member may open is worked out once per worker (chain_tags._permitted),
    under the role, so a person whose role changes sees their new menu on the next page."""
    home = reverse("stakeholders:chain_detail", args=["zsm"])
    entry = f'href="{reverse("ambitions:entry_index", args=["zsm"])}"'
    assert entry in menu_of(client_for(world.contributor_a).get(home).text)
    assert entry not in menu_of(client_for(world.viewer).get(home).text)
    Membership.objects.filter(person=world.contributor_a, chain=world.chain).update(role=Role.VIEWER)
    assert entry not in menu_of(client_for(world.contributor_a).get(home).text)
    assert ">Sturen</p>" in menu_of(client_for(world.viewer).get(home).text)
    assert ">Steering</p>" in menu_of(english_client_for(world.viewer).get(home).text)
