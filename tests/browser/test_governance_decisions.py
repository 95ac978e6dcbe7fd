"""Decisions in a real browser: every decision page scanned with axe (WCAG 2.1 AA, no CSP
violation or script error), and a partner's member recording consent with recorded dissent by
keyboard alone — first without a reason (the message appears at the field, nothing is saved),
then with one — after which the dissent shows on the decision and in the register."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Decision, DecisionPosition, DecisionStatus, DecisionWay, Meeting, PositionKind
from tests.governance.decision_fixtures import build_board, decide, propose

from .conftest import DESKTOP, use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def board(world):
    return build_board(world)


def decision_url(decision: Decision, name: str = "decision_detail") -> str:
    return reverse(f"governance:{name}", args=[decision.body.chain.slug, decision.pk])


def test_every_decision_page_passes_the_scan(board, page, visit, sign_in, live_server):
    w = board.world
    start = timezone.now() - timedelta(days=2)
    meeting = Meeting.objects.create(body=board.body, starts_at=start, ends_at=start + timedelta(hours=2))
    decision = propose(board, way=DecisionWay.MEETING, meeting=meeting)
    decide(decision, w.lead_a, PositionKind.CONSENT)
    decide(decision, w.lead_b, PositionKind.DISSENT, "De reclassering heeft te weinig capaciteit.")
    decide(decision, board.judge, PositionKind.ADVICE, "Let op de doorlooptijden bij de rechtbank.")
    older = propose(board, title="Werkwijze intake")
    Decision.objects.filter(pk=older.pk).update(
        status=DecisionStatus.ADOPTED,
        decided_on=date(2025, 3, 1),
        outcome_statement="Aangenomen",
        review_on=date(2026, 3, 1),
    )
    register = reverse("governance:decision_list", args=[w.chain.slug])

    sign_in(page, w.manager)
    visit(page, register)
    expect(page.get_by_role("table")).to_contain_text("De reclassering heeft te weinig capaciteit.")
    for address, status in (
        (register, 200),
        (f"{register}?jaar=2025&uitkomst=adopted", 200),
        (f"{register}?jaar=twintig", 422),
        (reverse("governance:decision_create", args=[w.chain.slug]), 200),
        (decision_url(decision), 200),
        (decision_url(decision, "decision_amend"), 200),
        (decision_url(decision, "decision_close"), 200),
        (decision_url(older), 200),
    ):
        visit(page, address, status=status)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)
    # A form's errors at the field, scanned.
    visit(page, decision_url(decision, "decision_close"))
    page.get_by_role("button", name="Besluit afronden").click()
    expect(page.locator(".utrecht-form-field-error-message").first).to_be_visible()
    visit.scan(page)
    use_english(page, live_server)
    visit(page, decision_url(decision))
    expect(page.get_by_role("heading", name="Recorded dissent")).to_be_visible()


def test_a_member_records_consent_with_dissent_by_keyboard(board, page, visit, sign_in, live_server):
    w = board.world
    decision = propose(board)
    decide(decision, w.lead_a, PositionKind.CONSENT)
    use_english(page, live_server)
    sign_in(page, w.lead_b)
    visit(page, decision_url(decision))
    section = page.locator("#my-position")
    expect(section.get_by_role("heading")).to_have_text("The position of Openbaar Ministerie")

    # Keyboard only: focus the first position, arrow down to "with recorded dissent", tab on.
    section.get_by_label("Consent", exact=True).focus()
    page.keyboard.press("ArrowDown")
    expect(section.get_by_label("Consent with recorded dissent")).to_be_checked()
    page.keyboard.press("Tab")  # the reason
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    # htmx swaps the section in with the message at the reason (422): nothing saved, no new page.
    reason_error = page.locator("#my-position .utrecht-form-field-error-message")
    expect(reason_error).to_contain_text("Give the reason for the dissent")
    visit.scan(page)
    assert not DecisionPosition.objects.filter(decision=decision, partnership=w.partner_b).exists()

    section = page.locator("#my-position")
    expect(section.get_by_label("Consent with recorded dissent")).to_be_checked()
    # htmx keeps the focus on the button it swapped in again: one step back is the reason.
    expect(section.get_by_role("button", name="Record the position")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(section.get_by_label("Reason")).to_be_focused()
    page.keyboard.type("Het OM stemt in, maar de capaciteit op de ZSM-locaties blijft te krap.")
    page.keyboard.press("Tab")
    visit.follow(page, lambda: page.keyboard.press("Enter"))

    position = DecisionPosition.objects.get(decision=decision, partnership=w.partner_b)
    assert (position.kind, position.recorded_by) == (PositionKind.DISSENT, w.lead_b)
    expect(page.get_by_role("status")).to_contain_text("The position of Openbaar Ministerie has been recorded")
    dissent = page.locator(".kp-dissent")
    expect(dissent).to_contain_text("Openbaar Ministerie")
    expect(dissent).to_contain_text("de capaciteit op de ZSM-locaties blijft te krap")

    visit(page, reverse("governance:decision_list", args=[w.chain.slug]))
    row = page.get_by_role("row", name=decision.title)
    expect(row).to_contain_text("dissent recorded")
    expect(row).to_contain_text("de capaciteit op de ZSM-locaties blijft te krap")


def test_a_member_records_an_objection_without_javascript(board, open_page, visit, sign_in, live_server):
    w = board.world
    decision = propose(board)
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in(page, w.lead_a)
    visit(page, decision_url(decision))
    assert page.evaluate("() => typeof window.htmx") == "undefined", "the page's scripts must not have run"

    section = page.locator("#my-position")
    section.get_by_label("Objection").check()
    # Without a reason: the whole page again (422), the message at the field, nothing saved.
    visit.follow(page, section.get_by_role("button", name="Record the position").click, status=422)
    expect(page.locator("#my-position .utrecht-form-field-error-message")).to_contain_text(
        "Give the reason for the objection"
    )
    assert not DecisionPosition.objects.filter(decision=decision).exists()

    section = page.locator("#my-position")
    section.get_by_label("Reason").fill("Eerst de financiering regelen.")
    visit.follow(page, section.get_by_role("button", name="Record the position").click)
    assert page.url.endswith(decision_url(decision)), page.url
    position = DecisionPosition.objects.get(decision=decision)
    assert (position.partnership, position.kind) == (w.partner_a, PositionKind.OBJECTION)
    expect(page.locator("#outcome-heading + p")).to_contain_text("open")
