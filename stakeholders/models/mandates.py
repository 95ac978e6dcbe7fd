from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chains import Partnership
from .people import Person


class MandateScope(models.TextChoices):
    CONSENT_INDICATORS = "consent_indicators", _("Consent to indicators")
    VOTE_IN_BODY = "vote_in_body", _("Vote in a body")
    SIGN_AGREEMENTS = "sign_agreements", _("Sign agreements")
    APPROVE_FIGURES = "approve_figures", _("Approve figures")
    SPEAK_FOR_CHAIN = "speak_for_chain", _("Speak for the chain")


class MandateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MandateQuerySet":
        from ketenportaal import permissions

        return self.filter(partnership__chain__in=permissions.chains_visible_to(user))

    def valid_on(self, day: date | None = None) -> "MandateQuerySet":
        day = day or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)

    def expiring_within(self, days: int, today: date | None = None) -> "MandateQuerySet":
        today = today or timezone.localdate()
        return self.valid_on(today).filter(valid_until__lte=today + timezone.timedelta(days=days))


class Mandate(models.Model):
    """Authority for one person to act for one partner, in one scope, for a time.

    Acting on behalf of an organisation (consent, vote, sign) checks for a valid
    mandate through ketenportaal.permissions.has_mandate — never a shared login.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("person"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("for partner")
    )
    scope = models.CharField(_("scope"), max_length=30, choices=MandateScope)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Leave empty for no end date."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    expiry_flagged_on = models.DateField(
        null=True, blank=True, editable=False, help_text="Set by housekeeping when the mandate nears its end."
    )

    objects = MandateQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__organisation__name", "person__full_name", "scope"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="mandate_ends_after_start",
                violation_error_message=_("A mandate cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_scope_display()} ({self.partnership.organisation})"

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A mandate cannot end before it starts.")})
        if self.person_id and self.partnership_id and self.person.organisation_id != self.partnership.organisation_id:
            raise ValidationError(
                {
                    "person": _("Only someone from %(org)s can hold a mandate for it.")
                    % {"org": self.partnership.organisation}
                }
            )
