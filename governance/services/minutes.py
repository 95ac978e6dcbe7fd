"""Minutes: kept per agenda item from the announcement on, approved by the chair once the meeting
is held, locked from then on, and reopened only with a reason (which is kept and shown).

Approving needs every item marked finished or not finished: an unfinished item is what the next
meeting's agenda suggests to carry over (governance/services/suggestions.py). The lock itself is
the models' (PartOfMinutes refuses every write to an approved meeting's items and attendance).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import AgendaItemStatus, Meeting, MeetingStatus, MinutesReopening
from governance.services.agenda import MeetingClosed, lock_meeting, locked_message
from stakeholders.models import Person

# States in which attendance and minutes are recorded.
KEEPING = (MeetingStatus.ANNOUNCED, MeetingStatus.HELD)


def check_minutes_open(meeting: Meeting) -> None:
    """Raise MeetingClosed unless attendance and minutes may be recorded."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise MeetingClosed(locked_message())
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingClosed(_("This meeting has been cancelled; it has no attendance or minutes."))
    if meeting.status not in KEEPING:
        raise MeetingClosed(_("Attendance and minutes are kept once the meeting has been announced."))


def approve(meeting: Meeting, by: Person) -> Meeting:
    """The chair approves the minutes of a held meeting: locked from now on."""
    with transaction.atomic():
        meeting = lock_meeting(meeting)
        if meeting.status == MeetingStatus.MINUTES_APPROVED:
            raise MeetingClosed(_("These minutes have already been approved."))
        if meeting.status != MeetingStatus.HELD:
            raise MeetingClosed(_("Only the minutes of a meeting that has been held can be approved."))
        open_items = list(meeting.agenda_items.filter(status=AgendaItemStatus.OPEN).values_list("title", flat=True))
        if open_items:
            raise MeetingClosed(
                _("Mark every agenda item finished or not finished first: %(items)s.")
                % {"items": ", ".join(open_items)}
            )
        meeting.status = MeetingStatus.MINUTES_APPROVED
        meeting.minutes_approved_at = timezone.now()
        meeting.minutes_approved_by = by
        meeting.save(update_fields=["status", "minutes_approved_at", "minutes_approved_by"])
    return meeting


def reopen(meeting: Meeting, reason: str, by: Person) -> MinutesReopening:
    """Open approved minutes again, with the reason; the meeting is held again and its minutes
    must be approved anew."""
    with transaction.atomic():
        meeting = lock_meeting(meeting)
        if meeting.status != MeetingStatus.MINUTES_APPROVED:
            raise MeetingClosed(_("These minutes are not approved, so there is nothing to reopen."))
        reopening = MinutesReopening(meeting=meeting, reason=reason, by=by)
        reopening.full_clean()
        reopening.save()
        meeting.status = MeetingStatus.HELD
        meeting.minutes_approved_at = None
        meeting.minutes_approved_by = None
        meeting.save(update_fields=["status", "minutes_approved_at", "minutes_approved_by"])
    return reopening
