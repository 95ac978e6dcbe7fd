"""Meetings as iCalendar (RFC 5545), built with the ``icalendar`` library: escaping (commas,
semicolons, backslashes, newlines), folding at 75 octets and UTF-8 are the library's, never ours.

Three uses, one event per meeting:

- the download of one meeting (``METHOD:PUBLISH``);
- the invitation mailed to one person (``METHOD:REQUEST`` with ORGANIZER and that ATTENDEE; a
  cancellation is ``METHOD:CANCEL`` with ``STATUS:CANCELLED``): calendars match it to the earlier
  one by its UID and take it when its SEQUENCE (``Meeting.sequence``) is higher;
- a person's calendar feed (no METHOD): all meetings of their bodies.

Times carry ``TZID=Europe/Amsterdam`` with a VTIMEZONE that covers the years of the meetings in
the file, so a calendar shows 10:00 as 10:00 in summer and in winter. A draft is TENTATIVE, a
cancelled meeting CANCELLED (so a subscribed calendar drops it), every other CONFIRMED.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress

from ketenportaal.links import first_host_name
from stakeholders.models import Person

from ..models import Meeting, MeetingStatus
from .series import local_zone

PRODID = "-//Ketenportaal//Overleg//NL"

STATUS = {
    MeetingStatus.DRAFT: "TENTATIVE",
    MeetingStatus.ANNOUNCED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.MINUTES_APPROVED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def uid(meeting: Meeting) -> str:
    """The meeting's iCalendar UID: the same in every file, mail and feed, whatever host the
    request came in on, so calendars recognise a change or a cancellation as the same event."""
    return f"meeting-{meeting.pk}@{first_host_name() or 'ketenportaal.invalid'}"


@lru_cache(maxsize=32)
def _vtimezone(first_year: int, last_year: int) -> Timezone:
    """Europe/Amsterdam's VTIMEZONE for those years (the library computes the transitions from
    the tz database; cached, as that takes a while)."""
    return Timezone.from_tzinfo(
        local_zone(), tzid=settings.TIME_ZONE, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = name or "Ketenportaal"
    return organizer


def _description(meeting: Meeting, page_url: str) -> str:
    lines = [meeting.body.chain.name]
    if meeting.host_id:
        lines.append(_("Host: %(host)s") % {"host": meeting.host.organisation.name})
    if meeting.place:
        lines.append(_("Place: %(place)s") % {"place": meeting.place})
    if meeting.online_link:
        lines.append(_("Online: %(link)s") % {"link": meeting.online_link})
    lines.append(_("Agenda and documents: %(url)s") % {"url": page_url})
    return "\n".join(lines)


def event(meeting: Meeting, page_url: str, *, attendee: Person | None = None, cancelled: bool = False) -> Event:
    """The meeting as a VEVENT. ``meeting`` needs its body, chain and host's organisation."""
    found = Event()
    found.add("uid", uid(meeting))
    found.add("dtstamp", timezone.now())
    found.add("dtstart", timezone.localtime(meeting.starts_at, local_zone()))
    found.add("dtend", timezone.localtime(meeting.ends_at, local_zone()))
    found.add("sequence", meeting.sequence)
    found.add("summary", meeting.body.name)
    location = meeting.place or meeting.online_link
    if location:
        found.add("location", location)
    found.add("description", _description(meeting, page_url))
    found.add("url", page_url)
    found.add("status", "CANCELLED" if cancelled else STATUS[meeting.status])
    if attendee is not None:
        found.add("organizer", _organizer())
        person = vCalAddress(f"mailto:{attendee.email}")
        person.params.update({"cn": attendee.full_name or attendee.email, "role": "REQ-PARTICIPANT", "rsvp": "FALSE"})
        found.add("attendee", person)
    return found


def _calendar(events: list[Event], years: tuple[int, int] | None, *, method: str = "", name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("name", name)  # RFC 7986
        cal.add("x-wr-calname", name)  # what most calendar applications read
    if years is not None:
        cal.add_component(_vtimezone(*years))
    for found in events:
        cal.add_component(found)
    return cal.to_ical()


def _years(meetings: Iterable[Meeting]) -> tuple[int, int] | None:
    years = [timezone.localtime(m.starts_at, local_zone()).year for m in meetings]
    return (min(years), max(years)) if years else None


def meeting_file(meeting: Meeting, page_url: str) -> bytes:
    """The download of one meeting (METHOD:PUBLISH)."""
    return _calendar([event(meeting, page_url)], _years([meeting]), method="PUBLISH")


def invitation_file(meeting: Meeting, page_url: str, attendee: Person, *, cancel: bool = False) -> bytes:
    """The file attached to an announcement or change (METHOD:REQUEST) or cancellation (METHOD:CANCEL)."""
    found = event(meeting, page_url, attendee=attendee, cancelled=cancel)
    return _calendar([found], _years([meeting]), method="CANCEL" if cancel else "REQUEST")


def feed_file(meetings: list[Meeting], page_url_of: Callable[[Meeting], str], name: str) -> bytes:
    """A person's feed: every meeting given, as one calendar."""
    return _calendar([event(m, page_url_of(m)) for m in meetings], _years(meetings), name=name)
