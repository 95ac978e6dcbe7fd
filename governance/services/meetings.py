"""Planning meetings and taking them through their states: one meeting or a series, the host
rotation, moving one meeting, announcing, holding and cancelling.

States: draft → announced → held (the agenda's part then takes the minutes to *approved*); a draft
or announced meeting can be cancelled. A meeting that has begun can be marked held, also straight
from draft (a meeting that was never announced through the portal). Announcing notifies every
member and alternate of the body in the portal and e-mails each one the invitation with an
iCalendar file (governance/services/notices.py, through the task in governance/tasks.py, after the
transaction commits). A change of time or place after announcing raises ``Meeting.sequence`` (the
iCalendar SEQUENCE) and sends a change notice; cancelling an announced meeting sends a
cancellation. Each step locks the meeting's row, so two people pressing the same button at once
take the step once; the second gets a ``MeetingRefused`` that says why.

The host rotates over the chain's current core partners in alphabetical order, continuing after
the host of the body's previous meeting (cancelled meetings hosted nothing and are skipped); a
series continues the rotation from its first meeting's host to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from stakeholders.models import Partnership, Person
from stakeholders.notify import notify

from ..models import Body, BodyMember, Meeting, MeetingNotice, MeetingSeries, MeetingStatus, NoticeStatus
from . import series as series_rules


class MeetingRefused(Exception):
    """A step the meeting's state does not allow; ``message`` says why, for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- The host rotation ------------------------------------------------------------------------


def rotation(chain_id: int) -> list[Partnership]:
    """The chain's current core partners, alphabetically: the order hosts take turns in."""
    return list(
        Partnership.objects.current()
        .bound()
        .filter(chain_id=chain_id)
        .select_related("organisation")
        .order_by(Lower("organisation__name"), "pk")
    )


def host_after(turns: list[Partnership], host: Partnership | None) -> Partnership | None:
    """Whose turn it is after ``host``: the next in ``turns`` (round again after the last). A host
    outside the rotation (a partner that left, or no core partner) is followed by the first partner
    whose name comes after its name."""
    if not turns:
        return None
    if host is None:
        return turns[0]
    ids = [p.pk for p in turns]
    if host.pk in ids:
        return turns[(ids.index(host.pk) + 1) % len(turns)]
    name = host.organisation.name.casefold()
    return next((p for p in turns if p.organisation.name.casefold() > name), turns[0])


def previous_host(body: Body, before: datetime | None) -> Partnership | None:
    """The host of the body's last meeting before ``before`` (None: of all) that was not cancelled."""
    previous = (
        Meeting.objects.filter(body=body, host__isnull=False)
        .filter(**({"starts_at__lt": before} if before is not None else {}))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("host__organisation")
        .order_by("-starts_at")
        .first()
    )
    return previous.host if previous else None


def next_host(body: Body, before: datetime | None = None) -> Partnership | None:
    """The partner whose turn it is to host a meeting of ``body`` at ``before`` (None: after the
    body's last meeting, as when the next one is planned)."""
    return host_after(rotation(body.chain_id), previous_host(body, before))


# --- Planning ---------------------------------------------------------------------------------


@dataclass
class MeetingPlan:
    """What the planning form gives: one meeting (``frequency`` empty) or the first of a series."""

    body: Body
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_link: str = ""
    host: Partnership | None = None
    frequency: str = ""
    interval: int = 1
    until: date | None = None
    count: int | None = None


@dataclass
class Planned:
    meetings: list[Meeting]
    series: MeetingSeries | None = None
    capped: bool = False  # the series would have had more than series.MAX_MEETINGS meetings
    hosts: list[Partnership | None] = field(default_factory=list)


def plan(wanted: MeetingPlan, by: Person) -> Planned:
    """Create the meeting, or the series and each of its meetings, as drafts (one transaction).

    ValueError from the series' rule (no end, past the portal's years) is the form's to prevent."""
    length = wanted.ends_at - wanted.starts_at
    with transaction.atomic():
        if not wanted.frequency:
            starts = [wanted.starts_at]
            series, capped = None, False
        else:
            found = series_rules.occurrences(
                wanted.frequency, wanted.interval, wanted.starts_at, until=wanted.until, count=wanted.count
            )
            starts, capped = found.starts, found.capped
            series = MeetingSeries.objects.create(
                body=wanted.body,
                frequency=wanted.frequency,
                interval=wanted.interval,
                first_start=wanted.starts_at,
                duration_minutes=int(length.total_seconds() // 60),
                until=None if capped else wanted.until,
                count=series_rules.MAX_MEETINGS if capped else wanted.count,
                rrule=found.rrule_text,
                created_by=by,
            )
        turns = rotation(wanted.body.chain_id)
        host = wanted.host
        meetings, hosts = [], []
        for start in starts:
            meeting = Meeting(
                body=wanted.body,
                series=series,
                starts_at=start,
                # The length in wall-clock terms: a meeting across a change of the clocks (at night)
                # keeps its local end time.
                ends_at=series_rules.aware(series_rules.wall_clock(start) + length),
                place=wanted.place,
                online_link=wanted.online_link,
                host=host,
            )
            meeting.full_clean()
            meeting.save()
            meetings.append(meeting)
            hosts.append(host)
            host = host_after(turns, host)
    return Planned(meetings=meetings, series=series, capped=capped, hosts=hosts)


# --- Who hears about a meeting ----------------------------------------------------------------


def recipients(meeting: Meeting) -> list[Person]:
    """Every member and alternate of the body (people, active), plus whoever was already mailed
    about this meeting (someone who left the body still has it in their calendar)."""
    seats = BodyMember.objects.filter(body_id=meeting.body_id)
    mailed = MeetingNotice.objects.filter(meeting=meeting, status=NoticeStatus.SENT).values("person_id")
    return list(
        Person.objects.humans()
        .filter(is_active=True)
        .filter(
            Q(pk__in=seats.values("person_id"))
            | Q(pk__in=seats.filter(alternate__isnull=False).values("alternate_id"))
            | Q(pk__in=mailed)
        )
        .order_by("full_name", "pk")
    )


def _when(meeting: Meeting) -> str:
    return date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")


def _send_notices(meeting: Meeting) -> None:
    """Mail the notice the meeting's state now calls for, once the transaction has committed."""
    from ..tasks import send_meeting_notices  # the task module imports this one

    send_meeting_notices.delay_on_commit(meeting.pk)


# --- The states -------------------------------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("body__chain").get(pk=meeting.pk)


def announce(meeting: Meeting, by: Person) -> Meeting:
    """Draft → announced: every member and alternate is notified and e-mailed (once each)."""
    with transaction.atomic():
        locked = _locked(meeting)
        if locked.status != MeetingStatus.DRAFT:
            raise MeetingRefused(
                _("Only a draft meeting can be announced; this one is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        if locked.starts_at <= timezone.now():
            raise MeetingRefused(_("This meeting has already begun; it can no longer be announced."))
        locked.status = MeetingStatus.ANNOUNCED
        locked.announced_at = timezone.now()
        locked.save(update_fields=["status", "announced_at"])
        notify(
            recipients(locked),
            locked.body.chain,
            _("%(body)s meets on %(when)s. The invitation is in your e-mail.")
            % {"body": locked.body.name, "when": _when(locked)},
            locked.get_absolute_url(),
            key=f"meeting-announced:{locked.pk}",
        )
        _send_notices(locked)
    return locked


def hold(meeting: Meeting, by: Person) -> Meeting:
    """Draft or announced → held, once the meeting has begun."""
    with transaction.atomic():
        locked = _locked(meeting)
        if locked.status not in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED):
            raise MeetingRefused(
                _("Only a planned meeting can be marked as held; this one is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        if locked.starts_at > timezone.now():
            raise MeetingRefused(_("This meeting has not begun yet; mark it as held once it has."))
        locked.status = MeetingStatus.HELD
        locked.save(update_fields=["status"])
    return locked


def cancel(meeting: Meeting, by: Person) -> Meeting:
    """Draft or announced → cancelled; those who were invited get a cancellation (METHOD:CANCEL)."""
    with transaction.atomic():
        locked = _locked(meeting)
        if locked.status not in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED):
            raise MeetingRefused(
                _("Only a planned meeting can be cancelled; this one is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        announced = locked.status == MeetingStatus.ANNOUNCED
        locked.status = MeetingStatus.CANCELLED
        if announced:
            locked.sequence += 1
        locked.save(update_fields=["status", "sequence"])
        if announced:
            notify(
                recipients(locked),
                locked.body.chain,
                _("The meeting of %(body)s on %(when)s has been cancelled.")
                % {"body": locked.body.name, "when": _when(locked)},
                locked.get_absolute_url(),
                key=f"meeting-cancelled:{locked.pk}",
            )
            _send_notices(locked)
    return locked


CALENDAR_FIELDS = ("starts_at", "ends_at", "place", "online_link")


def save_changes(meeting: Meeting, by: Person) -> Meeting:
    """Save an edited meeting (its new time, place, link or host set on ``meeting``).

    Another time than the series gave it marks it moved. After announcing, a change calendars must
    show (time, place, link) raises the sequence and sends everyone a change notice."""
    with transaction.atomic():
        before = _locked(meeting)
        if before.status not in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED):
            raise MeetingRefused(
                _("Only a planned meeting can be changed; this one is %(status)s.")
                % {"status": before.get_status_display().lower()}
            )
        changed = [name for name in CALENDAR_FIELDS if getattr(before, name) != getattr(meeting, name)]
        meeting.status = before.status
        meeting.sequence = before.sequence
        if meeting.series_id and ({"starts_at", "ends_at"} & set(changed)):
            meeting.moved = True
        announced = before.status == MeetingStatus.ANNOUNCED and changed
        if announced:
            meeting.sequence = before.sequence + 1
        meeting.announced_at = before.announced_at
        meeting.full_clean()
        # Only what an edit changes: the instance was read before the lock, and a step taken
        # meanwhile (announcing) must not be undone by writing its older values back.
        meeting.save(update_fields=[*CALENDAR_FIELDS, "host", "moved", "sequence"])
        if announced:
            notify(
                recipients(meeting),
                before.body.chain,
                _("The meeting of %(body)s has changed: it is now on %(when)s. The new invitation is in your e-mail.")
                % {"body": before.body.name, "when": _when(meeting)},
                meeting.get_absolute_url(),
                key=f"meeting-changed:{meeting.pk}:{meeting.sequence}",
            )
            _send_notices(meeting)
    return meeting
