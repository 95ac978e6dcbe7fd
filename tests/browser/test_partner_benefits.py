"""Contributions and benefits in a real browser: every new page (the chain's contributions, a
partner's, a commitment, committing, reporting a delivery, "What each partner gains", a benefit,
adding, changing and assessing one, My work's item) scanned with axe (WCAG 2.1 A/AA, no CSP
violation or script error) on a desktop and at 375 px, where no page scrolls sideways; a form with
errors scanned too; and a partner's lead reporting an overdue delivery by keyboard alone, from My
work to the saved quarter."""

from __future__ import annotations

import re
import urllib.request
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ambitions.models.benefits import Benefit, BenefitAssessment
from stakeholders.models.contributions import Contribution, Delivery
from tests.conftest import World

from .conftest import PHONE, use_english
from .keyboard import tab_to
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def given(world: World) -> dict:
    """Partner A's money commitment of last year (four quarters overdue) and people this year, and
    a benefit of partner A with an assessment; partner B has none (the page warns)."""
    money = Contribution.objects.create(partnership=world.partner_a, year=LAST_YEAR, kind="money", amount=4000)
    money.plan_deliveries()
    people = Contribution.objects.create(
        partnership=world.partner_a, year=timezone.localdate().year, kind="people", amount=3
    )
    people.plan_deliveries()
    benefit = Benefit.objects.create(
        chain=world.chain,
        partnership=world.partner_a,
        title="Minder uren per zaak",
        start_picture="Nu 6 uur per zaak.",
        end_picture="Straks 4 uur per zaak.",
        target_date=date(timezone.localdate().year + 1, 12, 31),
        owner=world.lead_a,
    )
    BenefitAssessment.objects.create(benefit=benefit, status="on_track", assessed_on=timezone.localdate())
    return {"money": money, "benefit": benefit}


def test_the_pages_pass_the_scan_on_desktop_and_phone(world: World, given, page, visit, live_server):
    sign_in_context(page, live_server, world, "manager")
    money, benefit = given["money"], given["benefit"]
    for address in (
        reverse("stakeholders:contribution_list", args=["zsm"]),
        reverse("stakeholders:contribution_partner", args=["zsm", world.partner_a.pk]),
        reverse("stakeholders:contribution_detail", args=["zsm", money.pk]),
        reverse("stakeholders:contribution_create", args=["zsm"]),
        reverse("stakeholders:contribution_edit", args=["zsm", money.pk]),
        reverse("stakeholders:delivery_report", args=["zsm", money.pk]),
        reverse("ambitions:benefit_overview", args=["zsm"]),
        reverse("ambitions:benefit_detail", args=["zsm", benefit.pk]),
        reverse("ambitions:benefit_create", args=["zsm"]),
        reverse("ambitions:benefit_edit", args=["zsm", benefit.pk]),
        reverse("ambitions:benefit_assess", args=["zsm", benefit.pk]),
    ):
        visit(page, address)
        page.set_viewport_size(PHONE)
        visit.scan(page)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("ambitions:benefit_overview", args=["zsm"]))
    expect(page.locator("#lacking-benefits")).to_contain_text("Openbaar Ministerie")


def test_my_work_and_a_form_with_errors_pass_the_scan(world: World, given, page, visit, live_server):
    sign_in_context(page, live_server, world, "lead_a")
    visit(page, reverse("stakeholders:my_work"))
    expect(page.locator("#my-deliveries-overdue li")).to_have_count(
        4 + (timezone.localdate().month - 1) // 3
    )  # last year's quarters, this year's past ones
    page.set_viewport_size(PHONE)
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, reverse("stakeholders:delivery_report", args=["zsm", given["money"].pk]))
    page.locator("#id_delivered_amount").fill("-5")
    page.locator("#delivery-form button[type=submit]").click()
    expect(page.locator("#id_delivered_amount_error")).to_be_visible()
    visit.scan(page)
    assert not Delivery.objects.filter(reported_at__isnull=False).exists()


def test_a_lead_reports_an_overdue_delivery_by_keyboard(world: World, given, page, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "lead_a")
    page.goto(reverse("stakeholders:my_work"))
    tab_to(page, "#my-deliveries-overdue a")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Report a delivery")
    expect(page.locator("#id_period")).to_have_value(f"{LAST_YEAR}-1")
    tab_to(page, "#id_delivered_amount")
    page.keyboard.type("950,50")
    tab_to(page, "#id_delivered_note")
    page.keyboard.type("Later dan gepland")
    tab_to(page, "#delivery-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/ketens/zsm/bijdragen/{given['money'].pk}/$"))
    expect(page.locator("h1")).to_have_text(f"Money (€) from Politie, {LAST_YEAR}")
    first = given["money"].deliveries.get(quarter=1)
    assert str(first.delivered_amount) == "950.50" and first.reported_by == world.lead_a
    assert first.delivered_note == "Later dan gepland"
    page.goto(reverse("stakeholders:my_work"))
    expect(page.locator("#my-deliveries-overdue li")).to_have_count(3 + (timezone.localdate().month - 1) // 3)
