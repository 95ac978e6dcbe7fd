"""Progress reports: a frozen snapshot of where the chain stood for one period, with commentary.

A report is drafted once per chain × frequency × period (by Celery beat on the chain's reporting
calendar, or on demand by a programme manager). Its ``snapshot`` is computed at drafting and never
recomputed, so later changes to figures do not alter it; *regenerate* adds a new revision and keeps
the old one. The unique constraint on (chain, frequency, period, revision) is the idempotency key:
two runs drafting the same report produce one row (see ambitions/services/reports.py).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambitions.periods import Frequency, Period
from stakeholders.models import Chain, Person

from .definitions import Ambition, Indicator


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ProgressReport(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="progress_reports")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency)
    period = models.DateField(_("period"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus, default=ReportStatus.DRAFT)
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    # None: drafted by the schedule.
    drafted_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["chain", "-period", "-revision"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "frequency", "period", "revision"], name="progress_report_one_per_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.chain_id} · {self.period_obj.slug} · r{self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("ambitions:report_detail", args=[self.chain.slug, self.pk])

    @property
    def period_obj(self) -> Period:
        return Period(self.period, self.frequency)

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class ReportCommentary(models.Model):
    """The programme manager's commentary on one ambition or one indicator in one report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="commentary")
    ambition = models.ForeignKey(Ambition, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(_("commentary"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("report commentary")
        verbose_name_plural = _("report commentary")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ambition__isnull=True) ^ models.Q(indicator__isnull=True),
                name="report_commentary_on_one_subject",
            ),
            models.UniqueConstraint(
                fields=["report", "ambition"],
                condition=models.Q(ambition__isnull=False),
                name="report_commentary_one_per_ambition",
            ),
            models.UniqueConstraint(
                fields=["report", "indicator"],
                condition=models.Q(indicator__isnull=False),
                name="report_commentary_one_per_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} · {self.ambition_id or self.indicator_id}"
