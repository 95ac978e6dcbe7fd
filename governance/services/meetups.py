"""Relationship events (models/meetups.py): whose turn it is to host, the answers, the .ics file.

The host rotates over the chain's current core partners in alphabetical order, the same order
meetings use (services/meetings.py ``rotation``): the next meetup's host is the partner after the
host of the chain's latest meetup. The programme manager may choose another partner; the turn
then continues after that one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from ketenportaal.links import first_host_name
from stakeholders.models import Chain, Partnership, Person

from ..models.meetups import Meetup, MeetupRsvp, RsvpAnswer
from . import ical
from .meetings import host_after, rotation
from .series import local_zone


@dataclass(frozen=True)
class Turns:
    """Whose turn it is to host, and who hosted before (latest first, one entry per meetup)."""

    next_host: Partnership | None
    before: list[Meetup]


def turns(chain: Chain, *, history: int = 10) -> Turns:
    """The next host after the chain's latest meetup, and the latest ``history`` meetups with a host.

    Two queries: the rotation and the history."""
    hosted = list(
        Meetup.objects.filter(chain=chain, host__isnull=False)
        .select_related("host__organisation")
        .order_by("-starts_at", "-pk")[:history]
    )
    latest = hosted[0].host if hosted else None
    return Turns(next_host=host_after(rotation(chain.pk), latest), before=hosted)


def with_counts(meetups):
    """The meetups with ``yes``, ``maybe`` and ``no`` counted (one query for all)."""
    return meetups.annotate(
        yes=Count("rsvps", filter=Q(rsvps__answer=RsvpAnswer.YES)),
        maybe=Count("rsvps", filter=Q(rsvps__answer=RsvpAnswer.MAYBE)),
        no=Count("rsvps", filter=Q(rsvps__answer=RsvpAnswer.NO)),
    )


def answer_of(meetup: Meetup, person) -> str:
    """The person's answer to the meetup, or "" when they gave none."""
    if not person.is_authenticated:
        return ""
    return MeetupRsvp.objects.filter(meetup=meetup, person=person).values_list("answer", flat=True).first() or ""


def answer(meetup: Meetup, person: Person, value: str) -> MeetupRsvp:
    """Record (or change) the person's answer. Two submits at once both land on the one row."""
    try:
        with transaction.atomic():
            rsvp, _created = MeetupRsvp.objects.update_or_create(
                meetup=meetup, person=person, defaults={"answer": value}
            )
    except IntegrityError:  # the other submit created the row first: change it
        rsvp = MeetupRsvp.objects.get(meetup=meetup, person=person)
        rsvp.answer = value
        rsvp.save(update_fields=["answer", "answered_at"])
    return rsvp


def attendees(meetup: Meetup) -> dict[str, list[MeetupRsvp]]:
    """Who answered what, by answer, names sorted (one query)."""
    found: dict[str, list[MeetupRsvp]] = {value: [] for value in RsvpAnswer.values}
    for rsvp in (
        MeetupRsvp.objects.filter(meetup=meetup)
        .select_related("person__organisation")
        .order_by("person__full_name", "person__email", "pk")
    ):
        found[rsvp.answer].append(rsvp)
    return found


def uid(meetup: Meetup) -> str:
    """The meetup's iCalendar UID, the same in every download."""
    return f"meetup-{meetup.pk}@{first_host_name() or 'ketenportaal.invalid'}"


def ics_file(meetup: Meetup, page_url: str) -> bytes:
    """The meetup as an .ics download (METHOD:PUBLISH), with the meetings' VTIMEZONE so the time is
    the Amsterdam time in summer and winter (services/ical.py)."""
    event = Event()
    event.add("uid", uid(meetup))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meetup.starts_at, local_zone()))
    event.add("dtend", timezone.localtime(meetup.ends_at, local_zone()))
    event.add("summary", meetup.title)
    event.add("location", meetup.place)
    lines = [meetup.chain.name, meetup.get_kind_display()]
    if meetup.host_id:
        lines.append(_("Host: %(host)s") % {"host": meetup.host.organisation.name})
    if meetup.description:
        lines.append(meetup.description)
    lines.append(page_url)
    event.add("description", "\n".join(str(line) for line in lines))
    event.add("url", page_url)
    event.add("status", "CONFIRMED")
    year = timezone.localtime(meetup.starts_at, local_zone()).year
    return ical._calendar([ical._vtimezone(year, year), event.to_ical()], method="PUBLISH")


def story_initial(meetup: Meetup) -> dict[str, str]:
    """The title and body offered to the success-story form (as GET parameters) from a report."""
    when = timezone.localtime(meetup.starts_at).strftime("%d-%m-%Y")
    host = meetup.host.organisation.name if meetup.host_id else ""
    intro = _("%(title)s on %(day)s") % {"title": meetup.title, "day": when}
    if host:
        intro += ", " + _("hosted by %(host)s") % {"host": host}
    return {"title": meetup.title, "body": f"{intro}.\n\n{meetup.report}".strip()}
