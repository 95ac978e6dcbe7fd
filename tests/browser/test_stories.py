"""Success stories in a real browser: the list, a published story's page (with its photo), one
awaiting approval (with the approve button), the write and edit forms (also with errors) and an
indicator's page listing its story, scanned with axe (WCAG 2.1 A/AA, no CSP violation or script
error) on a desktop and at 375 px, where no page scrolls sideways; a member writing a story and the
two partners' leads approving it by keyboard alone, and a lead approving without JavaScript."""

from __future__ import annotations

import io
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from governance.models.stories import Story, StoryApproval, StoryStatus
from tests.conftest import World

from .conftest import PHONE, use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(name: str, *args) -> str:
    return reverse(f"governance-stories:story_{name}", args=["zsm", *args])


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "#154273").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="foto.jpg")


@pytest.fixture
def stories(world: World, measures) -> tuple[Story, Story]:
    published = Story(
        chain=world.chain,
        title="Eén tafel, één beslissing",
        body="Politie en OM zitten **aan één tafel**.\n\n- sneller\n- [meer](https://example.nl)",
        author=world.contributor_a,
        published_at=timezone.now(),
        status=StoryStatus.PUBLISHED,
        photo=_png(),
        photo_alt="Getekende staafjes die kleiner worden",
    )
    published.save()
    published.partners.set([world.partner_a])
    published.indicators.set([measures.share])
    StoryApproval.objects.create(story=published, partnership=world.partner_a, approved_by=world.lead_a)
    awaiting = Story.objects.create(chain=world.chain, title="Slachtoffers sneller gebeld", body="Het *werkt*.")
    awaiting.partners.set([world.partner_a, world.partner_b])
    return published, awaiting


def test_the_pages_pass_the_scan_on_desktop_and_phone(world: World, stories, page, visit, live_server):
    published, awaiting = stories
    sign_in_context(page, live_server, world, "lead_a")
    for address in (
        url("list"),
        url("detail", published.pk),
        url("detail", awaiting.pk),
        url("create"),
        reverse("ambitions:indicator_detail", args=["zsm", published.indicators.get().pk]),
        reverse("stakeholders:my_work"),
    ):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#my-work-stories")).to_contain_text("Slachtoffers sneller gebeld")
    page.goto(url("detail", published.pk))
    expect(page.locator("img.kp-story-photo")).to_have_attribute("alt", "Getekende staafjes die kleiner worden")
    sign_in_context(page, live_server, world, "contributor_a")
    visit(page, url("edit", published.pk))
    expect(page.locator("#reset-warning")).to_be_visible()


def test_the_form_with_errors_passes_the_scan(world: World, stories, page, visit, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "contributor_a")
    visit(page, url("create"))
    page.get_by_label("Title").fill("Met foto maar zonder beschrijving")
    page.get_by_label("Story").fill("Tekst")
    page.get_by_label("Politie").check()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "#f6d04d").save(buffer, format="JPEG")
    page.locator("input[type=file]").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}
    )
    page.get_by_role("button", name="Save story").click()
    expect(page.locator("#id_photo_alt_error")).to_contain_text("Describe what the photo shows")
    visit.scan(page)
    assert not Story.objects.filter(title="Met foto maar zonder beschrijving").exists()


def test_a_story_written_and_approved_by_two_leads_by_keyboard(world: World, page, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "contributor_a")
    page.goto(url("list"))
    tab_to(page, "#story-create")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Write a success story")
    tab_to(page, "#id_title")
    page.keyboard.type("Samen sneller")
    tab_to(page, "#id_body")
    page.keyboard.type("Het **lukt**.")
    for partner in (world.partner_a, world.partner_b):
        tab_to(page, f"input[name=partners][value='{partner.pk}']")
        page.keyboard.press("Space")
    tab_to(page, "#story-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#story-status")).to_contain_text("Awaiting approval")
    story = Story.objects.get(title="Samen sneller")

    for persona, partner in (("lead_a", world.partner_a), ("lead_b", world.partner_b)):
        page.context.clear_cookies()
        use_english(page, live_server)
        sign_in_context(page, live_server, world, persona)
        page.goto(url("detail", story.pk))
        tab_to(page, f"#approve-{partner.pk}")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status").first).to_contain_text("Approved")
    expect(page.locator("#story-status")).to_contain_text("Published on")
    story.refresh_from_db()
    assert story.is_published


def test_a_lead_approves_without_javascript(world: World, stories, open_page, live_server):
    _published, awaiting = stories
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "lead_b")
    page.goto(f"{live_server.url}{url('detail', awaiting.pk)}")
    page.get_by_role("button", name="Approve for Openbaar Ministerie").click()
    expect(page.locator("#approvals")).to_contain_text("Openbaar Ministerie: approved on")
    assert StoryApproval.objects.filter(story=awaiting, partnership=world.partner_b).exists()
    assert not Story.objects.get(pk=awaiting.pk).is_published  # partner A has not approved yet
