"""The quarterly newsletter in a real browser: the archive, the programme manager's edit page and a
sent edition's public web page scanned with axe (WCAG 2.1 A/AA, no CSP violation or script error)
on a desktop and at 375 px; reordering and leaving out items by keyboard; and the journey of
issue 14: a member writes a success story naming two partners, each partner's lead approves it
with one click, and after the quarter the drafted newsletter carries it."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance.models.newsletters import Newsletter, NewsletterStatus, quarter_end, quarter_start
from governance.services import newsletters as services
from tests.conftest import World
from tests.governance.newsletter_fixtures import Q1, build_quarter

from .conftest import PHONE
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def editions(world: World):
    from tests.measures import build_measures

    build_quarter(build_measures(world))
    draft = services.draft(world.chain, Q1)[0]
    sent = services.draft(world.chain, quarter_start(Q1 - timedelta(days=1)))[0]
    Newsletter.objects.filter(pk=sent.pk).update(
        status=NewsletterStatus.SENT, sent_at=timezone.now(), introduction="Beste lezer,\n\nEen goed kwartaal."
    )
    return draft, sent


def edit_url(newsletter) -> str:
    return reverse("governance-newsletters:newsletter_edit", args=["zsm", newsletter.pk])


def _scan_both(page, visit, address: str) -> None:
    visit(page, address)
    page.set_viewport_size(PHONE)
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_pages_pass_the_scan_on_desktop_and_phone(world: World, editions, page, open_page, visit, live_server):
    draft, sent = editions
    sign_in_context(page, live_server, world, "manager")
    _scan_both(page, visit, reverse("governance-newsletters:newsletter_list", args=["zsm"]))
    _scan_both(page, visit, edit_url(draft))
    anonymous = open_page()
    _scan_both(anonymous, visit, sent.get_public_url())
    expect(anonymous.locator("h1")).to_contain_text("Nieuwsbrief ZSM")


def test_the_manager_reorders_and_leaves_out_by_keyboard(world: World, editions, page, visit, live_server):
    draft, _sent = editions
    second = draft.items.order_by("position")[1]
    sign_in_context(page, live_server, world, "manager")
    visit(page, edit_url(draft))
    tab_to(page, f"#item-{second.pk} input[name=step][value=up] ~ button")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    assert draft.items.order_by("position").first().pk == second.pk
    # The page comes back at the moved item; leave it out.
    tab_to(page, f"#item-{second.pk} input[name=step][value=drop] ~ button")
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(f"#item-{second.pk}")).to_contain_text("Weggelaten")
    assert not draft.items.get(pk=second.pk).included


def test_a_story_approved_by_two_partners_is_in_the_drafted_newsletter(world: World, open_page, visit, live_server):
    writer = open_page()
    sign_in_context(writer, live_server, world, "contributor_a")
    visit(writer, reverse("governance-stories:story_create", args=["zsm"]))
    writer.get_by_label("Titel").fill("Binnen een dag recht gedaan")
    writer.locator("#id_body").fill("Dankzij **politie en OM** samen op één locatie.")
    writer.get_by_label("Politie").check()
    writer.get_by_label("Openbaar Ministerie").check()
    visit.follow(writer, lambda: writer.get_by_role("button", name="Verhaal opslaan").click())
    story_url = writer.url
    for persona, partner in (("lead_a", world.partner_a), ("lead_b", world.partner_b)):
        lead = open_page()
        sign_in_context(lead, live_server, world, persona)
        visit(lead, story_url)
        expect(lead.locator(f"#approve-{partner.pk}")).to_contain_text(f"Goedkeuren namens {partner.organisation.name}")
        visit.follow(lead, lead.locator(f"#approve-{partner.pk}").click)
    expect(lead.locator(".kp-messages")).to_contain_text("gepubliceerd")
    # The quarter ends; the beat's task drafts the chain's newsletter.
    quarter = quarter_start(timezone.localdate())
    assert services.draft_due(quarter_end(quarter) + timedelta(days=1)) >= 1
    newsletter = Newsletter.objects.get(chain=world.chain, quarter=quarter)
    manager = open_page()
    sign_in_context(manager, live_server, world, "manager")
    visit(manager, reverse("governance-newsletters:newsletter_list", args=["zsm"]))
    visit.follow(manager, manager.locator(f'a[href="{edit_url(newsletter)}"]').click)
    expect(manager.locator("table")).to_contain_text("Binnen een dag recht gedaan")
    expect(manager.locator(".kp-newsletter")).to_contain_text("Dankzij politie en OM samen op één locatie.")
