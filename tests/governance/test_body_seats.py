"""Seats in a body: giving, editing and removing them, and what the forms refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import policy
from governance.models import (
    Attendance,
    AttendanceStatus,
    Body,
    BodyLevel,
    BodyMember,
    Meeting,
    MeetingStatus,
    MemberPosition,
    MinutesLockedError,
)
from governance.services import attendance
from governance.services import meetings as meetings_service
from governance.services.representation import representation_of
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory, PersonFactory
from tests.governance.body_fixtures import a_seat, body_of, edit_data, error_at, member_url, page, seat, vote


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


# --- seats --------------------------------------------------------------------------------------


def test_it_gives_someone_a_seat(world: World, client_for):
    body = body_of(world)
    response = client_for(world.manager).post(member_url(body), a_seat(world, alternate=world.contributor_a.pk))
    assert response.status_code == 302
    member = BodyMember.objects.get(body=body)
    assert (member.person, member.partnership, member.position, member.alternate) == (
        world.lead_a,
        world.partner_a,
        MemberPosition.CHAIR,
        world.contributor_a,
    )


def test_it_gives_a_secretary_without_an_organisation_a_seat_for_no_partner(world: World, client_for):
    body = body_of(world)
    data = a_seat(world, person=world.viewer.pk, partnership="", position=MemberPosition.SECRETARY)
    assert client_for(world.manager).post(member_url(body), data).status_code == 302
    assert BodyMember.objects.get(body=body).partnership is None


def test_it_offers_only_people_and_partners_of_this_chain(world: World, client_for):
    body = body_of(world)
    PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Oud-partner"), left_on=timezone.localdate()
    )
    html = client_for(world.manager).get(member_url(body)).text
    people = html.split('name="person"')[1].split("</select>")[0]
    partners = html.split('name="partnership"')[1].split("</select>")[0]
    assert "Lead-A (Politie)" in people and "Lead-B (Openbaar Ministerie)" in people
    assert "Outsider" not in people  # a member of the other chain only
    assert "Politie" in partners and "Openbaar Ministerie" in partners
    assert "Gemeente Groningen" not in partners  # the other chain's partner
    # A partner leaving today is still a partner today; one that left is not offered.
    assert "Oud-partner" in partners


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        # Someone of another organisation for the police.
        (lambda w: {"person": w.lead_b.pk}, "person", "Only someone from Politie can represent it."),
        # The alternate of another organisation.
        (lambda w: {"alternate": w.lead_b.pk}, "alternate", "The alternate must also be from Politie."),
        (lambda w: {"alternate": w.lead_a.pk}, "alternate", "A member cannot be their own alternate."),
        # A partner of another chain, and someone of another chain.
        (lambda w: {"partnership": w.partner_c.pk}, "partnership", "Choose a current partner of this chain."),
        (lambda w: {"person": w.outsider.pk}, "person", "Choose someone with a role in this chain"),
        (lambda w: {"alternate": w.outsider.pk}, "alternate", "Choose someone with a role in this chain"),
        # A chair speaks for a partner.
        (lambda w: {"partnership": ""}, "partnership", "A chair, vice-chair or member represents a partner"),
        # Forged values.
        (lambda w: {"person": "999999"}, "person", "Choose someone with a role in this chain"),
        (lambda w: {"position": "king"}, "position", "Select a valid choice."),
        (lambda w: {"person": ""}, "person", "This field is required."),
    ],
)
def test_it_refuses_a_bad_seat_at_the_field_and_saves_nothing(world: World, client_for, overrides, field, message):
    body = body_of(world)
    response = client_for(world.manager).post(member_url(body), a_seat(world, **overrides(world)))
    assert response.status_code == 422
    assert message in error_at(response, field)
    assert not BodyMember.objects.exists()


def test_it_refuses_someone_of_a_partner_organisation_without_a_role_in_the_chain(world: World, client_for):
    body = body_of(world)
    stranger = PersonFactory(full_name="Zonder Rol", organisation=world.org_a)
    response = client_for(world.manager).post(member_url(body), a_seat(world, person=stranger.pk))
    assert response.status_code == 422
    assert "Choose someone with a role in this chain" in error_at(response, "person")


def test_it_refuses_a_second_seat_for_the_same_person(world: World, client_for):
    body = body_of(world)
    seat(body, world.lead_a, world.partner_a)
    response = client_for(world.manager).post(member_url(body), a_seat(world, position=MemberPosition.VICE_CHAIR))
    assert response.status_code == 422
    assert "This person already has a seat in this body." in error_at(response, "person")
    assert BodyMember.objects.count() == 1


def test_it_edits_a_seat_and_refuses_to_overwrite_a_change_made_meanwhile(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a)
    url = f"/ketens/zsm/overleg/gremia/leden/{member.pk}/bewerken/"
    anna, bart = client_for(world.manager), client_for(world.admin)
    anna_data = edit_data(anna, member, position=MemberPosition.CHAIR)
    bart_data = edit_data(bart, member, alternate=world.contributor_a.pk)
    assert anna.post(url, anna_data).status_code == 302
    response = bart.post(url, bart_data)
    assert response.status_code == 422 and "Someone else changed this" in response.text
    member.refresh_from_db()
    assert (member.position, member.alternate) == (MemberPosition.CHAIR, None)
    assert "History" in anna.get(url).text


def approved_minutes_with(member: BodyMember) -> Meeting:
    start = timezone.now() - timedelta(days=10)
    meeting = Meeting.objects.create(
        body=member.body, starts_at=start, ends_at=start + timedelta(hours=2), status=MeetingStatus.HELD
    )
    Attendance.objects.create(meeting=meeting, member=member, status=AttendanceStatus.PRESENT)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.MINUTES_APPROVED)
    return meeting


def test_it_removes_a_seat(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a)
    client = client_for(world.manager)
    url = f"/ketens/zsm/overleg/gremia/leden/{member.pk}/verwijderen/"
    assert "Remove Lead-A from Stuurgroep ZSM" in client.get(url).text
    assert client.post(url).status_code == 302
    assert not BodyMember.objects.exists()
    # The body's history keeps that the seat was there.
    history = client.get(page(body)).text.split('id="history-heading"')[1]
    assert "deleted: seat of Lead-A" in history and "created: seat of Lead-A" in history


def test_it_keeps_the_person_and_partner_of_a_seat_that_approved_minutes_name(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a)
    approved_minutes_with(member)
    client = client_for(world.manager)
    with pytest.raises(MinutesLockedError):
        member.delete()
    # Its person and partner stay; its alternate and position may change.
    url = f"/ketens/zsm/overleg/gremia/leden/{member.pk}/bewerken/"
    response = client.post(url, edit_data(client, member, person=world.contributor_a.pk))
    assert response.status_code == 422
    assert "keeps its person and partner" in error_at(response, "person")
    assert client.post(url, edit_data(client, member, alternate=world.contributor_a.pk)).status_code == 302
    member.refresh_from_db()
    assert (member.person, member.alternate) == (world.lead_a, world.contributor_a)


def test_it_ends_a_seat_that_approved_minutes_name_instead_of_removing_it(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a, position=MemberPosition.CHAIR)
    meeting = approved_minutes_with(member)
    client = client_for(world.manager)
    remove = f"/ketens/zsm/overleg/gremia/leden/{member.pk}/verwijderen/"
    assert "End seat today" in client.get(remove).text
    response = client.post(remove, follow=True)
    assert "has ended today; the minutes of their meetings keep it" in response.text
    member = BodyMember.all_seats.get(pk=member.pk)
    assert member.ended_on == timezone.localdate()
    assert not BodyMember.objects.filter(pk=member.pk).exists()
    # The body page lists it among the former members and flags the partner as unrepresented.
    body_page = client.get(page(body)).text
    assert "Former members" in body_page and "Nobody sits in this body yet." in body_page
    assert world.partner_a in representation_of(body).unrepresented
    # The approved minutes still show who was there.
    assert [line.member for line in attendance.sheet(meeting).lines] == [member]
    # Ending it again changes nothing.
    assert "This seat ended on" in client.get(remove).text
    assert client.post(remove).status_code == 302
    assert BodyMember.all_seats.filter(body=body).count() == 1


def test_an_ended_seat_no_longer_counts_and_the_person_can_get_a_new_one(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a, position=MemberPosition.CHAIR)
    vote(world.lead_a, world.partner_a)
    start = timezone.now() + timedelta(days=7)
    coming = Meeting.objects.create(body=body, starts_at=start, ends_at=start + timedelta(hours=1))
    assert policy.may_run_meetings(world.lead_a, body)
    assert world.lead_a in meetings_service.recipients(coming)
    BodyMember.objects.filter(pk=member.pk).update(ended_on=timezone.localdate())

    fresh = type(world.lead_a).objects.get(pk=world.lead_a.pk)  # the policy caches seats per user object
    assert not policy.may_run_meetings(fresh, body)
    assert "vertegenwoordigt Politie niet" in policy.position_refusal(fresh, body, world.partner_a)
    assert policy.speakers_for(body, world.partner_a) == []
    assert world.lead_a not in meetings_service.recipients(coming)
    assert [line.member for line in attendance.sheet(coming).lines] == []
    assert world.partner_a in representation_of(body).unrepresented

    # Someone who comes back gets a new seat; the old one stays as it was.
    response = client_for(world.manager).post(member_url(body), a_seat(world))
    assert response.status_code == 302
    assert BodyMember.all_seats.filter(body=body, person=world.lead_a).count() == 2
    assert BodyMember.objects.get(body=body, person=world.lead_a).pk != member.pk


def test_a_seat_can_end_on_a_later_day_and_counts_until_then(world: World, client_for):
    body = body_of(world)
    member = seat(body, world.lead_a, world.partner_a)
    client = client_for(world.manager)
    last_day = timezone.localdate() + timedelta(days=30)
    url = f"/ketens/zsm/overleg/gremia/leden/{member.pk}/bewerken/"
    response = client.post(url, edit_data(client, member, ended_on=(last_day + timedelta(days=1)).isoformat()))
    assert response.status_code == 302
    assert BodyMember.objects.filter(pk=member.pk).exists()
    assert "until" in client.get(page(body)).text
    assert not BodyMember.all_seats.current_on(last_day + timedelta(days=1)).filter(pk=member.pk).exists()
    # Until it ends, the person has a seat: a second one is refused at the field.
    response = client.post(member_url(body), a_seat(world))
    assert response.status_code == 422
    assert "already has a seat in this body" in error_at(response, "person")


def test_it_does_not_touch_another_chains_seat(world: World, client_for):
    other = Body.objects.create(chain=world.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    member = seat(other, world.outsider, world.partner_c)
    client = client_for(world.manager)
    assert client.post(f"/ketens/zsm/overleg/gremia/leden/{member.pk}/verwijderen/").status_code == 404
    assert client.get(f"/ketens/zsm/overleg/gremia/leden/{member.pk}/bewerken/").status_code == 404
    assert client.post(f"/ketens/zsm/overleg/gremia/{other.pk}/leden/nieuw/", a_seat(world)).status_code == 404
    assert BodyMember.objects.filter(pk=member.pk).exists() and BodyMember.objects.count() == 1
