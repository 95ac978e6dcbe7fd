"""Benefits: what each partner gains from the chain, from its start picture to its end picture.

A ``Benefit`` belongs to one partner of one chain: the start picture (the situation now, in words,
optionally with the value of one of the chain's indicators at a date), the end picture (the
situation aimed for, with a target value and date) and an owner at the partner. Its assessments
(``BenefitAssessment``) say periodically how far it is realised; the newest one's status is kept on
the benefit (``status``) so that overviews need no subquery.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Partnership, Person

from .definitions import Indicator
from .figures import VALUE


class BenefitStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    ON_TRACK = "on_track", _("On track")
    PARTLY_REALISED = "partly_realised", _("Partly realised")
    REALISED = "realised", _("Realised")
    NOT_REALISED = "not_realised", _("Not realised")

    @property
    def css(self) -> str:
        """The status badge's modifier (kp-status--…)."""
        return {
            BenefitStatus.ON_TRACK: "on_track",
            BenefitStatus.REALISED: "on_track",
            BenefitStatus.PARTLY_REALISED: "at_risk",
            BenefitStatus.NOT_REALISED: "off_track",
        }.get(self, "no_data")


class BenefitQuerySet(models.QuerySet):
    def visible_to(self, user) -> BenefitQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))


class Benefit(models.Model):
    """What one partner gains from the chain."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="benefits", verbose_name=_("chain"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="benefits", verbose_name=_("partner")
    )
    title = models.CharField(_("title"), max_length=200)
    start_picture = models.TextField(_("start picture"), help_text=_("The situation now, in words."))
    start_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benefits",
        verbose_name=_("indicator"),
        help_text=_("Optional: one of the chain's indicators that measures this benefit."),
    )
    start_value = models.DecimalField(_("value at the start"), **{**VALUE, "null": True, "blank": True})
    start_date = models.DateField(_("start date"), null=True, blank=True, validators=[validate_in_range])
    end_picture = models.TextField(_("end picture"), help_text=_("The situation aimed for, in words."))
    target_value = models.DecimalField(_("target value"), **{**VALUE, "null": True, "blank": True})
    target_date = models.DateField(_("target date"), validators=[validate_in_range])
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_benefits",
        verbose_name=_("owner at the partner"),
    )
    status = models.CharField(_("status"), max_length=20, choices=BenefitStatus, default=BenefitStatus.EXPECTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__organisation__name", "target_date", "pk"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(start_date__lte=models.F("target_date")),
                name="benefit_start_before_target",
                violation_error_message=_("The start picture's date must lie before the target date."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ambitions:benefit_detail", args=[self.chain.slug, self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.partnership_id and self.chain_id and self.partnership.chain_id != self.chain_id:
            errors["partnership"] = _("This organisation is not a partner of this chain.")
        if self.start_indicator_id and self.chain_id and self.start_indicator.ambition.chain_id != self.chain_id:
            errors["start_indicator"] = _("Choose one of this chain's indicators.")
        if self.start_value is not None and self.start_date is None:
            errors["start_date"] = _("Give the date of the value at the start.")
        if self.start_date and self.target_date and self.start_date > self.target_date:
            errors["target_date"] = _("The target date cannot be before the start picture's date.")
        if self.owner_id and self.partnership_id and self.owner.organisation_id != self.partnership.organisation_id:
            errors["owner"] = _("The owner must be someone of the partner's own organisation.")
        if errors:
            raise ValidationError(errors)

    @property
    def start_summary(self) -> str:
        return _summary(self.start_picture)

    @property
    def end_summary(self) -> str:
        return _summary(self.end_picture)

    @property
    def status_css(self) -> str:
        return BenefitStatus(self.status).css


def _summary(text: str, length: int = 200) -> str:
    """The first ``length`` characters, cut at a word (the overview shows many; Truncator is slow)."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


class BenefitAssessment(models.Model):
    """How far a benefit is realised, as its owner or the programme manager saw it on a date."""

    benefit = models.ForeignKey(
        Benefit, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("benefit")
    )
    status = models.CharField(_("status"), max_length=20, choices=BenefitStatus)
    note = models.CharField(_("short note"), max_length=500, blank=True)
    assessed_on = models.DateField(_("assessed on"), validators=[validate_in_range])
    assessed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assessed by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("benefit assessment")
        verbose_name_plural = _("benefit assessments")

    def __str__(self) -> str:
        return f"{self.benefit}: {self.get_status_display()} ({self.assessed_on})"
