"""Attendance of a meeting per member who represents a partner, and whether the quorum is met.

The quorum (Body.quorum_percent) counts partners, not people: a represented partner is at the
table when at least one of its representing members is present or represented by the alternate
(AttendanceStatus.counting). The share is of the partners the body's members represent.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.models import Attendance, AttendanceStatus, BodyMember, Meeting
from governance.services.agenda import lock_meeting
from governance.services.minutes import check_minutes_open


@dataclass
class Line:
    """One representing member and what is recorded for them (``status`` empty: nothing yet)."""

    member: BodyMember
    status: str

    @property
    def status_label(self) -> str:
        return str(AttendanceStatus(self.status).label) if self.status else ""


@dataclass(frozen=True)
class Quorum:
    partners: int  # partners represented in the body
    at_table: int  # of them, present or represented by an alternate
    percent: int
    recorded: bool  # any attendance recorded

    @property
    def needed(self) -> int:
        return math.ceil(self.partners * self.percent / 100)

    @property
    def met(self) -> bool:
        return self.recorded and self.partners > 0 and self.at_table >= self.needed

    @property
    def sentence(self) -> str:
        """Whether the quorum is met, in words."""
        if not self.partners:
            return _("No member of this body represents a partner, so there is no quorum to meet.")
        numbers = {"at": self.at_table, "partners": self.partners, "needed": self.needed, "percent": self.percent}
        if not self.recorded:
            return (
                ngettext(
                    "Attendance has not been recorded yet. The quorum is %(percent)s%% of the %(partners)s represented "
                    "partner: %(needed)s must be present or represented.",
                    "Attendance has not been recorded yet. The quorum is %(percent)s%% of the %(partners)s represented "
                    "partners: %(needed)s must be present or represented.",
                    self.partners,
                )
                % numbers
            )
        if self.met:
            return (
                ngettext(
                    "The quorum is met: %(at)s of the %(partners)s represented partner is present or represented "
                    "(needed: %(needed)s, %(percent)s%%).",
                    "The quorum is met: %(at)s of the %(partners)s represented partners are present or represented "
                    "(needed: %(needed)s, %(percent)s%%).",
                    self.partners,
                )
                % numbers
            )
        return (
            ngettext(
                "The quorum is not met: %(at)s of the %(partners)s represented partner is present or represented "
                "(needed: %(needed)s, %(percent)s%%).",
                "The quorum is not met: %(at)s of the %(partners)s represented partners are present or represented "
                "(needed: %(needed)s, %(percent)s%%).",
                self.partners,
            )
            % numbers
        )


@dataclass
class Sheet:
    lines: list[Line]
    quorum: Quorum
    token: str  # the recorded attendance as it is now (the form's version token)


def representing_members(meeting: Meeting):
    """The body's members who represent a partner, each with what is recorded for them at the
    meeting (``recorded_status``, None if nothing), in one query."""
    recorded = Attendance.objects.filter(meeting=meeting, member=OuterRef("pk")).values("status")[:1]
    return (
        seats_of(meeting)
        .representing()
        .select_related("person", "alternate", "partnership__organisation")
        .annotate(recorded_status=Subquery(recorded))
        .order_by("partnership__organisation__name", "person__full_name")
    )


def seats_of(meeting: Meeting):
    """The body's seats as they were on the meeting's day — a seat that ended since still counts
    for the meetings before — and any seat with attendance recorded at it."""
    day = timezone.localtime(meeting.starts_at).date()
    attended = Attendance.objects.filter(meeting=meeting).values("member_id")
    return BodyMember.all_seats.filter(body=meeting.body_id).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day) | Q(pk__in=attended)
    )


def token_of(statuses: dict[int, str]) -> str:
    """A hash of the attendance recorded for the representing members: it changes whenever anyone
    records or changes a line."""
    text = ";".join(f"{member}={status}" for member, status in sorted(statuses.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def recorded(meeting: Meeting) -> dict[int, str]:
    """Member id → status, for the representing members with attendance recorded."""
    rows = Attendance.objects.filter(meeting=meeting, member__in=seats_of(meeting).representing())
    return dict(rows.values_list("member_id", "status"))


def sheet(meeting: Meeting) -> Sheet:
    """The representing members with their attendance, and the quorum (one query)."""
    lines = [Line(member, member.recorded_status or "") for member in representing_members(meeting)]
    statuses = {line.member.pk: line.status for line in lines if line.status}
    return Sheet(lines, quorum_of(meeting, lines), token_of(statuses))


def quorum_of(meeting: Meeting, lines: list[Line]) -> Quorum:
    partners = {line.member.partnership_id for line in lines}
    counting = AttendanceStatus.counting()
    at_table = {line.member.partnership_id for line in lines if line.status in counting}
    return Quorum(
        partners=len(partners),
        at_table=len(at_table),
        percent=meeting.body.quorum_percent,
        recorded=any(line.status for line in lines),
    )


class AttendanceChanged(Exception):
    """Someone else recorded attendance since the form was loaded; ``current`` is what is saved now."""

    def __init__(self, current: dict[int, str]):
        super().__init__("attendance changed")
        self.current = current


def record(meeting: Meeting, statuses: dict[int, str], token: str) -> None:
    """Save the attendance of the members in ``statuses`` (an empty status removes the line),
    unless it changed since ``token`` was read (AttendanceChanged: nothing is saved)."""
    with transaction.atomic():
        meeting = lock_meeting(meeting)
        check_minutes_open(meeting)
        rows = {row.member_id: row for row in Attendance.objects.filter(meeting=meeting)}
        current = recorded(meeting)
        if token_of(current) != token:
            raise AttendanceChanged(current)
        for member_id, status in statuses.items():
            row = rows.get(member_id)
            if not status:
                if row is not None:
                    row.delete()
            elif row is None:
                Attendance.objects.create(meeting=meeting, member_id=member_id, status=status)
            elif row.status != status:
                row.status = status
                row.save(update_fields=["status"])
