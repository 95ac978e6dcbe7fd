"""Decisions by consent: a proposal put to the partners represented in a body, each partner's
position (with "agree to disagree" on the record), and the outcome by the body's rule.

Amending a proposal after an objection starts a new ``round``: every partner is asked again, and
the positions of earlier rounds stay, shown as answers to the previous text. A change of position
within a round updates the row; the audit trail keeps who changed it, when, from what to what.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator, IndicatorVersion
from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Partnership, Person

from .bodies import Body
from .meetings import AgendaItem, Meeting


class StoredGeneratedField(models.GeneratedField):
    """A generated column stored in the table (``db_persist=True``), which both databases the
    portal runs on support (PostgreSQL 12+, SQLite 3.31+). Django's system check asks the database
    server's version to tell whether it supports *virtual* ones, so ``manage.py check --deploy``
    would need a reachable database; for a stored column the answer cannot change it, so that
    check is skipped. Migrations see a plain GeneratedField (``deconstruct``)."""

    def _check_supported(self, databases):
        return []

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.GeneratedField", args, kwargs


class DecisionWay(models.TextChoices):
    MEETING = "meeting", _("At a meeting")
    WRITTEN = "written", _("In writing (schriftelijke ronde)")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> DecisionQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def in_register(self) -> DecisionQuerySet:
        """Newest first by the date the register files them under (``filed_on``)."""
        return self.order_by("-filed_on", "-pk")

    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, with each decision's ``chain`` taken from its body (save() does that for one)."""
        objs = list(objs)
        missing = {obj.body_id for obj in objs if obj.chain_id is None}
        if missing:
            chains = dict(Body.objects.filter(pk__in=missing).values_list("pk", "chain_id"))
            for obj in objs:
                if obj.chain_id is None:
                    obj.chain_id = chains.get(obj.body_id)
        return super().bulk_create(objs, *args, **kwargs)


# The decision register's date: decided (or withdrawn) on, or while open its closing date.
REGISTER_DATE = Coalesce("decided_on", "closes_on")


class Decision(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("body"))
    # The body's chain, kept here (save() and bulk_create() set it) so that the chain's register
    # reads its newest page straight from an index, however long its history.
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="+", editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions_taken", editable=False
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("proposal"))
    way = models.CharField(_("decided"), max_length=10, choices=DecisionWay, default=DecisionWay.MEETING)
    closes_on = models.DateField(_("closing date"), validators=[validate_in_range])
    round = models.PositiveSmallIntegerField(default=1, editable=False)
    status = models.CharField(_("outcome"), max_length=10, choices=DecisionStatus, default=DecisionStatus.OPEN)
    outcome_statement = models.TextField(_("outcome statement"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    review_on = models.DateField(_("review date"), null=True, blank=True, validators=[validate_in_range])
    # The date the register files it under (register_date), computed by the database.
    filed_on = StoredGeneratedField(
        expression=REGISTER_DATE,
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("date in the register"),
    )
    proposed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    created_at = models.DateTimeField(auto_now_add=True)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    indicator_version = models.ForeignKey(
        IndicatorVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator proposal"),
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["body", "-created_at"], name="decision_body_newest"),
            models.Index(fields=["status", "review_on"], name="decision_review"),
            # The register's first page, filtered or not: an index range in register order.
            models.Index(fields=["chain", "-filed_on", "-id"], name="decision_register"),
            models.Index(fields=["chain", "status", "-filed_on", "-id"], name="decision_register_outcome"),
            models.Index(fields=["body", "-filed_on", "-id"], name="decision_register_body"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The chain follows the body; a body that was not loaded has not changed, so costs no query.
        body_loaded = Decision.body.is_cached(self)
        if self.body_id is not None and (
            self.chain_id is None or (body_loaded and self.body.chain_id != self.chain_id)
        ):
            self.chain_id = self.body.chain_id
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "chain"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("governance:decision_detail", args=[self.body.chain.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == DecisionStatus.OPEN

    # The labels by enum lookup: get_FOO_display() hashes every lazy label of the choices on each
    # call, which the register's rows (and its export) would pay per row and position.
    @property
    def status_label(self) -> str:
        return str(DecisionStatus(self.status).label)

    @property
    def way_label(self) -> str:
        return str(DecisionWay(self.way).label)

    @property
    def register_date(self) -> date:
        """The date the register shows and files it under: the day it was decided (or withdrawn),
        and while it is open its closing date. The database computes the same into ``filed_on``
        (REGISTER_DATE); tests/governance/test_decisions_register.py holds the two to agree."""
        return self.decided_on or self.closes_on

    def current_positions(self) -> list[DecisionPosition]:
        """The positions to the current text (this round), from prefetched ``positions`` if there."""
        return [position for position in self.positions.all() if position.round == self.round]

    def earlier_positions(self) -> list[DecisionPosition]:
        """Positions given to an earlier text (before an amendment), oldest round first."""
        return sorted(
            (position for position in self.positions.all() if position.round < self.round),
            key=lambda position: position.round,
        )

    def clean(self) -> None:
        super().clean()
        errors = {}
        chain_id = self.body.chain_id if self.body_id else None
        if self.meeting_id and self.body_id and self.meeting.body_id != self.body_id:
            errors["meeting"] = _("Choose a meeting of this body.")
        if self.indicator_id and chain_id and self.indicator.ambition.chain_id != chain_id:
            errors["indicator"] = _("Choose an indicator of this chain.")
        if self.indicator_version_id and chain_id:
            version_indicator = self.indicator_version.indicator
            if version_indicator.ambition.chain_id != chain_id:
                errors["indicator_version"] = _("Choose an indicator proposal of this chain.")
            elif self.indicator_id and version_indicator.pk != self.indicator_id:
                errors["indicator_version"] = _(
                    "Choose a proposal of the linked indicator, or leave one of them empty."
                )
        if self.review_on and self.decided_on and self.review_on <= self.decided_on:
            errors["review_on"] = _("The review date comes after the day of the decision.")
        if errors:
            raise ValidationError(errors)


class PositionKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    DISSENT = "dissent", _("Consent with recorded dissent")
    ABSTAIN = "abstain", _("Abstain")
    OBJECTION = "objection", _("Objection")
    BLOCK = "block", _("Block")
    ADVICE = "advice", _("Advice (partner of the chain, not counted)")

    @classmethod
    def needing_reason(cls) -> frozenset[str]:
        return frozenset({cls.DISSENT, cls.OBJECTION, cls.BLOCK, cls.ADVICE})


class DecisionPosition(models.Model):
    """One partner's position on a decision in one round, recorded by its member or alternate
    holding a mandate to vote in a body (stakeholders: MandateScope.VOTE_IN_BODY)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="positions")
    round = models.PositiveSmallIntegerField(default=1)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="decision_positions")
    kind = models.CharField(_("position"), max_length=10, choices=PositionKind)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    as_alternate = models.BooleanField(default=False)
    # Issue 15. A stand-in (stakeholders.models.StandIn) records the position "by recorded_by for
    # for_person": the absent lead whose mandate to vote in a body they hold for a while. In a
    # written round of a chain whose silence rule is "silence is consent", a partner that did not
    # answer by the closing date is recorded at closing as consenting by silence (``by_silence``,
    # recorded_by: who closed it): shown as such, never as an active yes.
    for_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stand-in for")
    )
    by_silence = models.BooleanField(_("consent by silence"), default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["decision", "round", "partnership__organisation__name"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "round", "partnership"],
                name="decision_position_once_per_partner_per_round",
                violation_error_message=_("This partner's position is already recorded; change it instead."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["dissent", "objection", "block", "advice"]) | ~models.Q(reason=""),
                name="decision_position_reason_where_needed",
                violation_error_message=_("Give the reason."),
            ),
            models.CheckConstraint(
                condition=models.Q(by_silence=False) | models.Q(kind="consent", for_person__isnull=True),
                name="decision_position_silence_is_consent",
                violation_error_message=_("Silence is recorded as consent only, by nobody in particular."),
            ),
        ]

    def __str__(self) -> str:
        # The audit trail keeps this as the name of what changed: the partner and the round.
        return _("%(partner)s, round %(round)s") % {"partner": self.partnership.organisation, "round": self.round}

    @property
    def is_dissent(self) -> bool:
        return self.kind == PositionKind.DISSENT

    @property
    def kind_label(self) -> str:
        if self.by_silence:
            return str(_("Consent by silence"))
        return str(PositionKind(self.kind).label)

    def clean(self) -> None:
        super().clean()
        if self.kind in PositionKind.needing_reason() and not self.reason.strip():
            raise ValidationError({"reason": _("Give the reason.")})
