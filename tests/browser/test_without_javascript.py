"""The portal works without JavaScript: a form (invite someone) and the language switch."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from stakeholders.models import Invitation, Role
from tests.conftest import World

from .conftest import use_english

pytestmark = pytest.mark.browser


def test_it_invites_someone_without_javascript(world: World, open_page, visit, sign_in, live_server):
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in(page, world.manager)
    assert page.evaluate("() => typeof window.htmx") == "undefined", "the page's scripts must not have run"

    visit(page, f"/ketens/{world.chain.slug}/mensen/uitnodigen/")
    page.get_by_label("E-mail address").fill("zonder.js@example.nl")
    page.get_by_label("Full name").fill("Zonder Script")
    page.get_by_label("Role in this chain").select_option(label="Partner lead")
    page.get_by_label(re.compile("^Organisation")).select_option(label="Openbaar Ministerie")
    visit.follow(page, page.get_by_role("button", name="Send the invitation").click)

    assert page.url.endswith(f"/ketens/{world.chain.slug}/mensen/"), page.url
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to zonder.js@example.nl")
    invitation = Invitation.objects.get(email="zonder.js@example.nl")
    assert (invitation.chain, invitation.role, invitation.organisation) == (world.chain, Role.PARTNER_LEAD, world.org_b)
    assert [m.to for m in mail.outbox] == [["zonder.js@example.nl"]]


def test_it_switches_the_language_without_javascript(world: World, open_page, visit, sign_in, live_server):
    page = open_page(java_script_enabled=False)
    sign_in(page, world.viewer)
    visit(page, "/")
    assert page.evaluate("() => typeof window.htmx") == "undefined", "the page's scripts must not have run"
    # Dutch by default, whatever the browser asks for.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn werk")

    visit.follow(page, page.get_by_role("button", name="English").click)
    assert page.url == live_server.url + "/", "the switch returns to the same page"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")

    visit.follow(page, page.get_by_role("button", name="Nederlands").click)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn werk")
