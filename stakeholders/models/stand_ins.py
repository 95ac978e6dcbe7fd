"""Stand-ins (issue 15): a lead names someone to act for the partner while they are away.

Naming a stand-in copies the lead's usable mandates for that partner (MandateQuerySet.usable_between)
to the stand-in, clipped to the period and to each mandate's own validity, as Mandate rows that point
back here (Mandate.stand_in). So every caller of the mandate rule (has_mandate, usable_on, reminders,
signing, decisions) lets the stand-in act without knowing about stand-ins, and
stakeholders.permissions.acting_for tells them whom the stand-in acts for ("by X for Y").
The copies follow their StandIn: ended early with it, deleted with it, never edited on their own;
and they follow the lead's own mandates: one cut short (ended earlier, narrowed, deleted) cuts the
copies made of it (``follow_lead_mandates``, on every save or delete of a lead's own mandate).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range

from .chains import Partnership
from .mandates import Mandate, MandateScope
from .people import Membership, Person, Role


class StandInQuerySet(models.QuerySet):
    def visible_to(self, user) -> StandInQuerySet:
        from .chains import Chain

        return self.filter(partnership__chain__in=Chain.objects.visible_to(user))

    def current_or_coming(self, today: date | None = None) -> StandInQuerySet:
        return self.filter(ends_on__gte=today or timezone.localdate())

    def overlapping(self, first: date, last: date) -> StandInQuerySet:
        return self.filter(starts_on__lte=last, ends_on__gte=first)


class StandIn(models.Model):
    """Someone with the same mandate as an absent lead, for one partner, for a period."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stand_ins", verbose_name=_("for partner")
    )
    lead = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="stood_in_for", verbose_name=_("absent lead")
    )
    stand_in = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stand_ins", verbose_name=_("stand-in"))
    starts_on = models.DateField(_("from"), validators=[validate_in_range])
    ends_on = models.DateField(_("until"), validators=[validate_in_range], help_text=_("The last day of the absence."))
    reason = models.CharField(
        _("reason"),
        max_length=100,
        blank=True,
        help_text=_("Optional, e.g. “holiday”. No medical or personal details: the chain reads it."),
    )
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("named by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StandInQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("stand-in")
        verbose_name_plural = _("stand-ins")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="stand_in_ends_after_start",
                violation_error_message=_("A stand-in cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(lead=models.F("stand_in")),
                name="stand_in_not_the_lead",
                violation_error_message=_("Name someone else than the lead as stand-in."),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "lead", "ends_on"], name="stand_in_of_lead")]

    def __str__(self) -> str:
        return f"{self.stand_in} for {self.lead} ({self.starts_on}–{self.ends_on})"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today <= self.ends_on

    def lead_mandates(self) -> models.QuerySet[Mandate]:
        """The lead's own (not stand-in) usable mandates for the partner during the period."""
        return Mandate.objects.usable_between(self.starts_on, self.ends_on).filter(
            person_id=self.lead_id, partnership_id=self.partnership_id, stand_in__isnull=True
        )

    def clean(self) -> None:
        """Every refusal that needs no lock; the overlap check runs locked in name_stand_in."""
        super().clean()
        errors: dict[str, list] = {}
        today = timezone.localdate()
        if self.starts_on and self.starts_on < today:
            errors.setdefault("starts_on", []).append(_("A stand-in cannot start in the past."))
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors.setdefault("ends_on", []).append(_("A stand-in cannot end before it starts."))
        if errors or not (self.partnership_id and self.lead_id and self.stand_in_id and self.starts_on):
            if errors:
                raise ValidationError(errors)
            return
        scopes = sorted(set(self.lead_mandates().values_list("scope", flat=True)))
        if not scopes:
            errors["lead"] = [
                _("%(lead)s holds no mandate for %(org)s during this period, so has none to pass on.")
                % {"lead": self.lead, "org": self.partnership.organisation}
            ]
        errors.update(self._stand_in_errors(scopes))
        if errors:
            raise ValidationError(errors)

    def _stand_in_errors(self, scopes: list[str]) -> dict[str, list]:
        """Whether the stand-in could hold the lead's mandates: the mandate rule's own conditions."""
        person, partner = self.stand_in, self.partnership
        if person.pk == self.lead_id:
            return {"stand_in": [_("Name someone else than the lead as stand-in.")]}
        if person.is_system or not person.is_active:
            return {"stand_in": [_("%(person)s cannot sign in, so cannot stand in.") % {"person": person}]}
        if person.organisation_id != partner.organisation_id:
            return {
                "stand_in": [
                    _("%(person)s is not from %(org)s: only someone from %(org)s can stand in for it.")
                    % {"person": person, "org": partner.organisation}
                ]
            }
        role = (
            Membership.objects.filter(person=person, chain_id=partner.chain_id).values_list("role", flat=True).first()
        )
        unusable = [scope for scope in scopes if role not in MandateScope.roles_for(scope)]
        if not unusable:
            return {}
        labels = ", ".join(f"“{MandateScope(scope).label}”" for scope in unusable)
        if role is None:
            message = _("%(person)s has no role in this chain, so could not use the mandate to %(scopes)s.")
        else:
            message = _("%(person)s is %(role)s in this chain and could not use the mandate to %(scopes)s.")
        about = {"person": person, "scopes": labels, "role": str(Role(role).label).lower() if role else ""}
        return {"stand_in": [message % about]}


def name_stand_in(stand_in: StandIn) -> StandIn:
    """Save a validated (full_clean) StandIn and give the stand-in the lead's mandates for the period.

    One transaction: the lead's row is locked first (select_for_update), so two requests naming
    overlapping stand-ins for the same lead wait for each other and the second sees the first;
    on SQLite a write transaction serialises them anyway. Raises ValidationError (nothing saved)
    when the period overlaps another stand-in of this lead for this partner."""
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=stand_in.lead_id).first()
        clash = (
            StandIn.objects.filter(partnership_id=stand_in.partnership_id, lead_id=stand_in.lead_id)
            .overlapping(stand_in.starts_on, stand_in.ends_on)
            .select_related("stand_in")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": _(
                        "%(person)s already stands in for %(lead)s from %(start)s to %(end)s: "
                        "choose a period that does not overlap, or end that stand-in first."
                    )
                    % {
                        "person": clash.stand_in,
                        "lead": stand_in.lead,
                        "start": date_format(clash.starts_on, "SHORT_DATE_FORMAT"),
                        "end": date_format(clash.ends_on, "SHORT_DATE_FORMAT"),
                    }
                }
            )
        stand_in.save()
        # One by one (a few rows), so that the audit trail records each mandate the stand-in receives.
        for mandate in stand_in.lead_mandates():
            Mandate.objects.create(
                person_id=stand_in.stand_in_id,
                partnership_id=stand_in.partnership_id,
                scope=mandate.scope,
                valid_from=max(mandate.valid_from, stand_in.starts_on),
                valid_until=min(mandate.valid_until or stand_in.ends_on, stand_in.ends_on),
                note=str(_("Stand-in for %(lead)s")) % {"lead": stand_in.lead},
                granted_by_id=stand_in.created_by_id,
                stand_in=stand_in,
            )
    return stand_in


def end_stand_in(stand_in: StandIn, today: date | None = None) -> bool:
    """End a stand-in now: one not yet begun is deleted (its mandates with it); a current one
    ends yesterday, so the stand-in can no longer act from today. Returns whether it was deleted."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = StandIn.objects.select_for_update().get(pk=stand_in.pk)
        if locked.starts_on >= today:
            locked.delete()
            return True
        yesterday = today - timedelta(days=1)
        if locked.ends_on > yesterday:
            locked.ends_on = yesterday
            locked.save(update_fields=["ends_on"])
            locked.mandates.filter(valid_until__gt=yesterday).update(valid_until=yesterday)
        stand_in.ends_on = locked.ends_on
        return False


def follow_lead_mandates(partnership_id: int, lead_id: int, today: date | None = None) -> int:
    """Cut the stand-in copies of a lead's mandates for a partner back to what the lead still holds.

    A copy is never longer than the lead's own mandate it was made of (name_stand_in clips it); when
    the lead's mandate is cut short afterwards (it ends earlier, starts later, changes scope or is
    deleted), each copy from today on must end where the lead's cover of its scope ends. The past is
    never rewritten: a copy that has begun ends yesterday at the earliest, one not yet begun without
    any cover is deleted (as end_stand_in does). A lead's mandate that grows never makes copies grow:
    the stand-in holds what the lead had when naming them, at most. Returns the copies changed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        copies = list(
            Mandate.objects.filter(
                partnership_id=partnership_id, stand_in__lead_id=lead_id, valid_until__gte=today
            ).select_for_update()
        )
        return _cut(copies, partnership_id, lead_id, today) if copies else 0  # usually none: one query


def _cut(copies: list[Mandate], partnership_id: int, lead_id: int, today: date) -> int:
    own = list(
        Mandate.objects.filter(partnership_id=partnership_id, person_id=lead_id, stand_in__isnull=True).values_list(
            "scope", "valid_from", "valid_until"
        )
    )
    changed = 0
    for copy in copies:
        day = max(copy.valid_from, today)  # the first day this copy could still be changed
        ends = [
            until or date.max
            for scope, since, until in own
            if scope == copy.scope and since <= day and (until is None or until >= day)
        ]
        if ends:
            if max(ends) < copy.valid_until:
                copy.valid_until = max(ends)
                copy.save(update_fields=["valid_until"])
                changed += 1
        elif copy.valid_from >= today:
            _remove(copy)  # not begun (or only today): nothing it did to keep
            changed += 1
        else:
            copy.valid_until = today - timedelta(days=1)
            copy.save(update_fields=["valid_until"])
            changed += 1
    return changed


def _remove(copy: Mandate) -> None:
    """Delete a copy that has not acted; one that signed something today (a signature protects its
    mandate) ends today instead: a mandate cannot end before it starts."""
    try:
        with transaction.atomic():
            copy.delete()
    except ProtectedError:
        copy.valid_until = copy.valid_from
        copy.save(update_fields=["valid_until"])


@receiver(post_save, sender=Mandate, dispatch_uid="stand_ins_follow_saved_lead_mandate")
def _lead_mandate_saved(sender, instance: Mandate, raw: bool = False, **kwargs) -> None:
    if instance.stand_in_id is None and not raw:
        follow_lead_mandates(instance.partnership_id, instance.person_id)


@receiver(post_delete, sender=Mandate, dispatch_uid="stand_ins_follow_deleted_lead_mandate")
def _lead_mandate_deleted(sender, instance: Mandate, origin=None, **kwargs) -> None:
    # Only a mandate deleted for itself: when its person, partner or stand-in goes, the copies go too.
    deleted_for_itself = isinstance(origin, Mandate) or (
        isinstance(origin, models.QuerySet) and origin.model is Mandate
    )
    if instance.stand_in_id is None and deleted_for_itself:
        follow_lead_mandates(instance.partnership_id, instance.person_id)
