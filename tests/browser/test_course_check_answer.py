"""Course checks in a real browser: the list, the check's page, the answer form (also with its
errors at the statements) and the statements page scanned with axe (WCAG 2.1 A/AA, no CSP
violation or script error) on a desktop and at 375 px, where no page scrolls sideways; and a
respondent answering every statement and the open question by keyboard alone."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from governance.models.course_checks import CourseCheckRespondent, CourseCheckScore
from tests.conftest import World
from tests.governance.course_check_fixtures import answerable, seated, url

from .conftest import DESKTOP
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def check(world: World):
    seated(world)
    return answerable(world)


def scan_both(page, visit, address: str) -> None:
    page.set_viewport_size(DESKTOP)
    visit(page, address)
    assert_no_horizontal_scroll(page)
    visit.scan(page)
    page.set_viewport_size(DESKTOP)


def test_every_course_check_page_passes_the_scan(world, check, page, open_page, visit, sign_in):
    sign_in(page, world.manager)
    for address in ("/ketens/zsm/overleg/koerschecks/", url(check), url(check, "stellingen/")):
        scan_both(page, visit, address)
    # The statements page with an error at a field.
    visit(page, url(check, "stellingen/"))
    page.locator("#id_text_culture_2").fill("")
    visit.follow(page, lambda: page.locator("#statements-form button[type=submit]").click(), status=422)
    expect(page.locator("#id_text_culture_2_error")).to_be_visible()

    respondent = open_page()
    sign_in(respondent, world.lead_a)
    scan_both(respondent, visit, url(check, "antwoorden/"))
    # Sent without any score: the message at every statement, scanned on both widths.
    visit.follow(respondent, lambda: respondent.locator("#answer-form button[type=submit]").click(), status=422)
    expect(respondent.locator(".utrecht-form-field-error-message")).to_have_count(8)
    assert_no_horizontal_scroll(respondent)
    visit.scan(respondent)
    # Someone not asked: the page that says why, scanned too.
    viewer = open_page()
    sign_in(viewer, world.viewer)
    visit(viewer, url(check, "antwoorden/"), status=403)
    expect(viewer.locator("#refusal")).to_contain_text("U bent niet gevraagd")


def test_a_respondent_answers_every_statement_by_keyboard(world, check, page, visit, sign_in):
    sign_in(page, world.lead_a)
    visit(page, "/")  # My work: the check waiting for my answer
    link = page.get_by_role("link", name="Koerscheck ZSM: antwoorden tot en met", exact=False)
    visit.follow(page, link.click)
    expect(page.get_by_role("heading", name="De koerscheck beantwoorden")).to_be_visible()

    first = page.locator("input[type=radio]").first
    first.focus()
    for statement in range(8):
        page.keyboard.press("Space")  # checks the focused first score (1)
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # … and moves the choice to 4
        page.keyboard.press("Tab")  # the statement's comment
        if statement == 4:
            page.keyboard.type("Het vertrouwen tussen politie en OM staat onder druk.")
        page.keyboard.press("Tab")  # the next statement's first score, or the open question
    page.keyboard.type("Vaker samen evalueren.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_text("Dank u: uw antwoord is opgeslagen.")).to_be_visible()
    expect(page.locator("#answered-on")).to_contain_text("U hebt geantwoord op")

    respondent = CourseCheckRespondent.objects.get(course_check=check, person=world.lead_a)
    assert respondent.open_answer == "Vaker samen evalueren."
    scores = CourseCheckScore.objects.filter(respondent=respondent)
    assert sorted(scores.values_list("score", flat=True)) == [4] * 8
    assert scores.filter(comment__startswith="Het vertrouwen").count() == 1
