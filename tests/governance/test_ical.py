"""Meetings as iCalendar (governance/services/ical.py, governance/views/calendar.py): escaping and
folding read back by a parser, the time zone, the .ics download, and a person's calendar feed with
its renewable secret address."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Body, BodyLevel, BodyMember, CalendarFeed, MeetingStatus, MemberPosition
from governance.services import calendar_feeds, ical
from tests.factories import MembershipFactory
from tests.governance.meeting_fixtures import a_meeting, build_seats

AMS = ZoneInfo("Europe/Amsterdam")
TRICKY_NAME = "Overleg regio Noord, Zuid; en Oost\\West — Zoë’s ‘Ærø’ 日本語"
TRICKY_PLACE = "Stadhuis, zaal 2; ingang Grote Markt\nBel aan bij de balie ✆"


@pytest.fixture
def seats(world):
    return build_seats(world, name=TRICKY_NAME)


def events_of(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_commas_semicolons_newlines_and_other_scripts_survive_escaping_and_folding(world, seats):
    meeting = a_meeting(seats.body, datetime(2026, 7, 1, 10, tzinfo=AMS), place=TRICKY_PLACE, host=world.partner_a)
    data = ical.meeting_file(meeting, "https://portal.example.nl/ketens/zsm/overleg/vergaderingen/1/")

    # Written by the library by RFC 5545: escaped, folded at 75 octets, CRLF line ends, UTF-8.
    text = data.decode("utf-8")
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert r"SUMMARY:Overleg regio Noord\, Zuid\; en Oost\\West — Zoë’s ‘Ærø’ 日本語" in unfolded
    assert r"LOCATION:Stadhuis\, zaal 2\; ingang Grote Markt\nBel aan bij de balie ✆" in unfolded
    assert any(line.startswith(" ") for line in text.split("\r\n"))  # something long was folded

    # Read back, every value is what was put in.
    (event,) = events_of(data)
    assert str(event["SUMMARY"]) == TRICKY_NAME
    assert str(event["LOCATION"]) == TRICKY_PLACE
    description = str(event["DESCRIPTION"])
    assert "ZSM" in description and "Politie" in description and TRICKY_PLACE in description


def test_times_keep_their_amsterdam_wall_clock_in_summer_and_winter(seats):
    summer = a_meeting(seats.body, datetime(2026, 7, 1, 10, tzinfo=AMS))
    winter = a_meeting(seats.body, datetime(2026, 12, 1, 10, tzinfo=AMS))
    for meeting, offset in ((summer, 2), (winter, 1)):
        data = ical.meeting_file(meeting, "https://portal.example.nl/")
        assert b"DTSTART;TZID=Europe/Amsterdam:" in data
        calendar = icalendar.Calendar.from_ical(data)
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
        (event,) = calendar.walk("VEVENT")
        start = event.decoded("DTSTART")
        assert (start.hour, start.utcoffset()) == (10, timedelta(hours=offset))
        assert event.decoded("DTEND") - start == timedelta(hours=2)
        assert str(event["UID"]) == ical.uid(meeting) and int(event["SEQUENCE"]) == 0


def test_an_invitation_asks_and_a_cancellation_cancels_the_same_event(world, seats):
    meeting = a_meeting(seats.body, status=MeetingStatus.ANNOUNCED)
    invitation = icalendar.Calendar.from_ical(ical.invitation_file(meeting, "https://x/", world.lead_a))
    assert str(invitation["METHOD"]) == "REQUEST"
    (event,) = invitation.walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:lead-a@example.nl" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]).startswith("mailto:")

    meeting.status, meeting.sequence = MeetingStatus.CANCELLED, 1
    cancellation = icalendar.Calendar.from_ical(ical.invitation_file(meeting, "https://x/", world.lead_a, cancel=True))
    assert str(cancellation["METHOD"]) == "CANCEL"
    (cancelled,) = cancellation.walk("VEVENT")
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    assert str(cancelled["UID"]) == str(event["UID"])


def test_the_download_is_an_ics_file_for_every_member_of_the_chain(client_for, world, seats):
    meeting = a_meeting(seats.body, datetime(2026, 10, 27, 9, 30, tzinfo=AMS))
    url = reverse("governance:meeting_ics", args=["zsm", meeting.pk])
    response = client_for(world.viewer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"].startswith('attachment; filename="vergadering-')
        and ".ics" in response["Content-Disposition"]
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert str(event["URL"]).endswith(meeting.get_absolute_url())
    assert client_for(world.outsider).get(url).status_code == 404


# --- The personal feed -------------------------------------------------------------------------------


def feed_page(slug: str = "zsm") -> str:
    return reverse("governance:calendar_feed", args=[slug])


def make_address(client) -> str:
    response = client.post(feed_page())
    assert response.status_code == 200
    address = response.context["address"]
    assert address["webcal"].startswith("webcal://") and address["https"].endswith(".ics")
    assert address["webcal"].split("://", 1)[1] == address["https"].split("://", 1)[1]
    return address["https"].split("://", 1)[1].split("/", 1)[1]  # the path


def test_the_feed_holds_every_meeting_of_every_body_the_person_sits_in(client, client_for, world, seats):
    # Contributor A is the alternate in the steering group, and a member of a second body.
    second = Body.objects.create(chain=world.chain, name="Tactisch overleg", level=BodyLevel.TACTICAL)
    BodyMember.objects.create(body=second, person=world.contributor_a, partnership=world.partner_a)
    elsewhere = Body.objects.create(chain=world.chain, name="Operationeel overleg", level=BodyLevel.OPERATIONAL)
    start = timezone.now() + timedelta(days=3)
    mine = [
        a_meeting(seats.body, start),
        a_meeting(seats.body, start + timedelta(days=30), status=MeetingStatus.CANCELLED),
        a_meeting(second, start + timedelta(days=1)),
    ]
    not_mine = a_meeting(elsewhere, start)

    path = "/" + make_address(client_for(world.contributor_a))
    response = client.get(path)  # a calendar application: not signed in

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "Contributor" in str(calendar["X-WR-CALNAME"])
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {ical.uid(m) for m in mine}
    assert ical.uid(not_mine) not in events
    assert str(events[ical.uid(mine[1])]["STATUS"]) == "CANCELLED"
    assert str(events[ical.uid(mine[0])]["STATUS"]) == "TENTATIVE"  # a draft


def test_the_feed_leaves_out_chains_the_person_is_no_longer_a_member_of(client, client_for, world, seats):
    other_body = Body.objects.create(chain=world.other_chain, name="Jeugd", level=BodyLevel.STRATEGIC)
    BodyMember.objects.create(body=other_body, person=world.lead_a, position=MemberPosition.ADVISOR)
    a_meeting(other_body)
    ours = a_meeting(seats.body)
    path = "/" + make_address(client_for(world.lead_a))
    uids = {str(e["UID"]) for e in events_of(client.get(path).content)}
    assert uids == {ical.uid(ours)}  # lead A sits in the other chain's body, but is no member of that chain
    MembershipFactory(person=world.lead_a, chain=world.other_chain)
    assert len(events_of(client.get(path).content)) == 2


def test_renewing_the_address_makes_the_old_one_404(client, client_for, world, seats):
    person = client_for(world.lead_b)
    old = "/" + make_address(person)
    assert client.get(old).status_code == 200
    page = person.get(feed_page())
    assert page.context["address"] is None and page.context["feed"] is not None  # not shown again
    new = "/" + make_address(person)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert CalendarFeed.objects.filter(person=world.lead_b).count() == 1
    # Only the hash is kept.
    token = new.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get(person=world.lead_b).token_hash == calendar_feeds.token_hash(token) != token


@pytest.mark.parametrize("token", ["unknown-token", "x" * 200, "a"])
def test_an_unknown_token_is_not_found(client, world, seats, token):
    calendar_feeds.renew(world.lead_a)
    assert client.get(reverse("governance-feed:calendar_feed_ics", args=[token])).status_code == 404


def test_a_deactivated_persons_feed_is_not_found(client, world, seats):
    token = calendar_feeds.renew(world.lead_a)
    url = reverse("governance-feed:calendar_feed_ics", args=[token])
    assert client.get(url).status_code == 200
    world.lead_a.is_active = False
    world.lead_a.save()
    assert client.get(url).status_code == 404


def test_the_feed_costs_the_same_queries_however_many_meetings(client, world, seats, max_page_queries):
    token = calendar_feeds.renew(world.lead_a)
    url = reverse("governance-feed:calendar_feed_ics", args=[token])
    a_meeting(seats.body, host=world.partner_a)
    # The feed and its person, the meetings; the request's savepoint and its release.
    with max_page_queries(4) as one:
        client.get(url)
    second = Body.objects.create(chain=world.chain, name="Tweede", level=BodyLevel.TACTICAL)
    BodyMember.objects.create(body=second, person=world.lead_a, partnership=world.partner_a)
    start = timezone.now()
    for week in range(40):
        a_meeting(seats.body if week % 2 else second, start + timedelta(weeks=week), host=world.partner_b)
    with max_page_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(events_of(response.content)) == 41


def test_the_feed_page_is_for_every_member_of_the_chain(client_for, world):
    assert client_for(world.viewer).get(feed_page()).status_code == 200
    assert client_for(world.outsider).get(feed_page()).status_code == 404
    assert client_for(world.outsider).get(feed_page("jeugd")).status_code == 200


def test_the_feed_keeps_written_events_and_shows_every_change_at_once(client, world, seats):
    meeting = a_meeting(seats.body, host=world.partner_a)
    url = reverse("governance-feed:calendar_feed_ics", args=[calendar_feeds.renew(world.lead_a)])
    (first,) = events_of(client.get(url).content)
    (again,) = events_of(client.get(url).content)
    assert again.to_ical() == first.to_ical()  # the event as written before, DTSTAMP and all

    meeting.place, meeting.sequence = "Paleis van Justitie; zaal 1", 1
    meeting.save()
    (changed,) = events_of(client.get(url).content)
    assert str(changed["LOCATION"]) == "Paleis van Justitie; zaal 1" and int(changed["SEQUENCE"]) == 1
    world.partner_a.organisation.name = "Nationale Politie"
    world.partner_a.organisation.save()
    (renamed,) = events_of(client.get(url).content)
    assert "Nationale Politie" in str(renamed["DESCRIPTION"])
