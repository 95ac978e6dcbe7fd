"""Every page, scanned: axe-core WCAG 2.1 A/AA, no CSP violation or script error, and no
horizontal scrolling on a phone (375×667).

Chain pages are opened as the programme manager (who may open all of them), in Dutch, the
portal's default language. To add a page: add a row to PAGES.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from stakeholders.models import Invitation, Membership, Role
from tests.conftest import World, sign_in
from tests.factories import MandateFactory

from .conftest import PHONE, use_english

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[World], str]
    persona: str | None = "manager"  # None: anonymous
    status: int = 200
    ready: str | None = None  # for pages drawn by JavaScript: scan once this selector is there


def chain_url(name: str, *args: Callable[[World], object]) -> Callable[[World], str]:
    return lambda w: reverse(f"stakeholders:{name}", args=[w.chain.slug, *(arg(w) for arg in args)])


def mandate_pk(w: World) -> int:
    return MandateFactory(person=w.lead_a, partnership=w.partner_a, granted_by=w.manager).pk


def membership_pk(w: World) -> int:
    return Membership.objects.get(person=w.viewer, chain=w.chain).pk


def invitation_link(w: World, *, expired: bool = False) -> str:
    invitation, token = Invitation.issue(
        chain=w.chain, email="nieuw@example.nl", full_name="Nieuw", role=Role.VIEWER, organisation=None, by=w.manager
    )
    if expired:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return reverse("stakeholders:invitation_accept", args=[token])


def with_figures(w: World):
    """The ambitions of tests/measures.py with six months of figures from both units."""
    from ambitions.services.entry import CellInput, save_cell
    from tests.measures import build_measures

    m = build_measures(w)
    for steps, numerator in enumerate((60, 55, 52, 48, 41, 30)):
        period = m.period.shifted(-steps)
        save_cell(w.contributor_a, m.share, w.unit_a, period, CellInput(numerator=str(numerator), denominator="100"))
        save_cell(w.contributor_a, m.count, w.unit_a, period, CellInput(value=str(300 + steps * 20)))
        if steps:  # the OM has not reported the latest month yet
            save_cell(w.lead_b, m.share, w.unit_b, period, CellInput(numerator="45", denominator="90"))
    return m


def notifications_page(w: World) -> str:
    """The manager's notifications: one read, two unread (one without a link)."""
    from stakeholders.notify import notify

    notify([w.manager], w.chain, "Cijfers van Politie over maart zijn te laat.", "/ketens/zsm/", key="axe-1")
    notify([w.manager], w.chain, "Uw instemming wordt gevraagd.", "/ketens/zsm/", key="axe-2")
    notify([w.manager], None, "Welkom in Ketenportaal.", "", key="axe-3")
    w.manager.notifications.filter(key="axe-1").update(read_at=timezone.now())
    return reverse("stakeholders:notification_list")


def dashboard_with_figures(w: World) -> str:
    """with_figures(), and a first figure for the running month: a tile shows it as in progress."""
    from decimal import Decimal

    from ambitions.models import Figure
    from ambitions.services import aggregates

    m = with_figures(w)
    unit = w.unit_a
    Figure.objects.create(
        indicator=m.count,
        version=m.count_v1,
        unit=unit,
        organisation_id=unit.organisation_id,
        period=m.period.next.start,
        value=Decimal(7),
    )
    aggregates.rebuild_all()
    return reverse("ambitions:chain_dashboard", args=[w.chain.slug])


def indicator_with_figures(w: World) -> str:
    return reverse("ambitions:indicator_detail", args=[w.chain.slug, with_figures(w).share.pk])


def report_with_figures(w: World, *, variant: bool = False, page: str = "report_detail") -> str:
    """A drafted progress report (with commentary) of the figures of with_figures(); a revision 2 too."""
    from ambitions.services import reports

    m = with_figures(w)
    report, _ = reports.draft_report(w.chain, m.period)
    reports.save_commentary(report, w.manager, {m.ambition.pk: "Politie loopt achter.\nBijsturen."}, {})
    if page == "report_list":
        reports.regenerate(report, by=w.manager)
        return reverse("ambitions:report_list", args=[w.chain.slug])
    url = reverse(f"ambitions:{page}", args=[w.chain.slug, report.pk])
    return f"{url}?organisatie={w.org_a.pk}" if variant else url


def report_from_a_newer_version(w: World) -> str:
    """A report whose snapshot was stored by a newer version of the portal: refused with a page (409)."""
    from ambitions.models import ProgressReport
    from ambitions.services.report_schema import SCHEMA_VERSION

    m = with_figures(w)
    report = ProgressReport.objects.create(
        chain=w.chain, frequency=m.period.frequency, period=m.period.start, snapshot={"schema": SCHEMA_VERSION + 1}
    )
    return reverse("ambitions:report_detail", args=[w.chain.slug, report.pk])


def ambitions_url(name: str, *args: Callable[[object], object]) -> Callable[[World], str]:
    """A page of the ambitions app on top of tests/measures.py; ``args`` take the Measures."""

    def url(w: World) -> str:
        from tests.measures import build_measures

        m = build_measures(w)
        return reverse(f"ambitions:{name}", args=[w.chain.slug, *(arg(m) for arg in args)])

    return url


def proposed_version(m) -> int:
    """Version 2 of the share, proposed from next month, consented to by partner B."""
    from ambitions.services import consensus

    w = m.world
    draft = consensus.new_draft(w.manager, m.share_v1)
    draft.effective_from = m.period.shifted(2).start
    draft.save()
    consensus.propose(w.manager, draft)
    consensus.respond(w.lead_b, draft, w.partner_b, "consent")
    consensus.comment(w.lead_b, draft, "Graag ook per regio rapporteren.")
    return draft.number


def draft_version(m) -> int:
    from ambitions.services import consensus

    return consensus.new_draft(m.world.manager, m.count_v1).number


def my_work_with_stuck_work(w: World) -> str:
    """The manager's My work with what is stuck: a stopped proposal, a partner that has not
    reported, a submission nobody can approve, and partners without mandates."""
    from ambitions.services import consensus, submissions
    from stakeholders.models import Mandate
    from tests.measures import MISSING

    m = with_figures(w)
    consensus.respond(w.lead_b, consensus.propose(w.manager, _later_draft(m)), w.partner_b, "objection", "Onduidelijk")
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period.shifted(-1), MISSING)
    Mandate.objects.filter(person=w.lead_a, scope="approve_figures").delete()
    return reverse("stakeholders:my_work")


def _later_draft(m):
    from ambitions.services import consensus

    draft = consensus.new_draft(m.world.manager, m.count_v1)
    draft.effective_from = m.period.shifted(2).start
    draft.save()
    return draft


def password_reset_link(w: World) -> str:
    uid = urlsafe_base64_encode(force_bytes(w.viewer.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(w.viewer)])


def api_connections(w: World) -> str:
    """The API connections page with one active and one revoked connection."""
    from stakeholders.views.api_tokens import create_connection, revoke_connection

    create_connection(w.chain, w.org_a, "Registratiesysteem")
    revoke_connection(create_connection(w.chain, w.org_b, "Oud systeem")[0])
    return reverse("stakeholders:api_connection_list", args=[w.chain.slug])


def api_connection_history(w: World) -> str:
    """A connection's page with a token in its grace period, its successor (used) and a revoked one."""
    from datetime import timedelta

    from django.utils import timezone

    from stakeholders.models import ApiToken
    from stakeholders.views.api_tokens import create_connection

    person, _key = create_connection(w.chain, w.org_a, "Registratiesysteem", by=w.manager)
    old = person.api_tokens.get()
    new, _key = ApiToken.issue(person, expires_at=timezone.now() + timedelta(days=300), by=w.manager)
    old.retire(grace=timedelta(days=3), successor=new)
    ApiToken.objects.filter(pk=new.pk).update(last_used_at=timezone.now())
    ApiToken.issue(person, expires_at=None, by=w.manager)[0].revoke(by=w.manager)
    return reverse("stakeholders:api_connection_detail", args=[w.chain.slug, person.pk])


def api_connection_rotation(w: World) -> str:
    from stakeholders.views.api_tokens import create_connection

    person, _key = create_connection(w.chain, w.org_a, "Registratiesysteem")
    return reverse("stakeholders:api_connection_rotate", args=[w.chain.slug, person.pk])


PAGES = [
    Page("my_work", lambda w: reverse("stakeholders:my_work")),
    Page("my_work_with_stuck_work", my_work_with_stuck_work),
    Page("notification_list", notifications_page),
    Page("notification_settings", lambda w: reverse("stakeholders:notification_settings")),
    Page("chain_detail", chain_url("chain_detail")),
    Page("chain_settings", chain_url("chain_settings")),
    Page("partnership_list", chain_url("partnership_list")),
    Page("partnership_create", chain_url("partnership_create")),
    Page("partnership_detail", chain_url("partnership_detail", lambda w: w.partner_a.pk)),
    Page("partnership_edit", chain_url("partnership_edit", lambda w: w.partner_a.pk)),
    Page("organisation_list", chain_url("organisation_list")),
    Page("organisation_create", chain_url("organisation_create")),
    Page("organisation_detail", chain_url("organisation_detail", lambda w: w.org_a.pk)),
    Page("organisation_edit", chain_url("organisation_edit", lambda w: w.org_a.pk)),
    Page("unit_create", chain_url("unit_create", lambda w: w.org_a.pk)),
    Page("unit_edit", chain_url("unit_edit", lambda w: w.unit_a.pk)),
    Page("membership_list", chain_url("membership_list")),
    Page("membership_edit", chain_url("membership_edit", membership_pk)),
    Page("invitation_create", chain_url("invitation_create")),
    Page("mandate_list", chain_url("mandate_list")),
    Page("mandate_create", chain_url("mandate_create")),
    Page("mandate_edit", chain_url("mandate_edit", mandate_pk)),
    Page("api_connection_list", api_connections),
    Page("api_connection_create", chain_url("api_connection_create")),
    Page("api_connection_detail", api_connection_history),
    Page("api_connection_rotate", api_connection_rotation),
    Page("chain_dashboard", dashboard_with_figures),
    Page("ambition_list", ambitions_url("ambition_list")),
    Page("ambition_create", ambitions_url("ambition_create")),
    Page("ambition_edit", ambitions_url("ambition_edit", lambda m: m.ambition.pk)),
    Page("indicator_create", ambitions_url("indicator_create", lambda m: m.ambition.pk)),
    Page("version_detail", ambitions_url("version_detail", lambda m: m.share.pk, proposed_version)),
    Page(
        "version_detail_for_a_lead",
        ambitions_url("version_detail", lambda m: m.share.pk, proposed_version),
        persona="lead_a",
    ),
    Page("version_edit", ambitions_url("version_edit", lambda m: m.count.pk, draft_version)),
    Page("version_edit_locked", ambitions_url("version_edit", lambda m: m.share.pk, lambda m: 1), status=409),
    Page("indicator_detail", indicator_with_figures),
    Page("report_list", lambda w: report_with_figures(w, page="report_list")),
    Page("report_detail", report_with_figures),
    Page("report_detail_for_a_partner", lambda w: report_with_figures(w, variant=True), persona="lead_a"),
    Page("report_commentary", lambda w: report_with_figures(w, page="report_commentary")),
    Page("report_from_a_newer_version", report_from_a_newer_version, status=409),
    Page("otp_setup", lambda w: reverse("otp_setup"), persona="manager_without_device"),
    # Public pages
    Page("login", lambda w: reverse("login"), persona=None),
    Page("password_reset", lambda w: reverse("password_reset"), persona=None),
    Page("password_reset_done", lambda w: reverse("password_reset_done"), persona=None),
    Page("password_reset_confirm", password_reset_link, persona=None),
    Page("password_reset_complete", lambda w: reverse("password_reset_complete"), persona=None),
    Page("invitation_accept", invitation_link, persona=None),
    Page("invitation_expired", lambda w: invitation_link(w, expired=True), persona=None, status=410),
    Page("api_docs", lambda w: reverse("api_docs"), persona=None, ready=".swagger-ui .opblock-summary-path"),
]


def sign_in_context(page, live_server, world: World, persona: str | None) -> None:
    """Put a signed-in session into the browser (the sign-in form itself is tested in the flows)."""
    if persona is None:
        return
    person = world.manager if persona in ("manager", "manager_without_device") else getattr(world, persona)
    client = Client()
    if persona == "manager_without_device":
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    else:
        sign_in(client, person)  # also completes the second factor
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


_WIDTHS = """() => {
  const width = window.innerWidth;
  const describe = (el) => {
    const classes = el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '';
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}`
      + ` (right edge ${Math.round(el.getBoundingClientRect().right)}px)`;
  };
  const tooWide = (el) => el.getBoundingClientRect().right > width + 1;
  // The innermost elements that stick out: those are what to fix.
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => tooWide(el) && ![...el.children].some(tooWide)).slice(0, 5).map(describe);
  return {scroll: document.documentElement.scrollWidth, inner: width, wide};
}"""


def assert_no_horizontal_scroll(page) -> None:
    page.set_viewport_size(PHONE)
    widths = page.evaluate(_WIDTHS)
    assert widths["scroll"] <= widths["inner"], (
        f"{page.url} scrolls sideways on a {PHONE['width']}px phone: the page is {widths['scroll']}px wide; "
        f"innermost elements sticking out: {widths['wide']}"
    )


@pytest.mark.parametrize("target", PAGES, ids=[p.name for p in PAGES])
def test_it_passes_axe_and_the_csp_on_desktop_and_phone(target: Page, world: World, page, visit, live_server):
    sign_in_context(page, live_server, world, target.persona)
    visit(page, target.url(world), status=target.status, ready=target.ready)
    # A page that quietly sent us elsewhere (sign-in, 2FA) would not be the page under test.
    assert "/inloggen/" not in page.url or target.name == "login", page.url
    assert_no_horizontal_scroll(page)
    page.watcher.assert_clean()


def test_it_shows_a_bad_input_error_at_the_field_and_still_passes_axe(world: World, page, visit, live_server):
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, reverse("stakeholders:invitation_create", args=[world.chain.slug]))
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_label("Full name").fill("Nieuw")
    page.get_by_label("Role in this chain").select_option(label="Viewer")
    visit.follow(page, page.get_by_role("button", name="Send the invitation").click, status=422)

    email = page.get_by_label("E-mail address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("not-an-address")
    # The message is tied to the field, so a screen reader reads it with the field.
    described_by = (email.get_attribute("aria-describedby") or "").split()
    messages = [page.locator(f"#{id_}").inner_text() for id_ in described_by]
    assert any("valid email address" in m for m in messages), (described_by, messages)
    assert not Invitation.objects.exists()


# The error pages (ketenportaal/views.py). tests/error_urls.py adds views that fail on purpose.
ERROR_PAGES = [
    Page("404_forged_chain", lambda w: "/ketens/bestaat-niet/", persona="viewer", status=404),
    Page("403_refused_action", chain_url("invitation_create"), persona="viewer", status=403),
    Page("500", lambda w: "/test-fout/500/", persona=None, status=500),
    Page("400", lambda w: "/test-fout/400/", persona=None, status=400),
]


@pytest.mark.parametrize("target", ERROR_PAGES, ids=[p.name for p in ERROR_PAGES])
def test_it_passes_axe_on_the_error_pages(target: Page, world: World, page, visit, live_server, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    sign_in_context(page, live_server, world, target.persona)
    visit(page, target.url(world), status=target.status)
    way_back = "Naar Mijn werk" if target.persona else "Naar de startpagina"
    expect(page.get_by_role("link", name=way_back)).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.watcher.assert_clean()


def test_it_passes_axe_on_the_refused_form_page(db, page, visit, live_server):
    visit(page, reverse("login"))
    page.context.clear_cookies()  # the CSRF cookie is gone, as when cookies are blocked
    page.get_by_label("E-mailadres").fill("iemand@example.nl")
    page.get_by_label("Wachtwoord").fill("wat dan ook")
    visit.follow(page, page.get_by_role("button", name="Inloggen").click, status=403)
    expect(page.get_by_role("heading", name="Het formulier kon niet worden verstuurd")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_it_passes_axe_on_submitting_and_approving_with_figures_missing(world: World, page, visit, live_server):
    """The submission rule's pages (services/submissions.py): the list of missing figures with the
    reason field (422), the reason on the grid, and a late delivery waiting for the lead."""
    from ambitions.models import PeriodSubmission
    from ambitions.services.entry import CellInput, save_cell
    from tests.factories import UnitFactory
    from tests.measures import build_measures

    m = build_measures(world)
    late = UnitFactory(organisation=world.org_a, name="Eenheid Noord")
    m.count_v1.reporting_units.add(late)
    save_cell(world.contributor_a, m.count, world.unit_a, m.period, CellInput(value="40"))
    save_cell(world.contributor_a, m.share, world.unit_a, m.period, CellInput(numerator="30", denominator="60"))
    grid = reverse("ambitions:entry_grid", args=[world.chain.slug, m.period.slug])

    use_english(page, live_server)
    sign_in_context(page, live_server, world, "contributor_a")
    visit(page, grid)
    visit.follow(page, page.get_by_role("button", name="Submit for approval").click, status=422)
    expect(page.get_by_role("cell", name="Eenheid Noord")).to_be_visible()
    visit.follow(page, page.get_by_role("button", name="Submit with figures missing").click, status=422)
    expect(page.get_by_text("Give a reason to go ahead with these figures missing.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_label("Reason for going ahead with figures missing").fill("Noord levert volgende week")
    visit.follow(page, page.get_by_role("button", name="Submit with figures missing").click)
    expect(page.get_by_text("Noord levert volgende week")).to_be_visible()

    page.context.clear_cookies()
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "lead_a")
    visit(page, grid)
    visit.follow(page, page.get_by_role("button", name="Approve the figures").click, status=422)
    page.get_by_label("Reason for going ahead with figures missing").fill("Noord volgt apart")
    visit.follow(page, page.get_by_role("button", name="Approve with figures missing").click)
    assert PeriodSubmission.objects.get(organisation=world.org_a).approved_missing_reason == "Noord volgt apart"

    save_cell(world.contributor_a, m.count, late, m.period, CellInput(value="7"))
    visit(page, grid)
    expect(page.get_by_text("Delivered late: waiting for approval")).to_be_visible()
    visit.follow(page, page.get_by_role("button", name="Approve the late figures").click)
    assert_no_horizontal_scroll(page)
    page.watcher.assert_clean()
