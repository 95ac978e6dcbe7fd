"""A course check from answer to agenda, in a real browser: three partners' representatives in the
steering group answer by keyboard alone (relations a point lower than in the previous check), the
real close step (the beat's task) closes the check and works out the alert, the results page shows
the drop (scanned with axe on a desktop and at 375 px), and the alert is among the suggestions for
the steering group's next meeting."""

from __future__ import annotations

import urllib.request
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Body, BodyLevel, BodyMember, MeetingStatus, MemberPosition
from governance.models.course_checks import CourseCheck, CourseCheckStatement
from governance.services import course_checks as service
from governance.tasks import run_course_checks
from stakeholders.models import Notification, Role
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, PersonFactory
from tests.governance.agenda_fixtures import at, make_meeting
from tests.governance.course_check_result_fixtures import answer, make_check

from .conftest import DESKTOP
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


def _answer_by_keyboard(page, visit, check: CourseCheck) -> None:
    """Every statement 4, relations 3, by keyboard: Space checks the first score, arrows move it."""
    dimension_of = {
        f"score_{pk}": d
        for pk, d in CourseCheckStatement.objects.filter(course_check=check).values_list("pk", "dimension")
    }
    visit(page, f"/ketens/{check.chain.slug}/overleg/koerschecks/{check.pk}/antwoorden/")
    page.locator("input[type=radio]").first.focus()
    for _ in range(8):
        name = page.evaluate("document.activeElement.name")
        target = 3 if dimension_of[name] == "relations" else 4
        page.keyboard.press("Space")  # the first score (1)
        for _ in range(target - 1):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")  # the comment
        page.keyboard.press("Tab")  # the next statement, or the open question
    page.keyboard.type("Meer tijd voor elkaar.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_text("Dank u: uw antwoord is opgeslagen.")).to_be_visible()


def test_three_partners_answer_the_check_closes_and_the_drop_reaches_the_agenda(world, page, open_page, visit, sign_in):
    w = world
    reclassering = PartnershipFactory(chain=w.chain, organisation=OrganisationFactory(name="Reclassering"))
    lead_r = PersonFactory(email="lead-r@example.nl", full_name="Lead-R", organisation=reclassering.organisation)
    MembershipFactory(person=lead_r, chain=w.chain, role=Role.PARTNER_LEAD)
    steering = Body.objects.create(chain=w.chain, name="Stuurgroep ZSM", level=BodyLevel.STRATEGIC)
    for person, partnership in ((w.lead_a, w.partner_a), (w.lead_b, w.partner_b), (lead_r, reclassering)):
        BodyMember.objects.create(body=steering, person=person, partnership=partnership)
    BodyMember.objects.create(body=steering, person=w.manager, position=MemberPosition.SECRETARY)
    today = timezone.localdate()
    meeting = make_meeting(steering, at(today + timedelta(days=10)), MeetingStatus.ANNOUNCED)

    # The previous check: relations 4 for every partner.
    opens_on, _ = service.window(today, w.chain.course_check_cadence_months)
    previous = make_check(w.chain, opens_on - timedelta(days=182))
    for partnership in (w.partner_a, w.partner_b, reclassering):
        answer(previous, partnership, 4)
    CourseCheck.objects.filter(pk=previous.pk).update(alert_notified_at=timezone.now())

    # This window's check, opened by the service, answered by the three representatives.
    check = service.open_check(w.chain, opens_on)
    CourseCheck.objects.filter(pk=check.pk).update(closes_on=today + timedelta(days=14))
    assert set(check.respondents.values_list("person_id", flat=True)) == {w.lead_a.pk, w.lead_b.pk, lead_r.pk}
    for person in (w.lead_a, w.lead_b, lead_r):
        respondent = open_page()
        sign_in(respondent, person)
        _answer_by_keyboard(respondent, visit, check)

    # The beat's task, the day after the check closes: it closes it and works out the alert.
    after = timezone.make_aware(datetime.combine(today + timedelta(days=15), time(12)))
    counts = run_course_checks(after.isoformat())
    assert counts["closed"] == 1 and counts["alerts"] >= 1
    check.refresh_from_db()
    assert check.alert["drops"] == [{"dimension": "relations", "was": 4.0, "now": 3.0}]
    assert Notification.objects.filter(person=w.manager, key=f"course-check-alert:{check.pk}").count() == 1

    # The results page shows the drop, per partner and in the trend; axe on desktop and phone.
    sign_in(page, w.manager)
    page.set_viewport_size(DESKTOP)
    visit(page, reverse("governance:course_check_results", args=[w.chain.slug, check.pk]))
    expect(page.locator("#cc-alert")).to_contain_text("relaties 3,0 (was 4,0)")
    expect(page.locator("#cc-scores")).to_contain_text("Reclassering")
    trend = page.locator("#cc-trend").inner_text()
    assert "4,0" in trend and "3,0" in trend
    assert_no_horizontal_scroll(page)
    visit.scan(page)
    page.set_viewport_size(DESKTOP)

    # The steering group's next meeting gets it as a suggestion.
    visit(page, reverse("governance:agenda_suggestions", args=[w.chain.slug, meeting.pk]))
    suggestions = page.locator("#suggestions").inner_text()
    assert "relaties 3,0 (was 4,0)" in suggestions
    assert "daalde van 4,0 naar 3,0" in suggestions
