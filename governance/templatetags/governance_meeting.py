"""The agenda, attendance and minutes sections of a meeting's page.

The meeting page (views/meetings.py) includes three fragments — templates/governance/meetings/
_agenda.html, _attendance.html and _minutes.html — which read what they show through
``{% meeting_sections meeting as sections %}``: built once per meeting object and request (the
three fragments share it), in a fixed number of queries. The same fragments are what the agenda
views send back to htmx. Templates only hide buttons; the views enforce the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from governance import policy
from governance.models import Meeting, MeetingStatus, MinutesReopening
from governance.services import agenda, attendance, minutes
from governance.services.agenda import Agenda, MeetingClosed
from governance.services.attendance import Sheet

register = template.Library()

# Statuses in which the page shows minutes (an announced meeting's are kept as it runs).
WITH_MINUTES = (MeetingStatus.ANNOUNCED, MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)


@dataclass
class Sections:
    meeting: Meeting
    agenda: Agenda
    sheet: Sheet
    can_run: bool  # may change agenda, attendance and minutes (when the meeting allows it)
    can_approve: bool
    agenda_open: bool
    minutes_open: bool
    shows_minutes: bool
    reopenings: list[MinutesReopening]

    @property
    def can_edit_agenda(self) -> bool:
        return self.can_run and self.agenda_open

    @property
    def can_keep_minutes(self) -> bool:
        return self.can_run and self.minutes_open

    @property
    def can_approve_now(self) -> bool:
        return self.can_approve and self.meeting.status == MeetingStatus.HELD

    @property
    def can_reopen(self) -> bool:
        return self.can_approve and self.meeting.status == MeetingStatus.MINUTES_APPROVED


def _allows(check, meeting: Meeting) -> bool:
    try:
        check(meeting)
    except MeetingClosed:
        return False
    return True


def build(user, meeting: Meeting) -> Sections:
    """What the three sections show; ``meeting`` with ``body__chain`` loaded."""
    shows_minutes = meeting.status in WITH_MINUTES
    items = agenda.items_of(meeting, with_minutes=shows_minutes)
    return Sections(
        meeting=meeting,
        agenda=agenda.build(meeting, list(items)),
        sheet=attendance.sheet(meeting),
        can_run=policy.may_run_meetings(user, meeting.body),
        can_approve=policy.may_approve_minutes(user, meeting.body),
        agenda_open=_allows(agenda.check_agenda_open, meeting),
        minutes_open=_allows(minutes.check_minutes_open, meeting),
        shows_minutes=shows_minutes,
        reopenings=list(meeting.reopenings.select_related("by")) if shows_minutes else [],
    )


@register.simple_tag(takes_context=True)
def meeting_sections(context, meeting: Meeting) -> Sections:
    """The sections of ``meeting`` for the signed-in user, built once per meeting object."""
    found = getattr(meeting, "_sections", None)
    if found is None:
        found = meeting._sections = build(context["request"].user, meeting)
    return found
