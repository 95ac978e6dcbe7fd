"""A chain's public page (issue 14 point 4): a read-only page anyone may see without signing in.

Opt-in per chain by the programme manager, and only with the steering group's decision to publish
linked: an adopted decision of one of the chain's strategic bodies. The page shows the chain's name,
logo and mission, the indicators chosen here (chart, target, status), the published success
stories and the sent newsletters. Figures per partner and unit only when ``show_units`` is on;
never anyone's name. The page itself is ``governance/views/public_page.py``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from stakeholders.models import Chain

from .bodies import BodyLevel
from .decisions import Decision, DecisionStatus

# At most this many indicators on the public page: it stays fast and readable.
MAX_INDICATORS = 8


class PublicPageQuerySet(models.QuerySet):
    def switched_on(self) -> PublicPageQuerySet:
        return self.filter(enabled=True, decision__isnull=False)


class PublicPage(models.Model):
    chain = models.OneToOneField(Chain, on_delete=models.CASCADE, related_name="public_page", verbose_name=_("chain"))
    enabled = models.BooleanField(_("publish the public page"), default=False)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("steering group's decision"),
        help_text=_("The adopted decision of a strategic body to publish this page."),
    )
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("indicators on the public page")
    )
    show_units = models.BooleanField(
        _("show figures per partner and unit"),
        default=False,
        help_text=_("Off: only the chain's own figures are shown."),
    )
    # Part of the public cache's key (views/public_page.py): a change shows at once.
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = PublicPageQuerySet.as_manager()

    class Meta:
        verbose_name = _("public page")
        verbose_name_plural = _("public pages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enabled=False) | models.Q(decision__isnull=False),
                name="public_page_on_needs_decision",
                violation_error_message=_("Link the steering group's decision to publish the page."),
            )
        ]

    def __str__(self) -> str:
        return str(self.chain)

    @staticmethod
    def decisions_for(chain: Chain) -> models.QuerySet[Decision]:
        """The decisions that can back the page: adopted by one of the chain's strategic bodies."""
        return (
            Decision.objects.filter(chain=chain, status=DecisionStatus.ADOPTED, body__level=BodyLevel.STRATEGIC)
            .select_related("body")
            .order_by("-decided_on", "-pk")
        )

    def clean(self) -> None:
        if self.enabled and self.decision_id is None:
            raise ValidationError({"decision": _("Link the steering group's decision to publish the page.")})
        if self.decision_id is not None and not self.decisions_for(self.chain).filter(pk=self.decision_id).exists():
            raise ValidationError(
                {"decision": _("Choose an adopted decision of one of this chain's strategic bodies.")}
            )
