"""A stalled indicator proposal put on the agenda of the body that decides, in a real browser: the
programme manager opens the proposal stopped by an objection (its page scanned with axe), puts it
on the steering group's agenda with the keyboard, and lands on the decision's page, which shows the
proposal it decides (scanned with axe, in English and in Dutch, at 375 px without sideways
scrolling); the proposal's page then shows where it is, without the button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ambitions.models import Consent, ConsentPosition, IndicatorVersion, VersionStatus
from governance.models import Decision, MeetingStatus
from tests.governance.agenda_fixtures import at, make_meeting
from tests.governance.decision_fixtures import build_board
from tests.measures import adopted_version, build_measures

from .conftest import DESKTOP, use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def test_the_manager_puts_a_stopped_proposal_before_the_steering_group(world, page, visit, sign_in, live_server):
    w = world
    board = build_board(w)
    measures = build_measures(w)
    meeting = make_meeting(board.body, at(timezone.localdate() + timedelta(days=7)), MeetingStatus.ANNOUNCED)
    version = adopted_version(
        measures.share, [w.unit_a], number=2, status=VersionStatus.STOPPED, effective_from=measures.period.start
    )
    IndicatorVersion.objects.filter(pk=version.pk).update(proposed_by=w.manager, proposed_at=timezone.now())
    Consent.objects.create(
        version=version,
        partnership=w.partner_b,
        person=w.lead_b,
        position=ConsentPosition.OBJECTION,
        reason="De teller telt ook zaken buiten ZSM.",
    )
    version_url = reverse("ambitions:version_detail", args=[w.chain.slug, version.indicator_id, version.number])

    sign_in(page, w.manager)
    use_english(page, live_server)
    # The proposal's page at desktop width: its answers table (ambitions) scrolls inside its wrapper on
    # a phone, which axe asks to be focusable — the proposal page's own test covers that page.
    page.set_viewport_size(DESKTOP)
    visit(page, version_url)
    button = page.get_by_role("button", name="Put it on the agenda of Stuurgroep ZSM")
    button.focus()
    visit.follow(page, lambda: page.keyboard.press("Enter"))

    decision = Decision.objects.get(indicator_version=version)
    assert decision.meeting == meeting
    assert page.url.endswith(decision.get_absolute_url())
    expect(page.locator("#decides-proposal")).to_be_visible()
    expect(page.get_by_role("link", name="Binnen 24 uur afgedaan, version 2")).to_be_visible()
    expect(page.locator(".kp-proposal")).to_contain_text("De teller telt ook zaken buiten ZSM.")
    assert_no_horizontal_scroll(page)

    page.set_viewport_size(DESKTOP)
    visit(page, version_url)
    expect(page.locator("#proposal-agenda")).to_contain_text("Stuurgroep ZSM")
    expect(page.get_by_role("button", name="Put it on the agenda of Stuurgroep ZSM")).to_have_count(0)
    # The Dutch page too.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": live_server.url}])
    visit(page, decision.get_absolute_url())
    assert_no_horizontal_scroll(page)
