"""Consent that cannot stall, in a real browser (issue 15): the programme manager proposes with an
answer deadline; partner A's lead names a stand-in (the stand-ins page); the stand-in objects for
the lead; the proposer reads the objection and amends the text into a new round; everyone consents
before the deadline; the timeline shows every step, "by the stand-in for the lead" too. The
proposal page is scanned with axe in each state (draft, open, stopped, amended, adopted), also at
375 px without sideways scrolling, and the amend page with an error."""

from __future__ import annotations

import urllib.request

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from ambitions.models import EventKind, Indicator, IndicatorVersion, VersionStatus
from stakeholders.models import MandateScope, Role, StandIn
from stakeholders.working_days import add_working_days
from tests.conftest import sign_in as sign_in_client
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.measures import adopted_version, build_measures

from .conftest import DESKTOP, PHONE, use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    # The live server's first request loads the URL conf and templates: more than a page's timeout
    # on a busy machine.
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


def as_person(page, live_server, person) -> None:
    """The browser signed in as ``person`` (a fresh session; the sign-in form is tested elsewhere)."""
    page.context.clear_cookies()
    client = Client()
    sign_in_client(client, person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    use_english(page, live_server)


def scan_both_widths(page, visit) -> None:
    visit.scan(page)
    page.set_viewport_size(PHONE)
    visit.scan(page)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(DESKTOP)


def test_a_stand_in_objects_the_proposer_amends_and_everyone_consents(world, page, visit, live_server):
    w = world
    measures = build_measures(w)
    for lead, partnership in ((w.lead_a, w.partner_a), (w.lead_b, w.partner_b)):
        MandateFactory(
            person=lead,
            partnership=partnership,
            scope=MandateScope.CONSENT_INDICATORS,
            valid_from=timezone.localdate().replace(day=1),
        )
    colleague = PersonFactory(email="collega@example.nl", full_name="Collega", organisation=w.org_a)
    MembershipFactory(person=colleague, chain=w.chain, role=Role.PARTNER_LEAD)
    indicator = Indicator.objects.create(ambition=measures.ambition, name="Binnen 48 uur afgedaan")
    version = adopted_version(
        indicator, [w.unit_a, w.unit_b], status=VersionStatus.DRAFT, effective_from=measures.period.next.start
    )
    version_url = reverse("ambitions:version_detail", args=["zsm", indicator.pk, 1])
    page.set_viewport_size(DESKTOP)

    # 1. The programme manager proposes, answer deadline 10 working days out.
    as_person(page, live_server, w.manager)
    visit(page, version_url)
    scan_both_widths(page, visit)
    answer_by = add_working_days(timezone.localdate(), 10)
    page.locator("#id_answer_by").fill(answer_by.isoformat())
    visit.follow(page, lambda: page.get_by_role("button", name="Propose to the core partners").click())
    expect(page.locator("#answer-by")).to_contain_text("10 working days left")
    expect(page.locator("#silence-rule")).to_contain_text("Silence is not consent")
    scan_both_widths(page, visit)

    # 2. Partner A's lead names a colleague as stand-in, from today (helper 2's stand-ins page).
    as_person(page, live_server, w.lead_a)
    visit(page, reverse("stakeholders:stand_in_create", args=["zsm", w.partner_a.pk]))
    # A lead names a stand-in for themselves: the form asks only who and when.
    page.get_by_label("Stand-in").select_option(str(colleague.pk))
    page.get_by_label("From").fill(timezone.localdate().isoformat())
    page.get_by_label("Until").fill(add_working_days(timezone.localdate(), 5).isoformat())
    visit.follow(page, lambda: page.get_by_role("button", name="Name stand-in").click())
    assert StandIn.objects.filter(stand_in=colleague, lead=w.lead_a).exists()

    # 3. The stand-in objects for partner A.
    as_person(page, live_server, colleague)
    visit(page, version_url)
    page.get_by_label("Objection").check()
    page.get_by_label("Reason").fill("De noemer telt ook sepots mee.")
    visit.follow(page, lambda: page.get_by_role("button", name="Send my answer").click())
    version.refresh_from_db()
    assert version.status == VersionStatus.STOPPED
    expect(page.locator("#answers-caption")).to_be_visible()
    expect(page.locator("[aria-labelledby=answers-caption]")).to_contain_text("Collega for Lead-A")

    # 4. The proposer reads the objection and amends (first without saying what changed: refused at the field).
    as_person(page, live_server, w.manager)
    visit(page, version_url)
    expect(page.locator("#objection")).to_contain_text("De noemer telt ook sepots mee.")
    scan_both_widths(page, visit)
    visit.follow(page, lambda: page.get_by_role("link", name="Amend the proposal").click())
    page.locator("#id_tolerance").fill("7")
    # htmx swaps the form with its errors in place (422); without JavaScript the page comes back.
    page.get_by_role("button", name="Amend and ask again").click()
    expect(page.locator("#id_note_error")).to_be_visible()
    scan_both_widths(page, visit)
    page.locator("#id_note").fill("Sepots tellen niet meer mee.")
    visit.follow(page, lambda: page.get_by_role("button", name="Amend and ask again").click())
    version.refresh_from_db()
    assert (version.status, version.round) == (VersionStatus.PROPOSED, 2)
    expect(page.locator("#round-1")).to_contain_text("to the previous text")
    scan_both_widths(page, visit)

    # 5. Everyone consents before the deadline: the stand-in for A, lead B.
    for person in (colleague, w.lead_b):
        as_person(page, live_server, person)
        visit(page, version_url)
        page.get_by_label("Consent", exact=True).check()
        visit.follow(page, lambda: page.get_by_role("button", name="Send my answer").click())
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED and timezone.localdate() <= version.answer_by

    # 6. The timeline shows every step, in order.
    as_person(page, live_server, w.viewer)
    visit(page, version_url)
    steps = page.locator("#timeline li")
    expected = [
        EventKind.ASKED,
        EventKind.ANSWERED,
        EventKind.STOPPED,
        EventKind.AMENDED,
        EventKind.ANSWERED,
        EventKind.ANSWERED,
        EventKind.ADOPTED,
    ]
    expect(steps).to_have_count(len(expected))
    for n, kind in enumerate(expected):
        with translation.override("en"):
            label = str(EventKind(kind).label)
        expect(steps.nth(n)).to_contain_text(label)
    expect(steps.nth(1)).to_contain_text("by Collega for Lead-A")
    expect(steps.nth(3)).to_contain_text("Sepots tellen niet meer mee.")
    scan_both_widths(page, visit)
    assert IndicatorVersion.objects.get(pk=version.pk).events.count() == len(expected)
