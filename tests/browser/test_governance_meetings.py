"""Meetings and calendars in a real browser: every page scanned (axe WCAG 2.1 A/AA, no CSP
violation or script error, no sideways scrolling on a phone); a secretary plans a series with the
keyboard only; a meeting is announced and moved; the calendar address is shown once and renewed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Meeting, MeetingNotice, MeetingStatus, NoticeKind, NoticeStatus, SeriesFrequency
from governance.services import meetings as meeting_service
from tests.conftest import World, sign_in
from tests.factories import morning
from tests.governance.meeting_fixtures import Seats, a_meeting, build_seats

from .conftest import use_english
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

AMS = ZoneInfo("Europe/Amsterdam")


def signed_in(page, live_server, person) -> None:
    """A signed-in session for someone who is no persona (the body's secretary)."""
    client = sign_in(Client(), person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def with_meetings(w: World) -> tuple[Seats, Meeting]:
    """The steering group with a monthly series (one meeting moved), past meetings, and an
    announced meeting with an online link whose invitations went out to some of the members."""
    seats = build_seats(w, name="Landelijke Stuurgroep ZSM, regio Noord; Oost")
    start = timezone.localtime(timezone.now() + timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    planned = meeting_service.plan(
        meeting_service.MeetingPlan(
            body=seats.body,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Paleis van Justitie, zaal 3",
            host=w.partner_b,
            frequency=SeriesFrequency.MONTHLY_WEEKDAY,
            count=4,
        ),
        by=seats.secretary,
    )
    Meeting.objects.filter(pk=planned.meetings[1].pk).update(moved=True)
    for weeks in range(1, 30, 4):
        a_meeting(seats.body, timezone.now() - timedelta(weeks=weeks), status=MeetingStatus.HELD, host=w.partner_a)
    announced = a_meeting(
        seats.body,
        morning(9),
        status=MeetingStatus.ANNOUNCED,
        announced_at=timezone.now(),
        online_link="https://vergaderen.example.nl/stuurgroep-zsm-noord-oost-met-een-lange-link",
        host=w.partner_a,
        series=planned.series,
    )
    MeetingNotice.objects.create(
        meeting=announced,
        person=seats.secretary,
        kind=NoticeKind.ANNOUNCEMENT,
        status=NoticeStatus.SENT,
        claimed_at=timezone.now(),
        sent_at=timezone.now(),
    )
    MeetingNotice.objects.create(
        meeting=announced,
        person=w.lead_b,
        kind=NoticeKind.ANNOUNCEMENT,
        status=NoticeStatus.FAILED,
        claimed_at=timezone.now(),
        error="SMTPServerDisconnected",
    )
    return seats, announced


def _url(name: str, of: Callable[[Seats, Meeting], list]) -> Callable[[World], str]:
    def url(w: World) -> str:
        seats, announced = with_meetings(w)
        return reverse(f"governance:{name}", args=[w.chain.slug, *of(seats, announced)])

    return url


PAGES = {
    "meeting_list": _url("meeting_list", lambda s, m: [s.body.pk]),
    "meeting_create": _url("meeting_create", lambda s, m: [s.body.pk]),
    "meeting_detail": _url("meeting_detail", lambda s, m: [m.pk]),
    "meeting_detail_of_a_moved_draft": lambda w: with_meetings(w)[0].body.meetings.get(moved=True).get_absolute_url(),
    "meeting_edit": _url("meeting_edit", lambda s, m: [m.pk]),
    "body_detail": _url("body_detail", lambda s, m: [s.body.pk]),
    "calendar_feed": _url("calendar_feed", lambda s, m: []),
}


@pytest.mark.parametrize("name", PAGES)
def test_it_passes_axe_and_the_csp_on_desktop_and_phone(name: str, world: World, page, visit, live_server):
    sign_in_context(page, live_server, world, "manager")
    visit(page, PAGES[name](world))
    assert_no_horizontal_scroll(page)
    page.watcher.assert_clean()


def test_errors_at_the_fields_pass_axe_and_nothing_is_saved(world: World, page, visit, live_server):
    seats = build_seats(world)
    use_english(page, live_server)
    signed_in(page, live_server, seats.secretary)
    visit(page, reverse("governance:meeting_create", args=[world.chain.slug, seats.body.pk]))
    page.get_by_label("Date", exact=True).fill("2026-05-12")
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("13:00")
    page.get_by_label("Every n weeks, on the same weekday").check()
    page.get_by_role("button", name="Plan", exact=True).click()
    page.locator("#id_end_time_error").wait_for()
    assert page.locator("#id_end_time_error").inner_text() == "A meeting cannot end before it starts."
    assert "needs an end" in page.locator("#id_until_error").inner_text()
    assert "place or an online link" in page.locator("#id_place_error").inner_text()
    # The field says which message belongs to it.
    assert "id_end_time_error" in (page.locator("#id_end_time").get_attribute("aria-describedby") or "")
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    assert Meeting.objects.count() == 0


def test_a_secretary_plans_a_series_with_the_keyboard_only(world: World, open_page, visit, live_server):
    seats = build_seats(world)
    page = open_page()
    use_english(page, live_server)
    signed_in(page, live_server, seats.secretary)
    year = timezone.localdate().year + 1
    visit(page, reverse("governance:meeting_create", args=[world.chain.slug, seats.body.pk]))

    def focused() -> str:
        return page.evaluate("() => document.activeElement.id")

    def tab_to(field: str, presses: int = 60) -> None:
        """Tab until ``field`` has the focus (a date or time field's parts take a Tab each)."""
        for _ in range(presses):
            if focused() == field:
                return
            page.keyboard.press("Tab")
        assert focused() == field

    tab_to("id_day")  # from the top of the page to the form's first field
    page.keyboard.type(f"0303{year}")  # 3 March: the same whether the field asks the day or the month first
    tab_to("id_start_time", 4)
    page.keyboard.type("1930")
    tab_to("id_end_time", 4)
    page.keyboard.type("2100")
    tab_to("id_place", 4)
    page.keyboard.type("Stadhuis, raadzaal")
    page.keyboard.press("Tab")  # the online link: none
    page.keyboard.press("Tab")
    assert focused() == "id_host"  # whose turn it is, chosen already
    page.keyboard.press("Tab")
    assert focused() == "id_repeat_0"  # the radio group, at "Once"
    page.keyboard.press("ArrowDown")
    assert focused() == "id_repeat_1" and page.locator("#id_repeat_1").is_checked()
    page.keyboard.press("Tab")
    assert focused() == "id_interval"
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    tab_to("id_count", 5)  # past the end date: none
    page.keyboard.type("6")
    visit.follow(page, lambda: page.keyboard.press("Enter"))

    assert page.url.endswith(reverse("governance:meeting_list", args=[world.chain.slug, seats.body.pk]))
    assert "The 6 meetings of the series have been planned as drafts." in page.locator("main").inner_text()
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert len(meetings) == 6
    assert [timezone.localtime(m.starts_at) for m in meetings] == [
        datetime(year, 3, 3, 19, 30, tzinfo=AMS) + timedelta(weeks=2 * n) for n in range(6)
    ]  # 19:30 before and after the clocks go forward on the last Sunday of March
    assert {m.duration_minutes for m in meetings} == {90}
    assert page.locator("table.kp-meetings tbody tr").count() == 6


def test_announcing_and_moving_a_meeting(world: World, page, visit, live_server):
    seats = build_seats(world)
    meeting = a_meeting(seats.body, datetime(timezone.localdate().year + 1, 6, 2, 10, tzinfo=AMS))
    use_english(page, live_server)
    signed_in(page, live_server, seats.secretary)
    visit(page, meeting.get_absolute_url())

    visit.follow(page, lambda: page.get_by_role("button", name="Announce to the members").click())
    assert "The meeting has been announced." in page.locator("main").inner_text()
    assert "4 more on their way" in page.locator("#meeting-notices").inner_text()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ANNOUNCED

    visit.follow(page, lambda: page.get_by_role("link", name="Change date, time or place").click())
    page.locator("#id_place").fill("Rechtbank, zaal 1")
    visit.follow(page, lambda: page.get_by_role("button", name="Save").click())
    assert "everyone invited gets the change by e-mail" in page.locator("main").inner_text()
    meeting.refresh_from_db()
    assert meeting.place == "Rechtbank, zaal 1" and meeting.sequence == 1


def test_the_calendar_address_is_shown_once_and_renewing_ends_the_old_one(world: World, open_page, visit, live_server):
    seats = build_seats(world)
    a_meeting(seats.body, host=world.partner_a)
    page = open_page()
    use_english(page, live_server)
    signed_in(page, live_server, seats.secretary)
    visit(page, reverse("governance:calendar_feed", args=[world.chain.slug]))
    assert "You have no calendar address yet." in page.locator("main").inner_text()

    visit.follow(page, lambda: page.get_by_role("button", name="Make my calendar address").click())
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    webcal = page.get_by_label("Subscribe with this address").input_value()
    first = page.get_by_label("If your calendar asks for an https address").input_value()
    assert webcal.startswith("webcal://") and webcal.split("://")[1] == first.split("://")[1]

    calendar_app = open_page()  # another browser, not signed in: the address is the credential
    answer = calendar_app.request.get(first)
    assert answer.status == 200 and answer.text().startswith("BEGIN:VCALENDAR")
    assert "private" in answer.headers["cache-control"]

    visit(page, reverse("governance:calendar_feed", args=[world.chain.slug]))
    assert page.get_by_label("Subscribe with this address").count() == 0  # not shown again
    visit.follow(page, lambda: page.get_by_role("button", name="Renew my calendar address").click())
    second = page.get_by_label("If your calendar asks for an https address").input_value()
    assert second != first
    assert calendar_app.request.get(first).status == 404
    assert calendar_app.request.get(second).status == 200
