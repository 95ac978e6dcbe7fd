"""Actions (actiepunten) agreed in a body: from an agenda item or a decision, with an owner."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Partnership, Person

from .bodies import Body


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def closed(cls) -> frozenset[str]:
        return frozenset({cls.DONE, cls.CANCELLED})


def possible_owners(chain: Chain) -> models.QuerySet[Person]:
    """Who can own an action of ``chain``'s bodies: an active person (not an API connection) of a
    current partner organisation of the chain who has a role in it (so can open the action). The form
    offers these, and ``ActionItem.clean`` refuses anyone else."""
    partners = Partnership.objects.filter(chain=chain).current().values("organisation_id")
    return (
        Person.objects.filter(is_active=True, is_system=False, memberships__chain=chain, organisation_id__in=partners)
        .select_related("organisation")
        .order_by("full_name", "pk")
        .distinct()
    )


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
        "governance.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("meeting"),
    )
    agenda_item = models.ForeignKey(
        "governance.AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_agreed",
        verbose_name=_("agenda item"),
    )
    decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("decision"),
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="governance_actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due date"), validators=[validate_in_range])
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus, default=ActionStatus.OPEN)
    closing_note = models.TextField(_("closing note"), blank=True)
    # Set when the action went on to a later meeting's agenda: from then on it is closed, never deleted.
    carried_over = models.BooleanField(_("carried over"), default=False, editable=False)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+", editable=False, verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True, editable=False)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["body", "status", "due_on"], name="action_body_status_due"),
            models.Index(fields=["owner", "status", "due_on"], name="action_owner_status_due"),
            # The open actions past their due date per body (ActionItem.objects.overdue for a chain:
            # the chain home, participation health), without reading the closed ones.
            models.Index(
                fields=["body", "due_on"],
                condition=~models.Q(status__in=sorted(ActionStatus.closed())),
                name="action_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def save(self, *args, **kwargs) -> None:
        # When it was closed: set on closing, cleared when it is opened again.
        if self.status in ActionStatus.closed():
            self.closed_at = self.closed_at or timezone.now()
        else:
            self.closed_at = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("governance:action_detail", args=[self.body.chain.slug, self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status not in ActionStatus.closed() and self.due_on < timezone.localdate()

    @property
    def is_closed(self) -> bool:
        return self.status in ActionStatus.closed()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        if self.status in ActionStatus.closed() and not self.closing_note.strip():
            errors.setdefault("closing_note", []).append(_("Say how the action was closed."))
        if self._owner_changed() and not possible_owners(self.body.chain).filter(pk=self.owner_id).exists():
            errors.setdefault("owner", []).append(_("Choose a person of a partner organisation in this chain."))
        errors.update(self._link_errors())
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_owner_id = instance.__dict__.get("owner_id")
        return instance

    def _owner_changed(self) -> bool:
        """Whether the owner is new: an owner who has since left the chain stays on their actions
        (closing them must still work), but nobody chooses them again."""
        if not (self.body_id and self.owner_id):
            return False
        return self._state.adding or self.owner_id != getattr(self, "_loaded_owner_id", None)

    def _link_errors(self) -> dict[str, list]:
        """What the action comes from belongs to its body (views set these, so the message is the form's)."""
        wrong = []
        if self.body_id and self.meeting_id and self.meeting.body_id != self.body_id:
            wrong.append(_("The meeting belongs to another body."))
        if self.body_id and self.decision_id and self.decision.body_id != self.body_id:
            wrong.append(_("The decision belongs to another body."))
        if self.agenda_item_id:
            item = self.agenda_item
            if self.body_id and item.meeting.body_id != self.body_id:
                wrong.append(_("The agenda item belongs to another body."))
            elif self._state.adding and item.meeting.minutes_locked:
                # The actions agreed on an item are part of its minutes.
                wrong.append(_("The minutes of this meeting are approved and locked; reopen them first."))
        return {NON_FIELD_ERRORS: wrong} if wrong else {}

    def delete(self, *args, **kwargs):
        if self.carried_over:
            raise ProtectedError(_("An action that carried over cannot be deleted, only closed."), {self})
        return super().delete(*args, **kwargs)
