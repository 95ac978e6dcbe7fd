"""Bottlenecks (knelpunten) and the escalation ladder they climb.

A bottleneck sits at one body at a time (``body``: its level on the ladder). That body has
``Body.response_days`` working days (stakeholders/working_days.py) from ``level_since`` to record a
response; ``due_on`` keeps the resulting day so lists, the sweep and the benchmark read it through
an index. Without a response by then, the bottleneck goes up to ``body.escalates_to``
(governance/services/bottlenecks.py: by hand with a reason, or by the sweep); at the top of the
ladder it is only flagged as overdue. Every step is an ``Escalation`` row, unique per bottleneck
and level it left, so a level is never escalated twice; ``EscalationNotice`` is the ledger of who
was told about an escalation (once per person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from stakeholders.models import Chain, Partnership, Person
from stakeholders.working_days import add_working_days, working_days_between

from .bodies import Body


class BottleneckStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    IN_PROGRESS = "in_progress", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def open(cls) -> frozenset[str]:
        return frozenset({cls.REPORTED, cls.IN_PROGRESS})


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class BottleneckQuerySet(models.QuerySet):
    def visible_to(self, user) -> BottleneckQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def still_open(self) -> BottleneckQuerySet:
        return self.filter(status__in=BottleneckStatus.open())

    def awaiting_response(self) -> BottleneckQuerySet:
        """Open, and the body it sits at has not responded yet: its clock runs."""
        return self.still_open().filter(responded_at__isnull=True)

    def overdue(self, today: date | None = None) -> BottleneckQuerySet:
        """The clock ran out: the response was due before today (``Bottleneck.is_overdue``)."""
        return self.awaiting_response().filter(due_on__lt=today or timezone.localdate())

    def to_escalate(self, today: date | None = None) -> BottleneckQuerySet:
        """Overdue with a higher level to go to (``Bottleneck.escalates_automatically``)."""
        return self.overdue(today).filter(body__escalates_to__isnull=False)

    def overdue_at_top(self, today: date | None = None) -> BottleneckQuerySet:
        """Overdue at a body that escalates to no other: flagged on the chain home, never escalated."""
        return self.overdue(today).filter(body__escalates_to__isnull=True)


def due_after(body: Body, since: datetime) -> date:
    """The day the body's response is due when a bottleneck arrived there at ``since``."""
    return add_working_days(timezone.localdate(since), body.response_days)


@dataclass(frozen=True)
class Clock:
    """The clock of a bottleneck at its level, as its page and the board show it."""

    since: datetime
    due_on: date
    responded: bool
    overdue_days: int  # working days past due; 0 when not overdue
    at_top: bool

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0


class Bottleneck(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="bottlenecks", verbose_name=_("chain"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    partners = models.ManyToManyField(
        Partnership, related_name="bottlenecks", verbose_name=_("partners concerned"), blank=True
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="bottlenecks", verbose_name=_("linked indicators"), blank=True
    )
    impact = models.CharField(_("impact"), max_length=6, choices=Severity, default=Severity.MEDIUM)
    urgency = models.CharField(_("urgency"), max_length=6, choices=Severity, default=Severity.MEDIUM)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bottlenecks", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=12, choices=BottleneckStatus, default=BottleneckStatus.REPORTED)
    resolution = models.TextField(_("resolution"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    # Where it sits on the ladder now, since when, and when that body's response is due.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="bottlenecks", verbose_name=_("level"))
    level_since = models.DateTimeField(_("at this level since"), default=timezone.now, editable=False)
    due_on = models.DateField(_("response due"), editable=False)
    responded_at = models.DateTimeField(_("responded on"), null=True, blank=True, editable=False)
    response = models.TextField(_("response at this level"), blank=True, editable=False)
    reported_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+", editable=False, verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported on"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True, editable=False)

    objects = BottleneckQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("bottleneck")
        verbose_name_plural = _("bottlenecks")
        indexes = [
            # The board and the counts: a chain's open bottlenecks by level.
            models.Index(fields=["chain", "status", "body"], name="bottleneck_chain_status_body"),
            models.Index(fields=["body", "status"], name="bottleneck_body_status"),
            models.Index(fields=["owner", "status"], name="bottleneck_owner_status"),
            # The dashboard's and chain home's counts: a chain's open ones (a tenth of all, or less),
            # without reading its closed ones (bottleneck_chain_status_body was passed over for the
            # chain's own index: 12 ms against 2 ms for 2,000 open of 20,000 in the 1m set).
            models.Index(
                fields=["chain"],
                name="bottleneck_open_per_chain",
                condition=models.Q(status__in=["reported", "in_progress"]),
            ),
            # The sweep: open bottlenecks whose clock ran out (few of all, so a partial index).
            models.Index(
                fields=["due_on"],
                name="bottleneck_clock_running",
                condition=models.Q(status__in=["reported", "in_progress"], responded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.due_on is None and self.body_id:
            self.due_on = due_after(self.body, self.level_since)
        if self.status in BottleneckStatus.open():
            if self.closed_at is not None:
                # Reopened: the body it sits at gets its full response time again, from now —
                # not the old due date, which the next sweep would take as long overdue.
                self.level_since = timezone.now()
                self.due_on = due_after(self.body, self.level_since)
            self.closed_at = None
        else:
            self.closed_at = self.closed_at or timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("governance:bottleneck_detail", args=[self.chain.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in BottleneckStatus.open()

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.responded_at is None and self.due_on < today

    def clock(self, today: date | None = None) -> Clock:
        """Level (``body``), since when, due by, overdue by how many working days; ``body`` loaded."""
        today = today or timezone.localdate()
        overdue = working_days_between(self.due_on, today) if self.is_overdue(today) else 0
        # Past due on a weekend or holiday only: still overdue, by less than one working day.
        if self.is_overdue(today) and overdue == 0:
            overdue = 1
        at_top = self.body.escalates_to_id is None
        return Clock(self.level_since, self.due_on, self.responded_at is not None, overdue, at_top)

    def start_clock(self, body: Body, since: datetime) -> None:
        """Put the bottleneck at ``body`` from ``since``: a new response time, no response yet."""
        self.body = body
        self.level_since = since
        self.due_on = due_after(body, since)
        self.responded_at = None
        self.response = ""

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.status == BottleneckStatus.RESOLVED:
            if not self.resolution.strip():
                errors.setdefault("resolution", []).append(_("Say how the bottleneck was resolved."))
            if not self.cause.strip():
                errors.setdefault("cause", []).append(_("Say what caused the bottleneck."))
        if self.chain_id and self.body_id and self.body.chain_id != self.chain_id:
            errors.setdefault("body", []).append(_("Choose a body of this chain."))
        if errors:
            raise ValidationError(errors)


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user) -> EscalationQuerySet:
        return self.filter(bottleneck__chain__in=Chain.objects.visible_to(user))


class Escalation(models.Model):
    """One step up the ladder: from which body to which, when, by whom (or automatically) and why,
    and the receiving body's response when it comes."""

    bottleneck = models.ForeignKey(
        Bottleneck, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("bottleneck")
    )
    from_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="escalations_out", verbose_name=_("from level")
    )
    to_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="escalations_in", verbose_name=_("to level")
    )
    at = models.DateTimeField(_("escalated on"), default=timezone.now)
    by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("escalated by")
    )
    automatic = models.BooleanField(_("automatically"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    due_on = models.DateField(_("response due"))
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(_("responded on"), null=True, blank=True)
    responded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("responded by")
    )

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["bottleneck", "at", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            # Exactly once per level: two sweeps, a redelivered task or a click at the same moment
            # as the sweep cannot take a bottleneck up from the same body twice.
            models.UniqueConstraint(
                fields=["bottleneck", "from_body"],
                name="escalation_once_per_level",
                violation_error_message=_("This bottleneck has been escalated from this level already."),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_body=models.F("to_body")),
                name="escalation_goes_elsewhere",
                violation_error_message=_("A bottleneck escalates to another body."),
            ),
        ]
        indexes = [models.Index(fields=["to_body", "responded_at"], name="escalation_to_body_response")]

    def __str__(self) -> str:
        return f"{self.bottleneck} · {self.from_body} → {self.to_body}"

    @property
    def why(self) -> str:
        if self.automatic:
            return str(_("Automatically: the response time passed."))
        return self.reason


class EscalationNotice(models.Model):
    """That ``person`` (the receiving body's chair or secretary) was mailed about the escalation:
    inserted in the transaction that mails, so a person is told once (services/bottlenecks.py)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["escalation", "person"], name="escalation_notice_once")]

    def __str__(self) -> str:
        return f"{self.escalation_id} → {self.person_id}"


class BottleneckComment(models.Model):
    bottleneck = models.ForeignKey(
        Bottleneck, on_delete=models.CASCADE, related_name="comments", verbose_name=_("bottleneck")
    )
    author = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written on"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:80]
