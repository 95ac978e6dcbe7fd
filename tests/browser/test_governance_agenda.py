"""The agenda, attendance and minutes in a real browser: every page scanned (axe WCAG 2.1 A/AA, no
CSP violation or script error, no sideways scrolling on a phone); a secretary accepts two
suggestions, records attendance and writes the minutes, and the chair approves them; items move
without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import AgendaItem, AgendaItemStatus, Attendance, AttendanceStatus, MeetingStatus
from tests.conftest import World, sign_in
from tests.governance.agenda_fixtures import Board, action, build_board, item

from .conftest import use_english
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


def board_of(w: World) -> Board:
    """The steering group's meeting, begun an hour ago and announced, with a long agenda item, an
    item left unfinished at the previous meeting and an overdue action (both suggested), and a
    meeting whose minutes are approved."""
    board = build_board(w)
    start = timezone.now() - timedelta(hours=1)
    board.meeting.starts_at, board.meeting.ends_at = start, start + timedelta(hours=2)
    board.meeting.save()
    item(board.meeting, "Opening en mededelingen", order=1, duration_minutes=10, presenter=board.chair)
    item(board.previous, "Capaciteit reclassering", status=AgendaItemStatus.UNFINISHED, duration_minutes=30)
    action(board.body, w.lead_a, timezone.localdate() - timedelta(days=5), "Werkinstructie ZSM-tafel schrijven")
    board.previous.status = MeetingStatus.MINUTES_APPROVED
    board.previous.minutes_approved_at = timezone.now() - timedelta(days=20)
    board.previous.save()
    return board


def hidden_part(visible: str, hidden: str) -> re.Pattern:
    """A control's name: its visible words, then the visually hidden ": <item>" that tells the
    items' buttons apart (the browser may put a space before the colon)."""
    return re.compile(rf"^{re.escape(visible)}\s*:\s*{re.escape(hidden)}")


def signed_in(page, live_server, person) -> None:
    """A signed-in session for someone who is no persona (the body's secretary)."""
    client = sign_in(Client(), person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _url(name: str, of: Callable[[Board], int]) -> Callable[[World], str]:
    def url(w: World) -> str:
        board = board_of(w)
        return reverse(f"governance:{name}", args=[w.chain.slug, of(board)])

    return url


def meeting(b: Board) -> int:
    return b.meeting.pk


def first_item(b: Board) -> int:
    return b.meeting.agenda_items.get().pk


def approved(b: Board) -> int:
    return b.previous.pk


PAGES = {
    "meeting_detail": _url("meeting_detail", meeting),
    "agenda_item_create": _url("agenda_item_create", meeting),
    "agenda_item_edit": _url("agenda_item_edit", first_item),
    "agenda_suggestions": _url("agenda_suggestions", meeting),
    "attendance_edit": _url("attendance_edit", meeting),
    "minutes_edit": _url("minutes_edit", first_item),
    "minutes_reopen": _url("minutes_reopen", approved),
    "approved_meeting": _url("meeting_detail", approved),
}


@pytest.mark.parametrize("name", PAGES)
def test_it_passes_axe_and_the_csp_on_desktop_and_phone(name: str, world: World, page, visit, live_server):
    sign_in_context(page, live_server, world, "manager" if name != "minutes_reopen" else "admin")
    visit(page, PAGES[name](world))
    assert_no_horizontal_scroll(page)
    page.watcher.assert_clean()


def test_a_closed_meeting_says_why_and_passes_axe(world: World, page, visit, live_server):
    url = reverse("governance:agenda_item_create", args=[world.chain.slug, board_of(world).previous.pk])
    sign_in_context(page, live_server, world, "manager")
    visit(page, url, status=409)
    assert "op slot" in page.locator("[role=alert]").inner_text()


def test_a_form_error_at_the_field_passes_axe(world: World, page, visit, live_server):
    board = board_of(world)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, reverse("governance:agenda_item_create", args=[world.chain.slug, board.meeting.pk]))
    page.get_by_label("Duration (minutes)").fill("0")
    page.get_by_role("button", name="Add to the agenda").click()
    page.locator("#id_title_error").wait_for()
    assert page.locator("#id_duration_minutes_error").is_visible()
    visit.scan(page)
    assert board.meeting.agenda_items.count() == 1


def test_a_secretary_prepares_records_and_the_chair_approves(world: World, open_page, visit, live_server):
    board = board_of(world)
    chain = world.chain.slug
    page = open_page()
    use_english(page, live_server)
    signed_in(page, live_server, board.secretary)
    meeting_url = reverse("governance:meeting_detail", args=[chain, board.meeting.pk])

    # Two suggestions accepted with one click each.
    visit(page, meeting_url)
    visit.follow(page, lambda: page.get_by_role("link", name="Suggested items").click())
    visit.follow(
        page, lambda: page.get_by_role("button", name=hidden_part("Accept", "Capaciteit reclassering")).click()
    )
    assert "“Capaciteit reclassering” has been added to the agenda." in page.locator("body").inner_text()
    visit.follow(
        page, lambda: page.get_by_role("button", name=hidden_part("Accept", "Action: Werkinstructie ZSM-tafel")).click()
    )
    assert "There are no open suggestions for this meeting." in page.locator("#suggestions").inner_text()
    visit(page, meeting_url)
    agenda = page.locator("#agenda").inner_text()
    assert agenda.index("Opening") < agenda.index("Capaciteit reclassering") < agenda.index("Werkinstructie")
    assert "carried over" in agenda

    # Attendance: the police present, the OM absent with notice: the quorum (50%) is met.
    visit.follow(page, lambda: page.get_by_role("link", name="Record attendance").click())
    page.get_by_role("group", name="Lead-A (Politie)").get_by_label("Present", exact=True).check()
    page.get_by_role("group", name="Lead-B (Openbaar Ministerie)").get_by_label("Absent with notice").check()
    visit.follow(page, lambda: page.get_by_role("button", name="Save attendance").click())
    quorum = page.locator("#quorum").inner_text()
    assert "The quorum is met: 1 of the 2 represented partners are present or represented" in quorum

    # Held, then the minutes per item.
    visit.follow(page, lambda: page.get_by_role("button", name="Mark as held").click())
    for title, status in (
        ("Opening en mededelingen", "Finished"),
        ("Capaciteit reclassering", "Not finished: carries over"),
        ("Action: Werkinstructie ZSM-tafel schrijven", "Finished"),
    ):
        visit.follow(page, lambda t=title: page.get_by_role("link", name=hidden_part("Write the minutes", t)).click())
        page.get_by_label("Minutes").fill(f"Besproken: {title}.")
        page.get_by_label(status, exact=True).check()
        visit.follow(page, lambda: page.get_by_role("button", name="Save the minutes").click())
    assert page.get_by_role("button", name="Approve the minutes").count() == 0  # the secretary's page

    # The chair approves: locked.
    chair = open_page()
    use_english(chair, live_server)
    sign_in_context(chair, live_server, world, "lead_b")
    visit(chair, meeting_url)
    visit.follow(chair, lambda: chair.get_by_role("button", name="Approve the minutes").click())
    assert "Approved by Lead-B on" in chair.locator("#minutes").inner_text()
    assert chair.get_by_role("link", name="Record attendance").count() == 0
    board.meeting.refresh_from_db()
    assert board.meeting.status == MeetingStatus.MINUTES_APPROVED
    assert dict(Attendance.objects.values_list("member", "status")) == {
        board.member_seat.pk: AttendanceStatus.PRESENT,
        board.chair_seat.pk: AttendanceStatus.EXCUSED,
    }
    carried = AgendaItem.objects.get(meeting=board.meeting, title="Capaciteit reclassering")
    assert (carried.status, carried.notes) == (AgendaItemStatus.UNFINISHED, "Besproken: Capaciteit reclassering.")


def test_items_move_without_javascript(world: World, open_page, visit, live_server):
    board = board_of(world)
    item(board.meeting, "Rondvraag", order=2, duration_minutes=5)
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, reverse("governance:meeting_detail", args=[world.chain.slug, board.meeting.pk]))
    visit.follow(page, lambda: page.get_by_role("button", name=hidden_part("Down", "Opening en mededelingen")).click())
    assert page.url.endswith("#agenda")
    agenda = page.locator("#agenda").inner_text()
    assert agenda.index("Rondvraag") < agenda.index("Opening en mededelingen")
    assert list(board.meeting.agenda_items.order_by("order").values_list("title", flat=True)) == [
        "Rondvraag",
        "Opening en mededelingen",
    ]
