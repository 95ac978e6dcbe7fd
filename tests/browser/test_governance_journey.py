"""One meeting of a steering group from planning to the decision register, in a real browser, by
the people who do each step (issue 10's end-to-end test).

The secretary plans the meeting through the planning form, accepts the two suggestions the portal
makes (an indicator off track, an overdue action), announces the meeting, marks it held once it
has begun and records attendance; a proposal is put to the body at this meeting and put on its
agenda. Each partner's representing member signs in and records the partner's position with the
keyboard alone — the police consent (on a 375 px phone), the OM consents with recorded dissent and
a reason. The secretary records the outcome and writes the minutes; the chair approves them, after
which the minutes are locked: the form is no longer offered, a form left open is refused and so is
a forged POST. The decision is in the register with the dissent shown.

Every page on the way is scanned with axe (WCAG 2.1 A/AA) and watched for CSP violations and
script errors (tests/browser/conftest.py); each step is checked on what the user sees and, where it
matters, in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from governance.models import (
    ActionItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    Body,
    BodyLevel,
    BodyMember,
    Decision,
    DecisionPosition,
    DecisionStatus,
    DecisionWay,
    Meeting,
    MeetingStatus,
    MemberPosition,
    PositionKind,
)
from stakeholders.models import MandateScope, Notification, Person, Role
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.measures import Measures, enter_off_track

from .conftest import PHONE, use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

ACTION = "Werkinstructie ZSM-tafel schrijven"
PROPOSAL = "Twee extra reclasseringswerkers per ZSM-locatie"
EARLIER = "Werkwijze aanmelding ZSM-tafel"
DISSENT = "Het OM stemt in, maar de capaciteit van de reclassering blijft te krap."


@dataclass
class Steering:
    world: World
    measures: Measures
    body: Body
    secretary: Person
    chair: Person
    overdue: ActionItem
    earlier: Decision


def build_steering(measures: Measures) -> Steering:
    """The chain's steering group: a secretary of the programme office, a chair for the OM, lead A
    for the police and lead B for the OM (both with a mandate to vote in a body; the chair has
    none). The share indicator is far behind last month, and an action of the body is overdue. An
    earlier decision, taken in writing, has only the police's position."""
    w = measures.world
    enter_off_track(measures)  # the share at 10%: off track; the count on track: not suggested
    body = Body.objects.create(chain=w.chain, name="Stuurgroep ZSM", level=BodyLevel.STRATEGIC, meeting_minutes=120)
    secretary = PersonFactory(email="secretaris@example.nl", full_name="Sanne Secretaris")
    MembershipFactory(person=secretary, chain=w.chain, role=Role.VIEWER)
    chair = PersonFactory(email="voorzitter@example.nl", full_name="Carla Voorzitter", organisation=w.org_b)
    MembershipFactory(person=chair, chain=w.chain, role=Role.STEERING_MEMBER)
    BodyMember.objects.create(body=body, person=secretary, position=MemberPosition.SECRETARY)
    BodyMember.objects.create(body=body, person=chair, partnership=w.partner_b, position=MemberPosition.CHAIR)
    BodyMember.objects.create(body=body, person=w.lead_a, partnership=w.partner_a, position=MemberPosition.MEMBER)
    BodyMember.objects.create(body=body, person=w.lead_b, partnership=w.partner_b, position=MemberPosition.MEMBER)
    for lead, partnership in ((w.lead_a, w.partner_a), (w.lead_b, w.partner_b)):
        MandateFactory(
            person=lead,
            partnership=partnership,
            scope=MandateScope.VOTE_IN_BODY,
            valid_from=timezone.localdate() - timedelta(days=60),
        )
    overdue = ActionItem.objects.create(
        body=body, owner=w.lead_a, due_on=timezone.localdate() - timedelta(days=5), description=ACTION
    )
    earlier = Decision.objects.create(
        body=body,
        proposed_by=w.manager,
        title=EARLIER,
        text="Aanmelden bij de ZSM-tafel gaat voortaan digitaal.",
        way=DecisionWay.WRITTEN,
        closes_on=timezone.localdate() - timedelta(days=70),
        status=DecisionStatus.ADOPTED,
        decided_on=timezone.localdate() - timedelta(days=60),
        outcome_statement="Aangenomen.",
    )
    DecisionPosition.objects.create(
        decision=earlier, partnership=w.partner_a, kind=PositionKind.CONSENT, recorded_by=w.lead_a
    )
    return Steering(w, measures, body, secretary, chair, overdue, earlier)


# --- Helpers -----------------------------------------------------------------------------------


def tab_to(page, element_id: str, limit: int = 150) -> None:
    """Press Tab from where the focus is until ``element_id`` has it (a keyboard user's way there)."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} never got the focus after {limit} presses of Tab on {page.url}")


def named(visible: str, hidden: str) -> re.Pattern:
    """A control's accessible name: its visible words, then the visually hidden ": <what>" that tells
    a list's buttons apart (the browser may put a space before the colon)."""
    return re.compile(rf"^{re.escape(visible)}\s*:\s*{re.escape(hidden)}$")


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def iso(day: date) -> str:
    return day.isoformat()


def meeting_label(meeting: Meeting) -> str:
    """How the proposal form names a meeting (governance.forms.decisions.MeetingField)."""
    return f"{meeting.body} · {timezone.localtime(meeting.starts_at):%d-%m-%Y %H:%M}"


def form_fields(page, selector: str) -> dict[str, str]:
    """The fields a form would send now, as the browser would encode them."""
    return page.evaluate(
        "(selector) => Object.fromEntries(new FormData(document.querySelector(selector)))",
        selector,
    )


# --- The journey -------------------------------------------------------------------------------


def test_a_meeting_from_planning_to_the_decision_register(measures, open_page, visit, sign_in, live_server):
    s = build_steering(measures)
    w = s.world
    slug = w.chain.slug
    today = timezone.localdate()

    # Reversed here, before the first page: that imports every app's views in this thread (the
    # live server's first request would otherwise, which on a busy machine outlasts its timeout).
    body_url = reverse("governance:body_detail", args=[slug, s.body.pk])

    secretary = open_page()
    use_english(secretary, live_server)
    sign_in(secretary, s.secretary)

    # 1. The secretary plans a meeting next week through the planning form.
    day = today + timedelta(days=7)
    visit(secretary, body_url)
    visit.follow(secretary, lambda: secretary.get_by_role("link", name="Plan a meeting or a series").click())
    secretary.get_by_label("Date", exact=True).fill(iso(day))
    secretary.get_by_label("Starts at").fill("14:00")
    secretary.get_by_label("Ends at").fill("16:00")
    secretary.get_by_label("Place").fill("Paleis van Justitie, zaal 3")
    expect(secretary.get_by_label("Once", exact=True)).to_be_checked()
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Plan", exact=True).click())
    expect(secretary.locator(".kp-messages")).to_contain_text("The meeting has been planned as a draft.")
    expect(secretary.locator("#meeting-status")).to_have_text("Draft")
    meeting = Meeting.objects.get(body=s.body)
    meeting_url = reverse("governance:meeting_detail", args=[slug, meeting.pk])
    assert secretary.url.endswith(meeting_url)
    start = timezone.localtime(meeting.starts_at)
    assert (start.date(), start.hour, start.minute, meeting.duration_minutes) == (day, 14, 0, 120)
    assert (meeting.status, meeting.host, meeting.place) == (
        MeetingStatus.DRAFT,
        w.partner_b,  # the first core partner in the rotation
        "Paleis van Justitie, zaal 3",
    )
    expect(secretary.locator("#agenda")).to_contain_text("No items on the agenda yet.")

    # 2. The portal suggests the indicator off track and the overdue action; both are accepted.
    visit.follow(secretary, lambda: secretary.get_by_role("link", name="Suggested items").click())
    suggested = secretary.locator("#suggestions")
    expect(suggested.locator(".kp-suggestion")).to_have_count(2)
    indicator = suggested.locator(".kp-suggestion", has_text=s.measures.share.name)
    expect(indicator).to_contain_text("Indicator off track or at risk")
    with translation.override("en"):
        # The month judged: last month, or the month before until last month's deadline.
        reasons = {f"Off track in {p.label()}." for p in (s.measures.period, s.measures.period.previous)}
    assert any(reason in indicator.inner_text() for reason in reasons), indicator.inner_text()
    expect(suggested.locator(".kp-suggestion", has_text=ACTION)).to_contain_text("Overdue action")
    visit.follow(
        secretary,
        lambda: indicator.get_by_role("button", name=named("Accept", s.measures.share.name)).click(),
    )
    expect(secretary.locator(".kp-messages")).to_contain_text(
        f"“{s.measures.share.name}” has been added to the agenda."
    )
    visit.follow(
        secretary,
        lambda: secretary.get_by_role("button", name=named("Accept", f"Action: {ACTION}")).click(),
    )
    expect(secretary.locator("#suggestions")).to_contain_text("There are no open suggestions for this meeting.")
    items = list(meeting.agenda_items.order_by("order"))
    assert [(i.title, i.indicator_id, i.action_id) for i in items] == [
        (s.measures.share.name, s.measures.share.pk, None),
        (f"Action: {ACTION}", None, s.overdue.pk),
    ]

    # 3. The meeting is announced: every member is told.
    visit(secretary, meeting_url)
    agenda = secretary.locator("#agenda")
    expect(agenda).to_contain_text(s.measures.share.name)
    expect(agenda).to_contain_text(ACTION)
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Announce to the members").click())
    expect(secretary.locator(".kp-messages")).to_contain_text("The meeting has been announced.")
    expect(secretary.locator("#meeting-status")).to_have_text("Announced")
    expect(secretary.get_by_role("button", name="Mark as held")).to_have_count(0)  # it has not begun
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ANNOUNCED and meeting.announced_at is not None
    told = set(Notification.objects.filter(key=f"meeting-announced:{meeting.pk}").values_list("person_id", flat=True))
    assert told == {s.secretary.pk, s.chair.pk, w.lead_a.pk, w.lead_b.pk}

    # 4. The day comes (the clock cannot be turned in a live server: the meeting is moved to have
    # begun half an hour ago, as if a week had passed). It is marked held; attendance is recorded.
    begun = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=begun, ends_at=begun + timedelta(hours=2))
    visit(secretary, meeting_url)
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Mark as held").click())
    expect(secretary.locator(".kp-messages")).to_contain_text("The meeting has been marked as held.")
    expect(secretary.locator("#meeting-status")).to_have_text("Held")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD

    visit.follow(secretary, lambda: secretary.get_by_role("link", name="Record attendance").click())
    for name in ("Carla Voorzitter (Openbaar Ministerie)", "Lead-A (Politie)", "Lead-B (Openbaar Ministerie)"):
        secretary.get_by_role("group", name=name).get_by_label("Present", exact=True).check()
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Save attendance").click())
    expect(secretary.locator(".kp-messages")).to_contain_text("The attendance has been recorded.")
    expect(secretary.locator("#quorum")).to_contain_text(
        "The quorum is met: 2 of the 2 represented partners are present or represented"
    )
    assert set(Attendance.objects.filter(meeting=meeting).values_list("member__person", "status")) == {
        (s.chair.pk, AttendanceStatus.PRESENT),
        (w.lead_a.pk, AttendanceStatus.PRESENT),
        (w.lead_b.pk, AttendanceStatus.PRESENT),
    }

    # 5. A proposal is put to the body at this meeting, and goes on its agenda.
    visit(secretary, reverse("governance:decision_list", args=[slug]))
    visit.follow(secretary, lambda: secretary.get_by_role("link", name="New proposal").click())
    secretary.get_by_label("Title").fill(PROPOSAL)
    secretary.get_by_label("Proposal", exact=True).fill("Elke ZSM-locatie krijgt twee reclasseringswerkers erbij.")
    secretary.get_by_label("At a meeting").check()
    secretary.get_by_label(re.compile(r"^Meeting")).select_option(label=meeting_label(meeting))
    secretary.get_by_label("Closing date").fill(iso(today + timedelta(days=3)))
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Put the proposal to the partners").click())
    expect(secretary.locator(".kp-messages")).to_contain_text("The proposal has been put to the partners")
    decision = Decision.objects.get(title=PROPOSAL)
    decision_url = reverse("governance:decision_detail", args=[slug, decision.pk])
    assert secretary.url.endswith(decision_url)
    assert (decision.body, decision.way, decision.meeting, decision.status) == (
        s.body,
        DecisionWay.MEETING,
        meeting,
        DecisionStatus.OPEN,
    )
    expect(secretary.get_by_role("region", name="Where it stands")).to_contain_text(
        "Waiting for the position of Openbaar Ministerie, Politie."
    )

    visit(secretary, reverse("governance:agenda_suggestions", args=[slug, meeting.pk]))
    visit.follow(secretary, lambda: secretary.get_by_role("button", name=named("Accept", PROPOSAL)).click())
    expect(secretary.locator("#suggestions")).to_contain_text("There are no open suggestions for this meeting.")
    assert meeting.agenda_items.get(decision=decision).title == PROPOSAL

    # 6. The police's member records consent with the keyboard, on a phone.
    police = open_page(viewport=PHONE)
    use_english(police, live_server)
    sign_in(police, w.lead_a)
    record_position(police, visit, decision, partner="Politie")
    police.keyboard.press("Space")  # the first position, consent
    expect(police.get_by_label("Consent", exact=True)).to_be_checked()
    police.keyboard.press("Tab")
    assert focused(police) == "id_reason"
    police.keyboard.press("Tab")
    assert focused(police) == "position-submit"
    visit.follow(police, lambda: police.keyboard.press("Enter"))
    expect(police.locator(".kp-messages")).to_contain_text("The position of Politie has been recorded: Consent.")
    expect(police.locator("#positions").get_by_role("row", name=re.compile("^Politie"))).to_contain_text("Consent")
    assert_no_horizontal_scroll(police)
    position = DecisionPosition.objects.get(decision=decision, partnership=w.partner_a)
    assert (position.kind, position.recorded_by, position.as_alternate) == (PositionKind.CONSENT, w.lead_a, False)

    # 7. The OM's member consents with recorded dissent and its reason, with the keyboard.
    om = open_page()
    use_english(om, live_server)
    sign_in(om, w.lead_b)
    record_position(om, visit, decision, partner="Openbaar Ministerie")
    om.keyboard.press("ArrowDown")  # from the first position to the second, which checks it
    expect(om.get_by_label("Consent with recorded dissent")).to_be_checked()
    om.keyboard.press("Tab")
    assert focused(om) == "id_reason"
    om.keyboard.type(DISSENT)
    om.keyboard.press("Tab")
    visit.follow(om, lambda: om.keyboard.press("Enter"))
    expect(om.locator(".kp-messages")).to_contain_text(
        "The position of Openbaar Ministerie has been recorded: Consent with recorded dissent."
    )
    expect(om.locator(".kp-dissent")).to_contain_text(f"Openbaar Ministerie: {DISSENT}")
    standing = om.get_by_role("region", name="Where it stands")
    expect(standing).to_contain_text("would be adopted")
    expect(standing).to_contain_text("With recorded dissent of Openbaar Ministerie.")
    position = DecisionPosition.objects.get(decision=decision, partnership=w.partner_b)
    assert (position.kind, position.reason, position.recorded_by) == (PositionKind.DISSENT, DISSENT, w.lead_b)

    # 8. The secretary records the outcome the body's rule gives.
    visit(secretary, decision_url)
    visit.follow(secretary, lambda: secretary.get_by_role("link", name="Close the decision").click())
    expect(secretary.get_by_role("region", name="The outcome by the body's rule")).to_contain_text("Adopted")
    review_on = today + timedelta(days=180)
    secretary.get_by_label("Outcome statement").fill("Aangenomen: elke ZSM-locatie krijgt twee reclasseringswerkers.")
    expect(secretary.get_by_label("Decided on")).to_have_value(iso(today))
    secretary.get_by_label("Review date").fill(iso(review_on))
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Close the decision").click())
    expect(secretary.locator(".kp-messages")).to_contain_text("The decision is closed: Adopted.")
    expect(secretary.locator(".kp-dissent")).to_contain_text(DISSENT)
    decision.refresh_from_db()
    assert (decision.status, decision.decided_on, decision.review_on) == (DecisionStatus.ADOPTED, today, review_on)

    # 9. The secretary writes the minutes of every item; one form is left open in the browser.
    visit(secretary, meeting_url)
    for title in (s.measures.share.name, f"Action: {ACTION}", PROPOSAL):
        visit.follow(
            secretary,
            lambda t=title: secretary.get_by_role("link", name=named("Write the minutes", t)).click(),
        )
        secretary.get_by_label("Minutes").fill(f"Besproken: {title}.")
        secretary.get_by_label("Finished", exact=True).check()
        visit.follow(secretary, lambda: secretary.get_by_role("button", name="Save the minutes").click())
        expect(secretary.locator(".kp-messages")).to_contain_text("have been saved")
    assert set(meeting.agenda_items.values_list("status", flat=True)) == {AgendaItemStatus.FINISHED}
    expect(secretary.get_by_role("button", name="Approve the minutes")).to_have_count(0)  # the chair's
    first = meeting.agenda_items.get(indicator=s.measures.share)
    minutes_url = reverse("governance:minutes_edit", args=[slug, first.pk])
    visit(secretary, minutes_url)
    secretary.get_by_label("Minutes").fill("Later toegevoegd: nog een afspraak.")
    forged = form_fields(secretary, "#minutes-form")

    # 10. The chair approves the minutes, from their own work list.
    chair = open_page()
    use_english(chair, live_server)
    sign_in(chair, s.chair)
    visit(chair, reverse("stakeholders:my_work"))
    visit.follow(chair, lambda: chair.get_by_role("link", name="Stuurgroep ZSM (ZSM), meeting of").click())
    assert chair.url.endswith(meeting_url)
    visit.follow(chair, lambda: chair.get_by_role("button", name="Approve the minutes").click())
    expect(chair.locator(".kp-messages")).to_contain_text("The minutes have been approved and are now locked.")
    expect(chair.locator("#minutes")).to_contain_text("Approved by Carla Voorzitter on")
    expect(chair.locator("#meeting-status")).to_have_text("Minutes approved")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes_approved_by) == (MeetingStatus.MINUTES_APPROVED, s.chair)

    # 11. Locked: the form left open is refused, the meeting page offers no minutes form, the
    # form's address says why, and a forged POST (a valid form's fields) changes nothing.
    visit.follow(secretary, lambda: secretary.get_by_role("button", name="Save the minutes").click())
    assert secretary.url.endswith(meeting_url)
    expect(secretary.locator(".kp-messages")).to_contain_text(
        "The minutes of this meeting are approved and locked; reopen them first."
    )
    for locked_out in ("Write the minutes", "Add an action agreed here", "Record attendance", "Suggested items"):
        expect(secretary.get_by_role("link", name=locked_out)).to_have_count(0)
    expect(secretary.locator("#minutes")).to_contain_text(f"Besproken: {s.measures.share.name}.")
    visit(secretary, minutes_url, status=409)
    expect(secretary.get_by_role("alert")).to_contain_text("approved and locked")
    answer = secretary.request.post(minutes_url, form={**forged, "notes": "Vervalst."})
    assert answer.status == 409 and "Nothing has been changed." in answer.text()
    first.refresh_from_db()
    assert (first.notes, first.status) == (f"Besproken: {s.measures.share.name}.", AgendaItemStatus.FINISHED)

    # 12. The decision is in the register, filtered on the dissenting partner, with the dissent.
    register = open_page()
    use_english(register, live_server)
    sign_in(register, w.viewer)
    visit(register, reverse("governance:decision_list", args=[slug]))
    expect(register.get_by_role("row", name=EARLIER)).to_have_count(1)
    register.get_by_label("Partner", exact=True).select_option(label="Openbaar Ministerie")
    register.get_by_label("Outcome", exact=True).select_option(label="Adopted")
    visit.follow(register, lambda: register.get_by_role("button", name="Filter").click())
    expect(register.locator("table.kp-register caption")).to_have_text("1 decision, newest first")
    expect(register.get_by_role("row", name=EARLIER)).to_have_count(0)  # the OM took no position on it
    row = register.get_by_role("row", name=PROPOSAL)
    expect(row).to_contain_text("Stuurgroep ZSM")
    expect(row).to_contain_text("Adopted")
    expect(row).to_contain_text("Politie: Consent")
    expect(row).to_contain_text(f"Openbaar Ministerie: Consent with recorded dissent dissent recorded: {DISSENT}")
    visit.follow(register, lambda: row.get_by_role("link").last.click())
    assert register.url.endswith(meeting_url)
    expect(register.locator("#minutes")).to_contain_text("Approved by Carla Voorzitter on")


def record_position(page, visit, decision: Decision, *, partner: str) -> None:
    """From the member's work list to the decision's position form, by keyboard to its first option."""
    visit(page, reverse("stakeholders:my_work"))
    asked = page.get_by_role("link", name=f"“{decision.title}”: the position of {partner}")
    visit.follow(page, lambda: asked.click())
    expect(page.locator("#my-position").get_by_role("heading")).to_have_text(f"The position of {partner}")
    tab_to(page, "id_kind_0")
