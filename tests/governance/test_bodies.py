"""Bodies and their seats: the list, the body page's flags, the forms and what they refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from governance.models import (
    Body,
    BodyLevel,
    BodyMember,
    DecisionRule,
    Meeting,
    MeetingStatus,
    MemberPosition,
)
from governance.sections import BodySection, _sections, register_body_section
from stakeholders.models import MandateScope, PartnershipStatus, Role
from tests.conftest import World, sign_in, without_session_reads
from tests.factories import MandateFactory, MembershipFactory, OrganisationFactory, PartnershipFactory, PersonFactory
from tests.governance.body_fixtures import a_seat, body_of, edit_data, error_at, member_url, page, seat, vote


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


# --- the list ----------------------------------------------------------------------------------


def test_it_lists_the_bodies_by_level_with_members_and_next_meeting(world: World, client_for):
    steering = body_of(world)
    tactical = body_of(world, "Tactisch ketenoverleg", level=BodyLevel.TACTICAL, escalates_to=steering)
    body_of(world, "Oud overleg", level=BodyLevel.OPERATIONAL, is_active=False)
    seat(steering, world.lead_a, world.partner_a)
    seat(steering, world.lead_b, world.partner_b)
    soon = timezone.now() + timedelta(days=3)
    Meeting.objects.create(
        body=steering, starts_at=soon - timedelta(days=1), ends_at=soon, status=MeetingStatus.CANCELLED
    )
    Meeting.objects.create(body=steering, starts_at=soon, ends_at=soon + timedelta(hours=2))
    Meeting.objects.create(
        body=steering, starts_at=soon + timedelta(days=30), ends_at=soon + timedelta(days=30, hours=1)
    )
    html = client_for(world.viewer).get("/ketens/zsm/overleg/gremia/").text
    strategic, tactical_part = html.split('id="level-strategic"')[1].split('id="level-tactical"')
    assert "Stuurgroep ZSM" in strategic and "Tactisch ketenoverleg" in tactical_part
    row = strategic.split("Stuurgroep ZSM")[1].split("</tr>")[0]
    assert ">2<" in row
    assert date_format(timezone.localtime(soon), "DATETIME_FORMAT") in row
    assert "not yet announced" in row  # a draft
    assert "Stuurgroep ZSM" in tactical_part.split("Tactisch ketenoverleg")[1].split("</tr>")[0]  # escalates to
    inactive = html.split('id="level-inactive"')[1]
    assert "Oud overleg" in inactive and "Oud overleg" not in html.split('id="level-inactive"')[0]
    assert "Set up a body" not in html  # a viewer does not set bodies up
    assert "/overleg/gremia/" in client_for(world.viewer).get("/ketens/zsm/").text  # the chain menu's section
    assert f"/overleg/gremia/{tactical.pk}/" in html


def test_it_offers_setting_up_a_body_to_the_programme_manager(world: World, client_for):
    assert "Set up a body" in client_for(world.manager).get("/ketens/zsm/overleg/gremia/").text


def test_it_shows_the_section_in_dutch_as_overleg(world: World):
    html = sign_in(Client(), world.viewer).get("/ketens/zsm/overleg/gremia/").text
    assert ">Overleg<" in html


# --- the body page: rule, flags -----------------------------------------------------------------


def test_it_states_the_decision_rule_in_words(world: World, client_for):
    consent = body_of(world)
    majority = body_of(
        world, "Regiegroep", decision_rule=DecisionRule.QUALIFIED_MAJORITY, majority_percent=75, quorum_percent=60
    )
    assert "Consent of every represented core partner" in client_for(world.viewer).get(page(consent)).text
    html = client_for(world.viewer).get(page(majority)).text
    assert "A qualified majority of 75% of the votes cast, with a quorum of 60% of the represented partners" in html


def test_it_flags_every_current_core_partner_nobody_speaks_for(world: World, client_for):
    body = body_of(world)
    seat(body, world.lead_a, world.partner_a, MemberPosition.CHAIR)
    # Partner B has only a secretary: that does not speak for it.
    seat(body, world.lead_b, world.partner_b, MemberPosition.SECRETARY)
    PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name="Reclassering"))
    PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Slachtofferhulp"), status=PartnershipStatus.OBSERVER
    )
    PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Oud-partner"),
        left_on=timezone.localdate() - timedelta(days=1),
    )
    html = client_for(world.manager).get(page(body)).text
    flagged = html.split('id="unrepresented"')[1].split("</ul>")[0]
    assert "Openbaar Ministerie is not represented." in flagged
    assert "Reclassering is not represented." in flagged
    assert "Politie" not in flagged and "Slachtofferhulp" not in flagged and "Oud-partner" not in flagged
    # The manager gets a link to add a member for that partner; the form arrives with it chosen.
    link = f"/overleg/gremia/{body.pk}/leden/nieuw/?partner={world.partner_b.pk}"
    assert link in flagged
    form = client_for(world.manager).get(f"/ketens/zsm{link}").context["form"]
    assert form["partnership"].value() == world.partner_b.pk
    assert "Add a member for" not in client_for(world.viewer).get(page(body)).text


def test_it_flags_members_and_alternates_without_a_usable_mandate_to_vote(world: World, client_for):
    today = timezone.localdate()
    body = body_of(world)
    lead_b2 = PersonFactory(full_name="Bas Bakker", organisation=world.org_b)
    MembershipFactory(person=lead_b2, chain=world.chain, role=Role.PARTNER_LEAD)
    seat(body, world.lead_a, world.partner_a, MemberPosition.CHAIR, alternate=world.contributor_a)
    seat(body, world.lead_b, world.partner_b, MemberPosition.MEMBER, alternate=lead_b2)
    # Lead A: valid; contributor A (alternate): a valid mandate their role cannot use.
    vote(world.lead_a, world.partner_a)
    vote(world.contributor_a, world.partner_a)
    # Lead B: lapsed yesterday (an older one lapsed before); Bas: starts next week.
    vote(world.lead_b, world.partner_b, valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=300))
    vote(world.lead_b, world.partner_b, valid_from=today - timedelta(days=200), valid_until=today - timedelta(days=1))
    vote(lead_b2, world.partner_b, valid_from=today + timedelta(days=7))
    # Another scope does not count.
    MandateFactory(person=lead_b2, partnership=world.partner_b, scope=MandateScope.SIGN_AGREEMENTS)
    html = client_for(world.manager).get(page(body)).text
    flags = html.split('id="mandate-flags"')[1].split("</ul>")[0]
    assert "Lead-A has" not in flags and "Lead-A cannot" not in flags
    # A role that cannot use the mandate is not mended by granting one.
    assert f"person={world.contributor_a.pk}" not in flags
    assert (
        "Contributor, alternate of Lead-A, holds a mandate to “Vote in a body” for Politie but cannot use it in "
        "their role in this chain." in flags
    )
    yesterday = date_format(today - timedelta(days=1))
    assert f"Lead-B cannot vote for Openbaar Ministerie: the mandate to “Vote in a body” ended on {yesterday}." in flags
    week = date_format(today + timedelta(days=7))
    assert (
        f"Bas Bakker, alternate of Lead-B, cannot vote for Openbaar Ministerie yet: the mandate to “Vote in a body” "
        f"starts on {week}." in flags
    )
    # Each flag links the manager to granting that mandate, filled in.
    grant = (
        f"/ketens/zsm/mandaten/nieuw/?partner={world.partner_b.pk}&amp;scope=vote_in_body&amp;person={world.lead_b.pk}"
    )
    assert grant in flags
    form = client_for(world.manager).get(grant.replace("&amp;", "&")).context["form"]
    assert (form["partnership"].value(), form["scope"].value(), form["person"].value()) == (
        world.partner_b.pk,
        "vote_in_body",
        world.lead_b.pk,
    )
    # The members table says it briefly per seat.
    members = html.split('id="members"')[1]
    lead_b_row = members.split("Lead-B")[1].split("</tr>")[0]
    assert f"Ended on {yesterday}" in lead_b_row and f"Alternate: Starts on {week}" in lead_b_row
    assert "Valid" not in lead_b_row


def test_it_flags_a_missing_mandate_and_offers_the_link_only_to_who_may_grant_it(world: World, client_for):
    body = body_of(world)
    seat(body, world.lead_a, world.partner_a)
    seat(body, world.lead_b, world.partner_b)
    html = client_for(world.lead_a).get(page(body)).text
    flags = html.split('id="mandate-flags"')[1].split("</ul>")[0]
    assert "Lead-A has no mandate to “Vote in a body” for Politie." in flags
    assert "Lead-B has no mandate to “Vote in a body” for Openbaar Ministerie." in flags
    # Lead A grants mandates for the police only; the viewer for nobody.
    assert f"partner={world.partner_a.pk}&amp;scope=vote_in_body" in flags
    assert f"partner={world.partner_b.pk}&amp;scope" not in flags
    assert "Grant the mandate" not in client_for(world.viewer).get(page(body)).text


def test_it_flags_nothing_when_every_core_partner_votes_through_a_mandated_member(world: World, client_for):
    body = body_of(world)
    seat(body, world.lead_a, world.partner_a, MemberPosition.CHAIR)
    seat(body, world.lead_b, world.partner_b)
    seat(body, world.contributor_a, None, MemberPosition.ADVISOR)  # advisors need no mandate
    vote(world.lead_a, world.partner_a)
    vote(world.lead_b, world.partner_b, valid_until=timezone.localdate())  # valid through today
    html = client_for(world.viewer).get(page(body)).text
    assert "kp-representation" not in html
    assert html.count("Does not vote") == 1


def test_it_answers_the_body_page_in_the_same_number_of_queries_however_many_seats(world: World, client_for):
    small, large = body_of(world), body_of(world, "Groot overleg")
    seat(small, world.lead_a, world.partner_a, alternate=world.contributor_a)
    for body in (large,):
        seat(body, world.lead_a, world.partner_a, alternate=world.contributor_a)
        seat(body, world.lead_b, world.partner_b)
        for n in range(8):
            organisation = OrganisationFactory(name=f"Gemeente {n}")
            partnership = PartnershipFactory(chain=world.chain, organisation=organisation)
            person = PersonFactory(organisation=organisation)
            alternate = PersonFactory(organisation=organisation)
            for someone in (person, alternate):
                MembershipFactory(person=someone, chain=world.chain, role=Role.PARTNER_LEAD)
            today = timezone.localdate()
            vote(person, partnership, valid_from=today - timedelta(days=30), valid_until=today - timedelta(days=n + 1))
            seat(body, person, partnership, alternate=alternate)
    client = client_for(world.manager)
    client.get(page(small))  # content types and the like, cached once per process

    def count(body: Body) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(body)).status_code == 200
        return len(without_session_reads(captured.captured_queries))

    assert count(small) == count(large)
    assert count(large) <= 25


def test_it_does_not_show_another_chains_body(world: World, client_for):
    other = Body.objects.create(chain=world.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    assert client_for(world.manager).get(f"/ketens/zsm/overleg/gremia/{other.pk}/").status_code == 404
    assert client_for(world.viewer).get(page(other)).status_code == 404


# --- sections of other parts --------------------------------------------------------------------


def test_it_renders_the_sections_other_parts_register_whose_template_exists(world: World, client_for):
    body = body_of(world)
    saved = dict(_sections)
    try:
        register_body_section(
            BodySection(
                "test-present",
                "governance/bodies/_body_table.html",
                5,
                lambda request, b: {"bodies": [b], "caption": f"Section for {b.name}"},
            )
        )
        register_body_section(BodySection("test-absent", "governance/nothing/_here.html", 6))
        response = client_for(world.viewer).get(page(body))
    finally:
        _sections.clear()
        _sections.update(saved)
    assert response.status_code == 200
    assert "Section for Stuurgroep ZSM" in response.text


# --- setting up a body --------------------------------------------------------------------------


def a_body(**overrides) -> dict:
    data = {
        "name": "ZSM-locatieoverleg",
        "level": BodyLevel.OPERATIONAL,
        "purpose": "Zaken op locatie afstemmen.",
        "decision_rule": DecisionRule.CONSENT,
        "majority_percent": "67",
        "quorum_percent": "50",
        "escalates_to": "",
        "response_days": "3",
        "meeting_minutes": "90",
    }
    data.update(overrides)
    return data


def test_it_sets_up_a_body(world: World, client_for):
    steering = body_of(world)
    response = client_for(world.manager).post("/ketens/zsm/overleg/gremia/nieuw/", a_body(escalates_to=steering.pk))
    body = Body.objects.get(name="ZSM-locatieoverleg")
    assert response.status_code == 302 and response["Location"] == page(body)
    assert (body.chain, body.level, body.escalates_to, body.meeting_minutes, body.is_active) == (
        world.chain,
        BodyLevel.OPERATIONAL,
        steering,
        90,
        True,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "Stuurgroep ZSM"}, "name", "The chain already has a body with this name."),
        ({"name": ""}, "name", "This field is required."),
        ({"level": "galactic"}, "level", "Select a valid choice."),
        ({"majority_percent": "50"}, "majority_percent", "greater than or equal to 51"),
        ({"quorum_percent": "101"}, "quorum_percent", "less than or equal to 100"),
        ({"meeting_minutes": "5"}, "meeting_minutes", "greater than or equal to 15"),
        ({"meeting_minutes": "zestig"}, "meeting_minutes", "Enter a whole number."),
        ({"response_days": "0"}, "response_days", "greater than or equal to 1"),
        ({"response_days": "-2"}, "response_days", "greater than or equal to"),
        ({"purpose": "a\x00b"}, "purpose", ""),
    ],
)
def test_it_refuses_a_bad_body_at_the_field_and_saves_nothing(world: World, client_for, overrides, field, message):
    body_of(world)
    response = client_for(world.manager).post("/ketens/zsm/overleg/gremia/nieuw/", a_body(**overrides))
    assert response.status_code == 422
    assert message in error_at(response, field)
    assert Body.objects.count() == 1


def test_it_refuses_to_escalate_to_a_body_on_the_same_or_a_lower_level(world: World, client_for):
    operational = body_of(world, "Locatieoverleg", level=BodyLevel.OPERATIONAL)
    response = client_for(world.manager).post(
        "/ketens/zsm/overleg/gremia/nieuw/", a_body(name="Ander overleg", escalates_to=operational.pk)
    )
    assert response.status_code == 422
    assert "A body escalates to a body on a higher level" in error_at(response, "escalates_to")


def test_it_refuses_to_escalate_to_another_chains_body(world: World, client_for):
    other = Body.objects.create(chain=world.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    response = client_for(world.manager).post("/ketens/zsm/overleg/gremia/nieuw/", a_body(escalates_to=other.pk))
    assert response.status_code == 422
    assert "Choose an active body of this chain." in error_at(response, "escalates_to")
    options = response.text.split('name="escalates_to"')[1].split("</select>")[0]
    assert "Stuurgroep Jeugd" not in options


def test_it_refuses_a_body_that_escalates_to_itself(world: World, client_for):
    body = body_of(world, level=BodyLevel.TACTICAL)
    client = client_for(world.manager)
    data = edit_data(client, body, escalates_to=body.pk)
    response = client.post(f"{page(body)}bewerken/", data)
    assert response.status_code == 422
    assert "Choose an active body of this chain." in error_at(response, "escalates_to")


def test_it_edits_a_body_and_refuses_to_overwrite_a_change_made_meanwhile(world: World, client_for):
    body = body_of(world, purpose="Kaders stellen.")
    anna, bart = client_for(world.manager), client_for(world.admin)
    anna_data = edit_data(anna, body, purpose="Kaders stellen en bewaken.")
    bart_data = edit_data(bart, body, purpose="Iets anders.")
    assert anna.post(f"{page(body)}bewerken/", anna_data).status_code == 302
    response = bart.post(f"{page(body)}bewerken/", bart_data)
    assert response.status_code == 422
    assert "Someone else changed this while you were editing" in response.text
    assert "Kaders stellen en bewaken." in response.text.split('id="conflict-heading"')[1]
    body.refresh_from_db()
    assert body.purpose == "Kaders stellen en bewaken."


def test_it_reactivates_a_body_through_its_edit_form(world: World, client_for):
    body = body_of(world, is_active=False)
    client = client_for(world.manager)
    data = edit_data(client, body)
    data["is_active"] = "on"
    assert client.post(f"{page(body)}bewerken/", data).status_code == 302
    body.refresh_from_db()
    assert body.is_active


def test_it_deactivates_a_body_saying_what_points_at_it(world: World, client_for):
    steering = body_of(world)
    tactical = body_of(world, "Tactisch ketenoverleg", level=BodyLevel.TACTICAL, escalates_to=steering)
    start = timezone.now() + timedelta(days=5)
    Meeting.objects.create(body=steering, starts_at=start, ends_at=start + timedelta(hours=1))
    client = client_for(world.manager)
    html = client.get(f"{page(steering)}deactiveren/").text
    assert "1 planned meeting is not cancelled by this" in html
    assert f"/overleg/gremia/{tactical.pk}/bewerken/" in html
    response = client.post(f"{page(steering)}deactiveren/")
    assert response.status_code == 302
    steering.refresh_from_db()
    assert not steering.is_active
    assert "Deactivate" not in client.get(page(steering)).text.split('id="members-heading"')[0].split("</h1>")[1]
    assert "no longer active" in client.get(f"{page(steering)}deactiveren/").text


def test_it_answers_an_htmx_post_with_errors_with_the_form_alone(world: World, client_for):
    response = client_for(world.manager).post(
        "/ketens/zsm/overleg/gremia/nieuw/", a_body(name=""), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form") and "<html" not in response.text


def test_it_lets_only_programme_managers_change_bodies(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a)
    for person in (world.viewer, world.contributor_a, world.lead_a):
        client = client_for(person)
        assert client.post("/ketens/zsm/overleg/gremia/nieuw/", a_body()).status_code == 403
        assert client.post(member_url(body), a_seat(world, person=world.contributor_a.pk)).status_code == 403
        assert client.post(f"/ketens/zsm/overleg/gremia/leden/{member.pk}/verwijderen/").status_code == 403
        assert client.post(f"{page(body)}deactiveren/").status_code == 403
    assert Body.objects.count() == 1 and BodyMember.objects.count() == 1
    body.refresh_from_db()
    assert body.is_active


def test_it_links_to_the_bodys_meetings_decisions_and_actions(world: World, client_for):
    body = body_of(world)
    links = client_for(world.viewer).get(page(body)).text.split('id="body-links-heading"')[1].split("</nav>")[0]
    assert f"/overleg/gremia/{body.pk}/vergaderingen/" in links
    assert f"/overleg/besluiten/?gremium={body.pk}" in links
    assert f"/overleg/gremia/{body.pk}/actiepunten/" in links


def test_it_answers_the_list_in_the_same_number_of_queries_however_many_bodies(world: World, client_for):
    client = client_for(world.viewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ketens/zsm/overleg/gremia/").status_code == 200
        return len(without_session_reads(captured.captured_queries))

    steering = body_of(world)
    seat(steering, world.lead_a, world.partner_a)
    start = timezone.now() + timedelta(days=2)
    Meeting.objects.create(body=steering, starts_at=start, ends_at=start + timedelta(hours=1))
    client.get("/ketens/zsm/overleg/gremia/")
    few = count()
    for n in range(6):
        body = body_of(world, f"Overleg {n}", level=BodyLevel.OPERATIONAL, escalates_to=steering, is_active=n % 2 == 0)
        seat(body, world.lead_b, world.partner_b)
        Meeting.objects.create(body=body, starts_at=start, ends_at=start + timedelta(hours=1))
    assert count() == few <= 12
