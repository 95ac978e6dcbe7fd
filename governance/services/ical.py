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

The library writes about 2–3 ms per event (it folds character by character), so a feed of 300
meetings would take most of a second. The feed therefore keeps each event as the library wrote it
in the cache, under a key made of everything the event shows (``_fingerprint``): a meeting that
changes gets a new key, so a cached event is never stale; its DTSTAMP is then the moment it was
written, which for a file without METHOD is what RFC 5545 asks (the last change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
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
def _vtimezone(first_year: int, last_year: int) -> bytes:
    """Europe/Amsterdam's VTIMEZONE for those years, written (the library computes the transitions
    from the tz database; cached, as that takes a while)."""
    return Timezone.from_tzinfo(
        local_zone(), tzid=settings.TIME_ZONE, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    ).to_ical()


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


def _calendar(components: list[bytes], *, method: str = "", name: str = "") -> bytes:
    """A VCALENDAR around components the library wrote (VTIMEZONE, VEVENTs)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("name", name)  # RFC 7986
        cal.add("x-wr-calname", name)  # what most calendar applications read
    head, end = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return b"".join([head, *components, b"END:VCALENDAR", end])


def _with_zone(meetings: list[Meeting], events: list[bytes], **options) -> bytes:
    years = _years(meetings)
    return _calendar([_vtimezone(*years), *events] if years else events, **options)


def _years(meetings: Iterable[Meeting]) -> tuple[int, int] | None:
    years = [timezone.localtime(m.starts_at, local_zone()).year for m in meetings]
    return (min(years), max(years)) if years else None


def meeting_file(meeting: Meeting, page_url: str) -> bytes:
    """The download of one meeting (METHOD:PUBLISH)."""
    return _with_zone([meeting], [event(meeting, page_url).to_ical()], method="PUBLISH")


def invitation_file(meeting: Meeting, page_url: str, attendee: Person, *, cancel: bool = False) -> bytes:
    """The file attached to an announcement or change (METHOD:REQUEST) or cancellation (METHOD:CANCEL)."""
    found = event(meeting, page_url, attendee=attendee, cancelled=cancel)
    return _with_zone([meeting], [found.to_ical()], method="CANCEL" if cancel else "REQUEST")


FEED_EVENT_TTL = 60 * 60 * 24 * 7  # a week: a meeting nobody's feed asks for any more leaves the cache


def _fingerprint(meeting: Meeting, page_url: str, context: str) -> str:
    """The cache key of a feed event: everything it shows (``context``: what is the same for every
    event, the language and the UID's host), so any change makes a new key."""
    shown = "\x1f".join(
        [
            context,
            str(meeting.pk),
            str(meeting.sequence),
            meeting.status,
            meeting.starts_at.isoformat(),
            meeting.ends_at.isoformat(),
            meeting.place,
            meeting.online_link,
            meeting.host.organisation.name if meeting.host_id else "",
            meeting.body.name,
            meeting.body.chain.name,
            page_url,
        ]
    )
    return "governance:feed-event:" + hashlib.blake2b(shown.encode(), digest_size=20).hexdigest()


def feed_file(meetings: list[Meeting], page_url_of: Callable[[Meeting], str], name: str) -> bytes:
    """A person's feed: every meeting given, as one calendar (each event from the cache when the
    library wrote it before)."""
    urls = {meeting.pk: page_url_of(meeting) for meeting in meetings}
    context = f"{get_language()}\x1f{uid(Meeting(pk=0))}"
    keys = {meeting.pk: _fingerprint(meeting, urls[meeting.pk], context) for meeting in meetings}
    cached = cache.get_many(list(keys.values()))
    events, written = [], {}
    for meeting in meetings:
        key = keys[meeting.pk]
        found = cached.get(key)
        if found is None:
            found = written[key] = event(meeting, urls[meeting.pk]).to_ical()
        events.append(found)
    if written:
        cache.set_many(written, timeout=FEED_EVENT_TTL)
    return _with_zone(meetings, events, name=name)
