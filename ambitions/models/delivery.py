"""Delivery terms (leverafspraken, issue 15 point 3): per partner and indicator set, where its
figures come from, who delivers them, on which working day after the period, through which
channel, and who may reopen them after approval until when.

The terms are part of a service agreement (governance: ``Agreement.delivery_terms``, kind
*service agreement*), which is signed like any agreement. Governance keeps ``state`` in step with
that agreement (``governance/services/delivery.py``): only terms ``in_force`` apply. They live
here, not in governance, because the reporting calendar that follows them is ambitions' own
(``IndicatorVersion.deadline_of`` with an agreed working day; ``AgreedDays`` reads them in bulk).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain, Partnership, Person
from stakeholders.working_days import add_working_days

from .definitions import EntryDates, Indicator, IndicatorVersion


class Channel(models.TextChoices):
    GRID = "grid", _("the entry grid")
    IMPORT = "import", _("a file import")
    API = "api", _("the API")


class ReopenBy(models.TextChoices):
    PARTNER_LEAD = "partner_lead", _("the partner lead")
    PROGRAMME_MANAGER = "programme_manager", _("the programme manager")
    BOTH = "both", _("the partner lead or the programme manager")


class TermsState(models.TextChoices):
    DRAFT = "draft", _("Not in force yet")
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended")


class DeliveryTermsQuerySet(models.QuerySet):
    def in_force_on(self, day: date) -> DeliveryTermsQuerySet:
        return self.filter(state=TermsState.IN_FORCE, valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )


class DeliveryTerms(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="delivery_terms")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="delivery_terms", verbose_name=_("partner")
    )
    indicators = models.ManyToManyField(Indicator, related_name="delivery_terms", verbose_name=_("indicators"))
    source_system = models.CharField(_("source system"), max_length=200)
    deliverer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivered by"),
        help_text=_("A person of the partner's organisation; or leave empty and name a role."),
    )
    deliverer_role = models.CharField(_("or the role that delivers"), max_length=200, blank=True)
    delivery_working_day = models.PositiveSmallIntegerField(
        _("delivery day (working day after the period ends)"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("For example 5: the figures are due on the 5th working day after the period ends."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.GRID)
    reopen_by = models.CharField(
        _("who may reopen approved figures"), max_length=20, choices=ReopenBy, default=ReopenBy.PROGRAMME_MANAGER
    )
    reopen_until_working_days = models.PositiveSmallIntegerField(
        _("reopening allowed until (working days after the period ends)"),
        validators=[MinValueValidator(1), MaxValueValidator(250)],
        default=20,
    )
    # The agreement's validity and state, kept by governance (never typed on this form).
    valid_from = models.DateField(_("valid from"), editable=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=TermsState, default=TermsState.DRAFT, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryTermsQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "partnership", "-valid_from"]
        verbose_name = _("delivery terms")
        verbose_name_plural = _("delivery terms")
        indexes = [models.Index(fields=["chain", "state"], name="delivery_terms_chain_state")]

    def __str__(self) -> str:
        return _("Delivery terms of %(partner)s") % {"partner": self.partnership.organisation}

    @property
    def deliverer_label(self) -> str:
        return str(self.deliverer) if self.deliverer_id else self.deliverer_role

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def reopen_by_label(self) -> str:
        return str(ReopenBy(self.reopen_by).label)

    def deadline_of(self, period) -> date:
        return add_working_days(period.end, self.delivery_working_day)

    def reopen_until(self, period) -> date:
        return add_working_days(period.end, self.reopen_until_working_days)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def clean(self) -> None:
        super().clean()
        if (
            self.deliverer_id
            and self.partnership_id
            and self.deliverer.organisation_id != self.partnership.organisation_id
        ):
            raise ValidationError(
                {"deliverer": _("Choose a person of %(org)s.") % {"org": self.partnership.organisation}}
            )
        if not self.deliverer_id and not self.deliverer_role.strip():
            raise ValidationError({"deliverer": _("Name the person who delivers, or the role that does.")})


class AgreedDays:
    """The terms in force of some chains, read at once (one query), to ask per partner, indicator
    and period: the agreed delivery day (``dates_of``) — the one rule the grid, My work, the
    reminders, the partners-behind list and the participation page share."""

    def __init__(self, terms: list[tuple[int, int, DeliveryTerms]]):
        self._by: dict[tuple[int, int], list[DeliveryTerms]] = defaultdict(list)
        for organisation_id, indicator_id, one in terms:
            self._by[(organisation_id, indicator_id)].append(one)

    @classmethod
    def of_chains(cls, chain_ids) -> AgreedDays:
        through = DeliveryTerms.indicators.through
        rows = through.objects.filter(
            deliveryterms__chain_id__in=list(chain_ids), deliveryterms__state=TermsState.IN_FORCE
        ).select_related("deliveryterms__partnership")
        return cls([(r.deliveryterms.partnership.organisation_id, r.indicator_id, r.deliveryterms) for r in rows])

    def terms(self, organisation_id: int, indicator_id: int, period) -> DeliveryTerms | None:
        """The terms that apply to the partner's figures of ``period`` (those in force when it ends)."""
        for one in self._by.get((organisation_id, indicator_id), ()):
            if one.covers(period.end):
                return one
        return None

    def has_terms(self, organisation_id: int, indicator_id: int) -> bool:
        """Whether any terms of the partner name the indicator (else its version's dates apply)."""
        return (organisation_id, indicator_id) in self._by

    def dates_of(self, version: IndicatorVersion, organisation_id: int, period) -> EntryDates:
        terms = self.terms(organisation_id, version.indicator_id, period)
        return version.dates_of(period, working_day=terms.delivery_working_day if terms else None)

    def deadline_of(self, version: IndicatorVersion, organisation_id: int, period) -> date:
        return self.dates_of(version, organisation_id, period).deadline

    def __bool__(self) -> bool:
        return bool(self._by)
