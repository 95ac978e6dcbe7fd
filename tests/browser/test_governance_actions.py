"""Actions in a real browser: every actions page (lists with filters, the forms with their errors,
the action page, the delete confirmation and its refusal) and governance's parts of My work and
the chain home scanned with axe (WCAG 2.1 A/AA, no CSP violation or script error, no sideways
scrolling on a phone); the owner closes their action by keyboard alone — first without a closing
note (the message appears at the field, nothing is saved), then with one."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import ActionItem, ActionStatus, MeetingStatus, MemberPosition
from tests.conftest import World
from tests.governance import action_fixtures as make

from .conftest import use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    """The live server's first request imports every view module (WeasyPrint's among them): seconds
    on a busy machine, past the browser's navigation timeout. Take that hit before the browser does."""
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=["zsm", *args])


@pytest.fixture
def board(world: World):
    body = make.body(world.chain, "Landelijke Stuurgroep ZSM")
    make.seat(body, world.lead_a, world.partner_a, MemberPosition.CHAIR)
    make.seat(body, world.contributor_a, position=MemberPosition.SECRETARY)
    return body


def test_every_actions_page_passes_the_scan(world: World, board, page, visit, sign_in, live_server):
    today = timezone.localdate()
    meeting = make.meeting(board, timezone.now() - timedelta(days=3), status=MeetingStatus.HELD)
    item = make.agenda_item(meeting, "Capaciteit reclassering")
    decision = make.decision(board, world.manager, "Gezamenlijke intake")
    late = make.action(
        board, world.lead_a, today - timedelta(days=4), "Capaciteitsplan opleveren", meeting=meeting, agenda_item=item
    )
    carried = make.action(board, world.lead_b, today - timedelta(days=40), "Werkinstructie herzien", decision=decision)
    ActionItem.objects.filter(pk=carried.pk).update(carried_over=True)
    make.action(
        board, world.lead_a, today - timedelta(days=60), "Afgerond", status=ActionStatus.DONE, closing_note="Gedaan."
    )
    make.meeting(board, timezone.now() + timedelta(days=9))

    use_english(page, live_server)
    sign_in(page, world.contributor_a)  # the body's secretary: runs its meetings
    for address in (
        url("action_list"),
        url("action_list") + "?status=all&overdue=on",
        url("action_body_list", board.pk),
        url("action_create", board.pk),
        url("action_create_from_agenda_item", item.pk),
        url("action_create_from_decision", decision.pk),
        url("action_detail", late.pk),
        url("action_edit", late.pk),
        url("action_status", late.pk),
        url("action_delete", late.pk),
        url("body_detail", board.pk),  # with its open actions
        url("action_detail", carried.pk),
    ):
        visit(page, address)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_text("can be closed, not deleted")).to_be_visible()
    visit(page, url("action_delete", carried.pk), status=409)
    visit(page, url("action_list") + "?status=nonsense", status=422)
    # A form's errors at the field, scanned.
    visit(page, url("action_create", board.pk))
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".utrecht-form-field-error-message").first).to_be_visible()
    visit.scan(page)
    assert not ActionItem.objects.filter(created_by=world.contributor_a).exists()
    # What governance adds to the chain home and to My work.
    visit(page, reverse("stakeholders:chain_detail", args=["zsm"]))
    expect(page.get_by_role("heading", name="Overdue actions")).to_be_visible()
    visit(page, reverse("stakeholders:my_work"))
    expect(page.get_by_role("heading", name="Minutes to approve")).to_have_count(0)  # the secretary does not approve


def test_the_chair_sees_minutes_to_approve_and_actions_in_my_work(
    world: World, board, page, visit, sign_in, live_server
):
    make.meeting(board, timezone.now() - timedelta(days=3), status=MeetingStatus.HELD)
    make.action(board, world.lead_a, timezone.localdate() - timedelta(days=1), "Capaciteitsplan opleveren")
    use_english(page, live_server)
    sign_in(page, world.lead_a)
    visit(page, reverse("stakeholders:my_work"))
    expect(page.get_by_role("heading", name="Minutes to approve")).to_be_visible()
    expect(page.get_by_role("heading", name="My open actions")).to_be_visible()
    expect(page.get_by_text("overdue: was due on")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_the_owner_closes_an_action_by_keyboard(world: World, board, page, visit, sign_in, live_server):
    action = make.action(board, world.lead_b, timezone.localdate() - timedelta(days=1), "Werkinstructie herzien")
    use_english(page, live_server)
    sign_in(page, world.lead_b)  # owns the action, holds no seat in the body
    visit(page, url("action_detail", action.pk))
    form = page.locator("#action-status-form")

    # Keyboard only: from the checked status, arrow down to "Done", tab to the note, then the button.
    form.get_by_label("Open", exact=True).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(form.get_by_label("Done")).to_be_checked()
    page.keyboard.press("Tab")  # the closing note
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    # htmx swaps the form in with the message at the closing note (422): nothing saved, no new page.
    error = page.locator("#action-status-form .utrecht-form-field-error-message")
    expect(error).to_contain_text("Say how the action was closed.")
    visit.scan(page)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN

    form = page.locator("#action-status-form")
    expect(form.get_by_label("Done")).to_be_checked()
    expect(form.get_by_role("button", name="Save status")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(form.get_by_label("Closing note")).to_be_focused()
    page.keyboard.type("De herziene werkinstructie is met alle partners gedeeld.")
    page.keyboard.press("Tab")
    visit.follow(page, lambda: page.keyboard.press("Enter"))

    action.refresh_from_db()
    assert (action.status, action.closing_note) == (
        ActionStatus.DONE,
        "De herziene werkinstructie is met alle partners gedeeld.",
    )
    expect(page.get_by_role("status")).to_contain_text("The action is now “done”")
    expect(page.locator(".kp-details")).to_contain_text("De herziene werkinstructie is met alle partners gedeeld.")
    expect(page.locator(".kp-history")).to_contain_text("Done")


def test_it_closes_an_action_without_javascript(world: World, board, open_page, visit, live_server):
    action = make.action(board, world.lead_b, description="Werkinstructie herzien")
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    from .test_pages_axe import sign_in_context

    sign_in_context(page, live_server, world, "lead_b")
    visit(page, url("action_detail", action.pk))
    page.locator("#action-status-form").get_by_label("Cancelled").check()
    page.locator("#action-status-form").get_by_label("Closing note").fill("Niet meer nodig.")
    visit.follow(page, lambda: page.get_by_role("button", name="Save status").click())
    action.refresh_from_db()
    assert (action.status, action.closing_note) == (ActionStatus.CANCELLED, "Niet meer nodig.")
