"""Early warnings (vroegsignalen): an indicator's forecast heading off target, proposed to the
programme manager before any status turns red (issue 15).

The sweep (governance/services/early_warning.py) raises one ``EarlyWarning`` for an indicator at
period P when the forecast made on the chain's series up to P, and the one made up to the period
before, both miss the target at the ambition's horizon by more than the version's tolerance. It
files nothing: the warning *proposes* a bottleneck for the partners whose units lag most and an
agenda suggestion for the chain's strategic body. The programme manager accepts it (which files
both) or dismisses it with a reason; a dismissed warning keeps the indicator quiet until its
forecast misses by more than it did at the dismissal (``gap_at_dismissal``).

One warning per indicator and period (a unique constraint: the sweep may run twice), and at most
one that is still proposed per indicator (a partial unique constraint).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator, IndicatorVersion
from ambitions.periods import Period
from stakeholders.models import Chain, Person

from .bottlenecks import Bottleneck, BottleneckStatus

NUMBER = {"max_digits": 24, "decimal_places": 4}


class EarlyWarningStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class EarlyWarningQuerySet(models.QuerySet):
    def visible_to(self, user) -> EarlyWarningQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def active(self) -> EarlyWarningQuerySet:
        """Still saying "heading off target": proposed, or accepted while the bottleneck it filed is
        open. (An accepted warning whose bottleneck is closed has done its work.)"""
        return self.filter(
            models.Q(status=EarlyWarningStatus.PROPOSED)
            | models.Q(status=EarlyWarningStatus.ACCEPTED, bottleneck__status__in=BottleneckStatus.open())
        )


class EarlyWarning(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="early_warnings", verbose_name=_("chain"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="early_warnings", verbose_name=_("indicator")
    )
    version = models.ForeignKey(IndicatorVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("version"))
    period = models.DateField(_("period"))  # P: the headline period whose forecast raised it
    forecast_value = models.DecimalField(_("forecast"), **NUMBER)
    forecast_period = models.DateField(_("forecast for"))  # the ambition's horizon, as a period
    target = models.DecimalField(_("target"), **NUMBER)  # the trajectory's value at the horizon
    gap = models.DecimalField(_("short of the target by"), **NUMBER)  # at P, in the indicator's direction
    previous_gap = models.DecimalField(_("short of the target a period earlier"), **NUMBER)
    # The units furthest behind their own part at P, worst first (plain values: a snapshot).
    lagging = models.JSONField(_("lagging units"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EarlyWarningStatus, default=EarlyWarningStatus.PROPOSED
    )
    reason = models.TextField(_("reason"), blank=True)
    raised_at = models.DateTimeField(_("raised on"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    gap_at_dismissal = models.DecimalField(_("gap when dismissed"), null=True, blank=True, **NUMBER)
    bottleneck = models.ForeignKey(
        Bottleneck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="early_warnings",
        verbose_name=_("bottleneck"),
    )

    objects = EarlyWarningQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "pk"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="early_warning_once_per_period"),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=models.Q(status="proposed"),
                name="early_warning_one_proposed",
            ),
        ]
        indexes = [models.Index(fields=["chain", "status"], name="early_warning_chain_status")]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("governance:early_warning_detail", args=[self.chain.slug, self.pk])

    @property
    def period_obj(self) -> Period:
        return Period.containing(self.period, self.version.frequency)

    @property
    def forecast_period_obj(self) -> Period:
        return Period.containing(self.forecast_period, self.version.frequency)

    @property
    def is_proposed(self) -> bool:
        return self.status == EarlyWarningStatus.PROPOSED

    def worse_than_dismissed(self, gap: Decimal) -> bool:
        """Whether a forecast ``gap`` short of the target breaks this dismissed warning's quiet."""
        return self.gap_at_dismissal is None or gap > self.gap_at_dismissal
