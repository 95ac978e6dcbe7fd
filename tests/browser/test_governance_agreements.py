"""Agreements in a real browser: every agreement page scanned with axe (WCAG 2.1 AA, no CSP
violation or script error), a form's errors at the field scanned too; and a partner lead signing
the covenant by keyboard — the last signature puts it in force, and the verification shows every
party's fingerprint matching the stored content."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from governance.models import AgreementStatus, Signature
from tests.governance.agreement_fixtures import build_parties, covenant, pdf, sign

from .conftest import DESKTOP, use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def parties(world):
    return build_parties(world)


def url(name: str, agreement=None) -> str:
    args = ["zsm"] if agreement is None else ["zsm", agreement.pk]
    return reverse(f"governance:{name}", args=args)


def test_every_agreement_page_passes_the_scan(parties, page, visit, sign_in, live_server):
    w = parties.world
    signing = covenant(parties, attachment=pdf())
    sign(w.lead_b, signing)
    draft = covenant(parties, send=False, title="Werkafspraak snelrecht", kind="working")
    sign_in(page, w.manager)
    for address in (
        url("agreement_list"),
        url("agreement_create"),
        url("agreement_detail", signing),
        url("agreement_detail", draft),
        url("agreement_edit", draft),
        url("agreement_version_create", signing),
        url("agreement_end", signing),
    ):
        visit(page, address)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size(DESKTOP)
    # A form's errors at the field, scanned: drawing up an agreement with nothing filled in.
    visit(page, url("agreement_create"))
    page.locator("#agreement-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".utrecht-form-field-error-message").first).to_be_visible()
    visit.scan(page)


def test_a_partner_lead_signs_the_covenant_and_the_last_signature_puts_it_in_force(
    parties, page, visit, sign_in, live_server
):
    w = parties.world
    agreement = covenant(parties, attachment=pdf())
    sign(w.lead_b, agreement)  # OM signed earlier; the police's signature is the last one
    use_english(page, live_server)
    sign_in(page, w.lead_a)
    visit(page, "/")  # My work: the signature waiting for the lead's mandate
    link = page.get_by_role("link", name="“Convenant ZSM 2025–2028”: sign for Politie (ZSM)")
    visit.follow(page, link.click)
    expect(page.locator("#agreement-status")).to_have_text("For signature")
    expect(page.get_by_role("heading", name="Sign for Politie")).to_be_visible()
    # By keyboard: tick the confirmation, then the button.
    page.get_by_label("I have read this version and sign it for my organisation").focus()
    page.keyboard.press("Space")
    page.locator("#sign-submit").focus()
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_text("Signed. Every party has signed: the agreement is in force.")).to_be_visible()
    expect(page.locator("#agreement-status")).to_have_text("In force")
    expect(page.locator("#verification")).to_contain_text("Verified: the fingerprint of the stored content")
    expect(page.get_by_text("Matches: what was signed is the stored content")).to_have_count(2)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    signature = Signature.objects.get(agreement=agreement, person=w.lead_a)
    assert signature.user_agent  # the browser's own
    assert signature.ip_address == "127.0.0.1"
