"""E-mailing a meeting's announcement, change notice or cancellation exactly once per person.

What a meeting calls for (``due``): nothing while it is a draft; the announcement (sequence 0)
once announced; after a change of time or place the change notice of its new sequence; the
cancellation once an announced meeting is cancelled. Whoever misses an earlier notice gets only
the latest: it carries the whole meeting, and calendars want only the newest SEQUENCE.

Per person, ``MeetingNotice`` (meeting, person, kind, sequence) is the exactly-once key:

1. in one transaction the run inserts the row (or, after an earlier failure, locks and takes over
   the failed row), checks that the meeting still calls for this notice, mails, and marks it
   sent; only then does it commit;
2. a concurrent run (a second beat, the same task twice) that reaches the same person waits on the
   uncommitted row, then finds it sent and leaves the person alone;
3. a worker killed before its mail went out takes its uncommitted row with it, so the task's
   redelivery (late acknowledgement, settings.py) or the next sweep mails — once;
4. a mail server that refuses leaves a *failed* row (in a transaction of its own); the next sweep
   (Celery beat ``send-meeting-notices``) retries it while the meeting has not ended.

The one window left is a worker killed after the mail server accepted the mail and before the
commit (milliseconds): then the person is mailed again. Holding the row until the mail is out is
what keeps every other case at exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from stakeholders.mail import absolute_url
from stakeholders.models import Person

from ..models import Meeting, MeetingNotice, MeetingStatus, NoticeKind, NoticeStatus
from . import ical
from .meetings import recipients

logger = logging.getLogger(__name__)

# The sweep looks at meetings that ended at most this long ago (a late cancellation still goes out).
SWEEP_AFTER_END = timedelta(days=1)


@dataclass(frozen=True)
class Occasion:
    kind: str
    sequence: int


@dataclass
class NoticeCounts:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # mailed already (by this or another run), or no longer called for

    def add(self, other: NoticeCounts) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped

    def as_dict(self) -> dict[str, int]:
        return {"notices_sent": self.sent, "notices_failed": self.failed, "notices_skipped": self.skipped}


def due(meeting: Meeting) -> Occasion | None:
    """The notice the meeting's state calls for now, or None."""
    if meeting.announced_at is None:
        return None
    if meeting.status == MeetingStatus.CANCELLED:
        return Occasion(NoticeKind.CANCELLATION, meeting.sequence)
    if meeting.status == MeetingStatus.ANNOUNCED:
        if meeting.sequence == 0:
            return Occasion(NoticeKind.ANNOUNCEMENT, 0)
        return Occasion(NoticeKind.CHANGE, meeting.sequence)
    return None


def _claim(meeting: Meeting, person: Person, occasion: Occasion) -> MeetingNotice | None:
    """Inside the caller's transaction: the row for this notice, new or taken over from a failed
    attempt; None when it was sent already. Blocks while another run holds it."""
    key = {"meeting": meeting, "person": person, "kind": occasion.kind, "sequence": occasion.sequence}
    now = timezone.now()
    try:
        with transaction.atomic():
            return MeetingNotice.objects.create(**key, status=NoticeStatus.CLAIMED, claimed_at=now)
    except IntegrityError:
        pass  # there is a row: sent, or failed before
    notice = MeetingNotice.objects.select_for_update().get(**key)
    if notice.status == NoticeStatus.SENT:
        return None
    notice.status, notice.claimed_at, notice.attempts, notice.error = NoticeStatus.CLAIMED, now, notice.attempts + 1, ""
    return notice


def _still_due(meeting: Meeting, occasion: Occasion) -> bool:
    current = Meeting.objects.filter(pk=meeting.pk).only("status", "sequence", "announced_at").first()
    return current is not None and due(current) == occasion


def _failed(meeting: Meeting, person: Person, occasion: Occasion, error: Exception) -> None:
    key = {"meeting": meeting, "person": person, "kind": occasion.kind, "sequence": occasion.sequence}
    reason = type(error).__name__[:300]
    with transaction.atomic():
        updated = (
            MeetingNotice.objects.filter(**key)
            .exclude(status=NoticeStatus.SENT)
            .update(status=NoticeStatus.FAILED, error=reason, attempts=F("attempts") + 1)
        )
        if not updated and not MeetingNotice.objects.filter(**key).exists():
            try:
                with transaction.atomic():
                    MeetingNotice.objects.create(
                        **key, status=NoticeStatus.FAILED, claimed_at=timezone.now(), error=reason
                    )
            except IntegrityError:
                pass  # another run got there first


def send_one(meeting: Meeting, person: Person, occasion: Occasion, pause: Callable[[], None] | None = None) -> str:
    """Mail ``person`` this notice unless done: "sent", "skipped" or "failed"."""
    try:
        with transaction.atomic():
            notice = _claim(meeting, person, occasion)
            if notice is None or not _still_due(meeting, occasion):
                transaction.set_rollback(True)
                return "skipped"
            if pause is not None:
                pause()
            _mail(meeting, person, occasion)
            notice.status, notice.sent_at = NoticeStatus.SENT, timezone.now()
            notice.save()
    except Exception as error:
        _failed(meeting, person, occasion, error)
        # No address or meeting text in the logs.
        logger.warning(
            "meeting notice %s #%d of meeting %d to person %d failed (%s); the sweep retries",
            occasion.kind,
            occasion.sequence,
            meeting.pk,
            person.pk,
            type(error).__name__,
        )
        return "failed"
    return "sent"


def send_due(meeting_id: int, pause: Callable[[], None] | None = None) -> NoticeCounts:
    """Mail the notice the meeting calls for to each recipient who has not had it."""
    counts = NoticeCounts()
    meeting = Meeting.objects.select_related("body__chain", "host__organisation").filter(pk=meeting_id).first()
    if meeting is None:
        return counts
    occasion = due(meeting)
    if occasion is None:
        return counts
    sent = set(
        MeetingNotice.objects.filter(
            meeting=meeting, kind=occasion.kind, sequence=occasion.sequence, status=NoticeStatus.SENT
        ).values_list("person_id", flat=True)
    )
    for person in recipients(meeting):
        if person.pk in sent:
            continue
        result = send_one(meeting, person, occasion, pause)
        setattr(counts, result, getattr(counts, result) + 1)
    return counts


def meetings_waiting() -> list[int]:
    """Announced or cancelled meetings, not long over, that someone still has to be mailed about.
    (The sweep's candidates; send_due decides per person.)"""
    return list(
        Meeting.objects.filter(
            status__in=[MeetingStatus.ANNOUNCED, MeetingStatus.CANCELLED],
            announced_at__isnull=False,
            ends_at__gte=timezone.now() - SWEEP_AFTER_END,
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )


def sweep(pause: Callable[[], None] | None = None) -> NoticeCounts:
    """Every notice still due: those a lost task never sent, and those that failed."""
    counts = NoticeCounts()
    for meeting_id in meetings_waiting():
        counts.add(send_due(meeting_id, pause))
    return counts


# --- The mail -------------------------------------------------------------------------------------


SUBJECTS = {
    NoticeKind.ANNOUNCEMENT: "emails/meeting_announcement_subject.txt",
    NoticeKind.CHANGE: "emails/meeting_change_subject.txt",
    NoticeKind.CANCELLATION: "emails/meeting_cancellation_subject.txt",
}


def _mail(meeting: Meeting, person: Person, occasion: Occasion) -> None:
    """The notice with the meeting as an .ics attachment; in the portal's language (Dutch), as
    every mail of the portal (stakeholders/mail.py)."""
    cancel = occasion.kind == NoticeKind.CANCELLATION
    page_url = absolute_url(meeting.get_absolute_url())
    with translation.override(settings.LANGUAGE_CODE):
        local = timezone.localtime(meeting.starts_at)
        context = {
            "name": person.get_short_name(),
            "kind": occasion.kind,
            "body": meeting.body.name,
            "chain": meeting.body.chain.name,
            "when": date_format(local, "DATETIME_FORMAT"),
            "until": date_format(timezone.localtime(meeting.ends_at), "TIME_FORMAT"),
            "place": meeting.place,
            "online_link": meeting.online_link,
            "host": meeting.host.organisation.name if meeting.host_id else "",
            "url": page_url,
        }
        subject = "".join(render_to_string(SUBJECTS[occasion.kind], context).splitlines()).strip()
        body = render_to_string("emails/meeting_notice_body.txt", context)
        ics = ical.invitation_file(meeting, page_url, person, cancel=cancel)
    message = EmailMessage(subject=subject, body=body, to=[person.email])
    part = MIMEPart()
    part.set_content(
        ics.decode(),
        subtype="calendar",
        charset="utf-8",
        disposition="attachment",
        filename=f"vergadering-{meeting.pk}.ics",
        params={"method": "CANCEL" if cancel else "REQUEST"},
    )
    message.attach(part)
    message.send()
