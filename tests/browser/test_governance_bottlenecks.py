"""Bottlenecks in a real browser: every bottleneck page (the board with its filters, reporting, the
page with its clock and forms, editing, the status with its errors at the fields, the body page's
list, the chain home, the dashboard and My work) scanned with axe (WCAG 2.1 A/AA, no CSP violation
or script error, no sideways scrolling on a phone); and the journey of issue 11: a contributor
reports a bottleneck from an off-track indicator's page, time passes (the test runs the sweep as of
ten days later: no sleeping), the sweep escalates it, and it is suggested on the tactical body's
next agenda, where its secretary accepts it."""

from __future__ import annotations

import re
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from governance import tasks
from governance.models import Bottleneck, BottleneckStatus, Meeting
from governance.services import bottlenecks as service
from tests.conftest import World, sign_in
from tests.governance.bottleneck_fixtures import bottleneck, ladder
from tests.measures import enter_off_track

from .conftest import use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm(live_server) -> None:
    """Take the live server's first-request import cost before the browser does."""
    urllib.request.urlopen(f"{live_server.url}/health/", timeout=60).close()


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=["zsm", *args])


def signed_in(page, live_server, person) -> None:
    """A signed-in session for someone who is no persona (a body's chair or secretary)."""
    client = sign_in(Client(), person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def off_track(measures) -> None:
    enter_off_track(measures)  # 10%: off track


def test_every_bottleneck_page_passes_the_scan(world: World, measures, page, visit, live_server):
    lad = ladder(world)
    off_track(measures)
    long_ago = timezone.now() - timedelta(days=20)
    item = bottleneck(world, lad.local, at=long_ago, title="Advies reclassering niet binnen 24 uur")
    item.partners.add(world.partner_a, world.partner_b)
    item.indicators.add(measures.share)
    service.escalate(item, world.lead_a, "Geen capaciteit op de locatie.")
    bottleneck(world, lad.steering, at=long_ago, title="Ligt al weken bij de stuurgroep")
    bottleneck(world, lad.local, title="Net gemeld")

    use_english(page, live_server)
    signed_in(page, live_server, world.lead_a)  # owner of the first: every form of its page
    for address in (
        url("bottleneck_list"),
        url("bottleneck_list") + f"?status=all&partner={world.partner_a.pk}&indicator={measures.share.pk}",
        url("bottleneck_create"),
        url("bottleneck_create") + f"?indicator={measures.share.pk}",
        url("bottleneck_detail", item.pk),
        url("bottleneck_edit", item.pk),
        url("bottleneck_status", item.pk),
        url("body_detail", lad.tactical.pk),
        reverse("stakeholders:chain_detail", args=["zsm"]),
        reverse("ambitions:chain_dashboard", args=["zsm"]),
        reverse("ambitions:indicator_detail", args=["zsm", measures.share.pk]),
        "/",
    ):
        visit(page, address)
        assert_no_horizontal_scroll(page)
        page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#my-bottlenecks")).to_contain_text("Advies reclassering niet binnen 24 uur")
    visit(page, reverse("stakeholders:chain_detail", args=["zsm"]))
    expect(page.locator("#overdue-at-top")).to_contain_text("Ligt al weken bij de stuurgroep")
    expect(page.locator("#bottleneck-counts")).to_contain_text("1 open escalation")
    visit(page, url("bottleneck_list") + "?partner=nonsense", status=422)

    # Resolving without resolution and cause: the messages at the fields, nothing saved.
    visit(page, url("bottleneck_status", item.pk))
    page.get_by_label("Resolved").check()
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("#id_resolution_error")).to_be_visible()
    expect(page.locator("#id_cause_error")).to_be_visible()
    visit.scan(page)
    item.refresh_from_db()
    assert item.status == BottleneckStatus.REPORTED

    # Escalating without a reason: the message at the field (the owner may; the steering group is next).
    visit(page, url("bottleneck_detail", item.pk))
    page.locator("#escalate-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#id_reason_error")).to_be_visible()
    visit.scan(page)
    assert item.escalations.count() == 1


def test_a_contributor_reports_from_an_off_track_indicator_and_it_climbs_to_the_tactical_agenda(
    world: World, measures, open_page, visit, live_server
):
    lad = ladder(world, response_days=2)
    off_track(measures)
    starts = timezone.localtime(timezone.now() + timedelta(days=21)).replace(hour=10, minute=0, second=0)
    meeting = Meeting.objects.create(body=lad.tactical, starts_at=starts, ends_at=starts + timedelta(hours=2))

    # The contributor finds the indicator off track and reports what stands in the way.
    page = open_page()
    use_english(page, live_server)
    signed_in(page, live_server, world.contributor_a)
    visit(page, reverse("ambitions:indicator_detail", args=["zsm", measures.share.pk]))
    visit.follow(page, lambda: page.locator("#report-bottleneck").click())
    expect(page.get_by_label("Title")).to_have_value(re.compile("is off track"))
    page.get_by_label("Title").fill("Advies reclassering niet binnen 24 uur")
    page.get_by_label("Description").fill("Het advies komt te laat voor de beslissing op de ZSM-locatie.")
    page.get_by_label("Reported to").select_option(label="Locatieoverleg (Operational)")
    page.get_by_label("Politie").check()
    page.locator("input[name=impact][value=high]").check()
    visit.follow(page, lambda: page.get_by_role("button", name="Report bottleneck").click())
    expect(page.get_by_text("The bottleneck has been reported to Locatieoverleg.")).to_be_visible()
    item = Bottleneck.objects.get()
    assert list(item.indicators.all()) == [measures.share] and item.reported_by == world.contributor_a
    assert item.body == lad.local

    # Ten days pass without a response from the locatieoverleg: the scheduled sweep, run as of then.
    later = timezone.now() + timedelta(days=10)
    assert tasks.escalate_overdue_bottlenecks(later.isoformat()) == {"escalated": 1, "notified": 2}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [lad.tactical_chair.email, lad.tactical_secretary.email]
    )
    visit(page, url("bottleneck_detail", item.pk))
    expect(page.locator("#escalations")).to_contain_text("automatically, response time passed")
    expect(page.locator("#clock")).to_contain_text("Tactisch overleg")

    # The tactical body's secretary finds it suggested for the next meeting and puts it on the agenda.
    secretary = open_page()
    use_english(secretary, live_server)
    signed_in(secretary, live_server, lad.tactical_secretary)
    visit(secretary, url("agenda_suggestions", meeting.pk))
    expect(secretary.locator("#suggestions")).to_contain_text("Bottleneck escalated to this body")
    visit.follow(
        secretary,
        lambda: secretary.get_by_role(
            "button", name=re.compile(r"^Accept\s*:\s*Bottleneck: Advies reclassering niet binnen 24 uur")
        ).click(),
    )
    visit(secretary, url("meeting_detail", meeting.pk))
    expect(secretary.locator("#agenda")).to_contain_text("Bottleneck: Advies reclassering niet binnen 24 uur")
