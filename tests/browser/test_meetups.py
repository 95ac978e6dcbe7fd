"""Meetups (ontmoetingen) in a real browser: the list, an upcoming and a past meetup's page (with
report and photo), the plan form (also with its errors), the answer page and the report form
scanned with axe (WCAG 2.1 A/AA, no CSP violation or script error) on a desktop and at 375 px,
where no page scrolls sideways; a member answering by keyboard with htmx (the counts change in
place) and without JavaScript (post/redirect/get)."""

from __future__ import annotations

import io
import urllib.request
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from governance.models.meetups import Meetup, MeetupRsvp
from tests.conftest import World
from tests.factories import morning

from .conftest import PHONE
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def media(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def _meetup(world: World, days: int, host, **fields) -> Meetup:
    starts = morning(days)
    return Meetup.objects.create(
        chain=world.chain,
        title=f"Ketenborrel bij {host.organisation.name}",
        host=host,
        place="Stadhuis, Utrecht",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        **fields,
    )


@pytest.fixture
def meetups(world: World, media) -> tuple[Meetup, Meetup]:
    coming = _meetup(world, 14, world.partner_a)
    past = _meetup(world, -30, world.partner_b, report="Goede gesprekken over de overdracht.")
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "#154273").save(buffer, format="JPEG")
    past.report_photo_alt = "Partners aan de statafel"
    past.report_photo.save("borrel.jpg", ContentFile(buffer.getvalue()))
    MeetupRsvp.objects.create(meetup=coming, person=world.lead_b, answer="yes")
    return coming, past


def url(name: str, *args) -> str:
    return reverse(f"governance-meetups:{name}", args=["zsm", *args])


def test_the_pages_pass_the_scan_on_desktop_and_phone(world: World, meetups, page, visit, live_server):
    coming, past = meetups
    sign_in_context(page, live_server, world, "manager")
    for address in (
        url("meetup_list"),
        url("meetup_detail", coming.pk),
        url("meetup_detail", past.pk),
        url("meetup_create"),
        url("meetup_edit", coming.pk),
        url("meetup_rsvp", coming.pk),
        url("meetup_report", past.pk),
    ):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url("meetup_detail", past.pk))
    expect(page.locator("#report img")).to_have_attribute("alt", "Partners aan de statafel")


def test_the_plan_form_with_errors_passes_the_scan(world: World, meetups, page, visit, live_server):
    sign_in_context(page, live_server, world, "manager")
    visit(page, url("meetup_create"))
    page.locator("#id_title").fill("Voorjaarsborrel")
    page.locator("#id_day").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.locator("#id_start_time").fill("17:00")
    page.locator("#id_end_time").fill("16:00")
    page.locator("#id_place").fill("Utrecht")
    page.get_by_role("button", name="Plan de ontmoeting").click()
    expect(page.locator("#id_end_time_error")).to_contain_text("kan niet eindigen voordat hij begint")
    visit.scan(page)
    assert not Meetup.objects.filter(title="Voorjaarsborrel").exists()


def test_a_member_answers_by_keyboard_and_the_counts_change_in_place(world: World, meetups, page, live_server):
    coming, _ = meetups
    sign_in_context(page, live_server, world, "viewer")
    page.goto(url("meetup_detail", coming.pk))
    expect(page.locator("#rsvp")).to_contain_text("Komen: 1, misschien: 0, komen niet: 0.")
    tab_to(page, "#id_answer_0")
    page.keyboard.press("Space")
    tab_to(page, "#rsvp button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#rsvp")).to_contain_text("Komen: 2, misschien: 0, komen niet: 0.")
    assert page.url.endswith(url("meetup_detail", coming.pk))
    # Changing the answer: maybe.
    page.locator("#id_answer_1").check()
    page.locator("#rsvp button[type=submit]").click()
    expect(page.locator("#rsvp")).to_contain_text("Komen: 1, misschien: 1, komen niet: 0.")
    assert MeetupRsvp.objects.get(meetup=coming, person=world.viewer).answer == "maybe"


def test_a_member_answers_without_javascript(world: World, meetups, open_page, live_server):
    coming, _ = meetups
    page = open_page(java_script_enabled=False)
    sign_in_context(page, live_server, world, "contributor_a")
    page.goto(url("meetup_detail", coming.pk))
    page.locator("#id_answer_2").check()
    page.locator("#rsvp button[type=submit]").click()
    expect(page.locator("#rsvp")).to_contain_text("Komen: 1, misschien: 0, komen niet: 1.")
    assert MeetupRsvp.objects.get(meetup=coming, person=world.contributor_a).answer == "no"
