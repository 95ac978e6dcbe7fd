"""Delivery terms in a real browser: the service agreement's terms page (with its refusal of a day
past the entry window), the agreement's page showing them, and the entry grid showing the delivery
agreement that applies, scanned with axe (WCAG 2.1 A/AA, no CSP violation or script error) on a
desktop and at 375 px, where no page scrolls sideways."""

from __future__ import annotations

import urllib.request

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ambitions.models import DeliveryTerms, IndicatorVersion
from governance.models import AgreementStatus
from governance.services import delivery as governance_delivery
from tests.ambitions.test_delivery_terms import service_agreement, terms_for
from tests.conftest import World

from .conftest import DESKTOP, PHONE
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


@pytest.fixture
def agreed(measures) -> World:
    """A draft service agreement (no terms yet) and one in force whose terms apply to partner A."""
    m, w = measures, measures.world
    w.draft = service_agreement(m)
    w.in_force = service_agreement(m)
    terms_for(m, w.in_force)
    w.in_force.status = AgreementStatus.IN_FORCE
    w.in_force.save(update_fields=["status"])
    governance_delivery.follow(w.in_force)
    w.share_v1 = m.share_v1
    w.period = m.period
    w.share = m.share
    return w


def _scan(page, visit, address: str) -> None:
    visit(page, address)
    page.set_viewport_size(PHONE)
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)


def test_the_terms_pages_pass_the_scan_and_refuse_a_late_day(agreed: World, page, visit, live_server):
    w = agreed
    IndicatorVersion.objects.filter(pk=w.share_v1.pk).update(entry_window_days=10)
    sign_in_context(page, live_server, w, "manager")
    terms_page = reverse("governance:agreement_terms", args=["zsm", w.draft.pk])
    _scan(page, visit, terms_page)
    page.select_option("#id_partnership", str(w.partner_a.pk))
    page.check(f"input[name=indicators][value='{w.share.pk}']")
    page.fill("#id_source_system", "GPS")
    page.fill("#id_deliverer_role", "Functioneel beheerder")
    page.fill("#id_delivery_working_day", "30")
    page.locator("#terms-form button[type=submit]").click()
    expect(page.locator("#terms-form")).to_contain_text("Kies een eerdere werkdag")
    visit.scan(page)
    assert not DeliveryTerms.objects.filter(agreement=w.draft).exists()
    page.fill("#id_delivery_working_day", "3")
    page.locator("#terms-form button[type=submit]").click()
    expect(page.locator("#delivery-terms")).to_contain_text("GPS")
    _scan(page, visit, reverse("governance:agreement_detail", args=["zsm", w.in_force.pk]))


def test_the_entry_grid_shows_the_delivery_agreement(agreed: World, page, visit, live_server):
    w = agreed
    sign_in_context(page, live_server, w, "contributor_a")
    _scan(page, visit, reverse("ambitions:entry_grid", args=["zsm", w.period.slug]))
    expect(page.locator("#delivery-agreement")).to_contain_text("BVH")
