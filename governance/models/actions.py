"""Actions (actiepunten) agreed in a body: from an agenda item or a decision, with an owner."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Person

from .bodies import Body


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def closed(cls) -> frozenset[str]:
        return frozenset({cls.DONE, cls.CANCELLED})


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActionItemQuerySet:
        return self.filter(body__chain__in=Chain.objects.visible_to(user))

    def still_open(self) -> ActionItemQuerySet:
        return self.exclude(status__in=ActionStatus.closed())

    def overdue(self, today=None) -> ActionItemQuerySet:
        return self.still_open().filter(due_on__lt=today or timezone.localdate())


class ActionItem(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="actions", verbose_name=_("body"))
    meeting = models.ForeignKey(
        "governance.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    agenda_item = models.ForeignKey(
        "governance.AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="actions_agreed"
    )
    decision = models.ForeignKey(
        "governance.Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="governance_actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due date"), validators=[validate_in_range])
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus, default=ActionStatus.OPEN)
    closing_note = models.TextField(_("closing note"), blank=True)
    # Set when the action went on to a later meeting's agenda: from then on it is closed, never deleted.
    carried_over = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["body", "status", "due_on"], name="action_body_status_due"),
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_status_due"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("governance:action_detail", args=[self.body.chain.slug, self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status not in ActionStatus.closed() and self.due_on < timezone.localdate()

    def clean(self) -> None:
        super().clean()
        if self.status in ActionStatus.closed() and not self.closing_note.strip():
            raise ValidationError({"closing_note": _("Say how the action was closed.")})

    def delete(self, *args, **kwargs):
        if self.carried_over:
            raise ProtectedError(_("An action that carried over cannot be deleted, only closed."), {self})
        return super().delete(*args, **kwargs)
