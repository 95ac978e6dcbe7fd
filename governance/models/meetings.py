"""Meetings of a body: the plan (one meeting or a series), the agenda, attendance and minutes.

Minutes are locked once the chair approves them: ``Meeting.minutes_locked``. Every model whose
rows are part of the minutes (the meeting's own minutes fields, agenda items, attendance) refuses
to be saved or deleted while they are locked — in ``clean()`` for forms, the API and the admin (a
message at the field), and in ``save()``/``delete()`` as the last line (``MinutesLockedError``).
Reopening needs a reason and leaves a ``MinutesReopening`` row; then the chair approves again.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator, IndicatorVersion, ProgressReport
from stakeholders.models import Chain, Partnership, Person

from .bodies import Body, BodyMember


class MinutesLockedError(Exception):
    """A write to minutes that the chair has approved."""


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    HELD = "held", _("Held")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
    CANCELLED = "cancelled", _("Cancelled")


class SeriesFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Every n weeks")
    MONTHLY_DATE = "monthly_date", _("Monthly on a date")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Monthly on the n-th weekday")


class MeetingSeries(models.Model):
    """How a series of meetings recurs; its meetings are rows of their own (governance/services/series.py),
    so one of them can be moved or cancelled without touching the rest."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="series", verbose_name=_("body"))
    frequency = models.CharField(_("repeats"), max_length=16, choices=SeriesFrequency)
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    first_start = models.DateTimeField(_("first meeting starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    until = models.DateField(_("ends on"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number of meetings"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    # The rule as RFC 5545 text (RRULE:...), built by dateutil, for the iCalendar export.
    rrule = models.CharField(max_length=300, editable=False, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=False) | models.Q(count__isnull=False),
                name="meeting_series_has_an_end",
                violation_error_message=_("A series needs an end: a date or a number of meetings."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.get_frequency_display()}"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        return self.filter(body__chain__in=Chain.objects.visible_to(user))


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("body"))
    series = models.ForeignKey(MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    host = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host partner"),
    )
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus, default=MeetingStatus.DRAFT)
    # Moved away from the series' own time (the series no longer decides its time).
    moved = models.BooleanField(default=False, editable=False)
    # The iCalendar SEQUENCE: raised on every change that calendars must pick up.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    minutes_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    minutes_approved_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            )
        ]
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_time")]

    def __str__(self) -> str:
        return f"{self.body} · {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.body.chain.slug, self.pk])

    @property
    def minutes_locked(self) -> bool:
        return self.status == MeetingStatus.MINUTES_APPROVED

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})
        if self.host_id and self.body_id and self.host.chain_id != self.body.chain_id:
            raise ValidationError({"host": _("Choose a partner of this body's chain.")})


class MinutesReopening(models.Model):
    """Approved minutes opened again, with the reason (they must then be approved again)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("reopening of minutes")
        verbose_name_plural = _("reopenings of minutes")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="minutes_reopening_has_reason",
                violation_error_message=_("Say why the minutes are reopened."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.at:%Y-%m-%d}"


class PartOfMinutes(models.Model):
    """Rows that belong to a meeting's minutes: read-only once the chair approved them."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"

    def save(self, *args, **kwargs) -> None:
        meeting = self._meeting_for_lock()
        if meeting is not None and meeting.minutes_locked:
            raise MinutesLockedError(self.meeting_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        meeting = self._meeting_for_lock()
        if meeting is not None and meeting.minutes_locked:
            raise MinutesLockedError(self.meeting_id)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        meeting = self._meeting_for_lock()
        if meeting is not None and meeting.minutes_locked:
            raise ValidationError(_("The minutes of this meeting are approved and locked; reopen them first."))

    def _meeting_for_lock(self) -> Meeting | None:
        return Meeting.objects.filter(pk=self.meeting_id).only("status").first() if self.meeting_id else None


class AgendaItemStatus(models.TextChoices):
    OPEN = "open", _("On the agenda")
    FINISHED = "finished", _("Finished")
    UNFINISHED = "unfinished", _("Not finished: carries over")


class AgendaItem(PartOfMinutes):
    """An item on a meeting's agenda, with its part of the minutes (``notes``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    presenter = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("presenter")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    description = models.TextField(_("description"), blank=True)
    # At most one linked object of the same chain (forms offer the chain's own objects only).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    indicator_version = models.ForeignKey(
        IndicatorVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator proposal"),
    )
    decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("decision"),
    )
    action = models.ForeignKey(
        "governance.ActionItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("action"),
    )
    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report"),
    )
    # What suggested it (governance/services/suggestions.py), e.g. "indicator:12"; empty if typed in.
    suggestion_key = models.CharField(max_length=100, blank=True, editable=False)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to", editable=False
    )
    status = models.CharField(_("status"), max_length=12, choices=AgendaItemStatus, default=AgendaItemStatus.OPEN)
    notes = models.TextField(_("minutes"), blank=True, help_text=_("What was discussed and concluded."))

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class SuggestionChoice(models.Model):
    """The secretary's answer to one suggested agenda item: accepted (an AgendaItem was made) or
    dismissed (not suggested again for this meeting)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="suggestion_choices")
    key = models.CharField(max_length=100)
    accepted = models.BooleanField()
    by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="suggestion_choice_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.key}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Absent with notice")
    ABSENT = "absent", _("Absent")
    REPRESENTED = "represented", _("Represented by the alternate")

    @classmethod
    def counting(cls) -> frozenset[str]:
        """Statuses in which the member's partner is at the table (for the quorum)."""
        return frozenset({cls.PRESENT, cls.REPRESENTED})


class Attendance(PartOfMinutes):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(BodyMember, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=12, choices=AttendanceStatus)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.get_status_display()}"


class NoticeKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    CHANGE = "change", _("Change")
    CANCELLATION = "cancellation", _("Cancellation")


class NoticeStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, to be retried")


class MeetingNotice(models.Model):
    """One e-mail about a meeting to one person: the row is the exactly-once key (as DigestRun).

    The sending task claims the row before it mails and marks it sent after; a failed send marks it
    failed for a later run to retry. ``sequence`` is the meeting's iCalendar sequence at the time,
    so a change after an announcement is a new occasion.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=NoticeKind)
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=NoticeStatus, default=NoticeStatus.CLAIMED)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person", "kind", "sequence"], name="meeting_notice_once_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.person_id} · {self.kind} #{self.sequence}"


class CalendarFeed(models.Model):
    """A person's secret calendar feed (webcal://) with all meetings of all their bodies.
    Only the token's SHA-256 is stored; renewing replaces it, so the old address stops working."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.person_id}"
