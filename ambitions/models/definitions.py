"""What a chain wants to achieve and how it is measured: ambitions, indicators and their versions.

An indicator's definition lives in immutable *versions*. A version is drafted, proposed to the
core partners, adopted when every core partner's mandated lead consents (an objection stops it),
and superseded when a later version takes effect. Once proposed, a version's definition is locked:
changing it means proposing a new version that takes effect from a given period, so figures
before that period stay under the definition they were reported against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambitions.periods import Frequency, Period
from stakeholders.models import Chain, Partnership, Person, Unit
from stakeholders.working_days import add_working_days


class AmbitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> AmbitionQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))


class Ambition(models.Model):
    """A shared ambition (gedeelde ambitie): what the chain wants to reach together, by when."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="ambitions", verbose_name=_("chain"))
    statement = models.CharField(_("ambition"), max_length=300)
    societal_interest = models.TextField(_("societal interest"), blank=True)
    horizon = models.DateField(_("horizon date"), help_text=_("When the ambition should be reached."))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = AmbitionQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "position", "pk"]
        verbose_name = _("ambition")
        verbose_name_plural = _("ambitions")

    def __str__(self) -> str:
        return self.statement


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> IndicatorQuerySet:
        return self.filter(ambition__chain__in=Chain.objects.visible_to(user))


class Indicator(models.Model):
    """The stable identity of a measure; its definition is in IndicatorVersion."""

    ambition = models.ForeignKey(
        Ambition, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("ambition")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["ambition", "position", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["ambition", "name"],
                name="indicator_name_unique_per_ambition",
                violation_error_message=_("This ambition already has an indicator with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ambitions:indicator_detail", args=[self.ambition.chain.slug, self.pk])

    @property
    def chain(self) -> Chain:
        return self.ambition.chain


class IndicatorKind(models.TextChoices):
    SUM = "sum", _("Sum (an additive count or amount)")
    RATIO = "ratio", _("Ratio (numerator / denominator × factor)")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Trajectory(models.TextChoices):
    LINEAR = "linear", _("Linear from the baseline to the target")
    STEPPED = "stepped", _("Stepped milestones")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    STOPPED = "stopped", _("Stopped by an objection")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class IndicatorVersionQuerySet(models.QuerySet):
    def in_force(self) -> IndicatorVersionQuerySet:
        """Versions that figures may be reported against."""
        return self.filter(status__in=[VersionStatus.ADOPTED, VersionStatus.SUPERSEDED])

    def awaiting_answer(self) -> IndicatorVersionQuerySet:
        """Proposals open for the core partners' answers (issue 15: also after their deadline, while
        silence is not consent)."""
        return self.filter(status=VersionStatus.PROPOSED)

    def past_answer_deadline(self, today: date) -> IndicatorVersionQuerySet:
        """Proposals still open whose answer deadline has passed (the strategic body's agenda
        suggestions, ambitions/services/consent_deadlines.py)."""
        return self.awaiting_answer().filter(answer_by__lt=today)


# The fields that make up the definition; frozen once a version leaves the draft stage.
DEFINITION_FIELDS = (
    "effective_from",
    "kind",
    "unit_label",
    "direction",
    "decimals",
    "frequency",
    "factor",
    "numerator_label",
    "denominator_label",
    "baseline_period",
    "baseline_value",
    "target_period",
    "target_value",
    "trajectory",
    "milestones",
    "tolerance",
    "min_value",
    "max_value",
    "allow_negative",
    "is_share",
    "deadline_days",
    "entry_window_days",
)


@dataclass(frozen=True)
class EntryDates:
    """When figures for a period can be entered (``opens`` to ``closes``) and when they are due.

    Of one version for one period (``IndicatorVersion.dates_of``), or of several together (a
    grid, a row of the entry index, an organisation's reminder): ``merged`` keeps the first
    deadline and the widest window, so a period is due as soon as any of its indicators is."""

    opens: date
    deadline: date
    closes: date

    def merged(self, other: EntryDates | None) -> EntryDates:
        if other is None:
            return self
        return EntryDates(
            min(self.opens, other.opens), min(self.deadline, other.deadline), max(self.closes, other.closes)
        )

    def is_open(self, on: date) -> bool:
        return self.opens <= on <= self.closes

    def is_past_deadline(self, on: date) -> bool:
        return on > self.deadline

    def due_or_overdue(self, on: date, within_days: int) -> str | None:
        """For *My work* and the reminders: "due" when the deadline falls within ``within_days``
        of ``on``, "overdue" when it has passed while the window is still open, else None."""
        if on > self.closes:
            return None
        if on <= self.deadline <= on + timedelta(days=within_days):
            return "due"
        if self.deadline < on:
            return "overdue"
        return None


# Set on an IndicatorVersion instance by services.consensus.amend only: a stopped proposal's
# definition may change while it opens a new round (IndicatorVersion._refuse_definition_change).
AMENDING = "_amending_stopped_proposal"


class LockedVersionError(Exception):
    """Raised when code tries to change the definition of a version that is no longer a draft."""


class IndicatorVersion(models.Model):
    """One definition of an indicator, valid from ``effective_from`` until a later version takes over."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="versions", verbose_name=_("indicator")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus, default=VersionStatus.DRAFT)
    effective_from = models.DateField(
        _("takes effect from"), help_text=_("The first period reported under this definition.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind, default=IndicatorKind.RATIO)
    unit_label = models.CharField(_("unit"), max_length=40, help_text=_("E.g. %, cases, days, euro."))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction, default=Direction.HIGHER)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1, validators=[MaxValueValidator(4)])
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency, default=Frequency.MONTH)
    factor = models.DecimalField(
        _("factor"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("A ratio is numerator / denominator × factor; 100 gives a percentage."),
    )
    numerator_label = models.CharField(_("numerator"), max_length=200, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=200, blank=True)
    baseline_period = models.DateField(_("baseline period"))
    baseline_value = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4)
    target_period = models.DateField(_("target period"))
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    trajectory = models.CharField(_("trajectory"), max_length=10, choices=Trajectory, default=Trajectory.LINEAR)
    milestones = models.JSONField(
        _("milestones"),
        default=list,
        blank=True,
        help_text='Stepped trajectory: [{"period": "2026-06-01", "value": "50"}, …], earliest first.',
    )
    tolerance = models.DecimalField(
        _("tolerance for at risk"),
        max_digits=18,
        decimal_places=4,
        default=Decimal(5),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("How far behind the trajectory still counts as at risk rather than off track."),
    )
    min_value = models.DecimalField(_("lowest plausible value"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(
        _("highest plausible value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    allow_negative = models.BooleanField(_("negative values allowed"), default=False)
    is_share = models.BooleanField(
        _("part of a whole"),
        default=True,
        help_text=_("For a ratio: the numerator is part of the denominator, so it can never be larger."),
    )
    reporting_units = models.ManyToManyField(
        Unit, related_name="reported_indicator_versions", verbose_name=_("reporting units"), blank=True
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days after the period ends)"), default=10, validators=[MaxValueValidator(366)]
    )
    entry_window_days = models.PositiveSmallIntegerField(
        _("entry window (days after the period ends)"),
        default=90,
        validators=[MaxValueValidator(3660)],
        help_text=_("Figures can be entered from the start of a period until this many days after it ends."),
    )
    rationale = models.TextField(_("reason for this version"), blank=True)
    proposed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("adopted or stopped at"), null=True, blank=True)
    # Consent that cannot stall (issue 15): the day the core partners answer by (the chain's
    # default of working days from proposing, or a later day the proposer chose) and the round of
    # answers: amending after an objection opens a new round; earlier answers stay, to the
    # previous text (ambitions/models/proposals.py keeps each round's text and the timeline).
    answer_by = models.DateField(_("answer by"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)

    objects = IndicatorVersionQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-number"]
        verbose_name = _("indicator version")
        verbose_name_plural = _("indicator versions")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="indicator_version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(target_period__gt=models.F("baseline_period")),
                name="indicator_version_target_after_baseline",
                violation_error_message=_("The target period must come after the baseline period."),
            ),
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(max_value__gte=models.F("min_value")),
                name="indicator_version_min_below_max",
                violation_error_message=_("The highest plausible value cannot be below the lowest."),
            ),
        ]
        indexes = [models.Index(fields=["indicator", "status", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.indicator} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk and not self._state.adding:
            self._refuse_definition_change(kwargs.get("update_fields"))
        for name in ("effective_from", "baseline_period", "target_period"):
            day = getattr(self, name)
            if isinstance(day, date):
                # Periods are stored by their first day, whatever day the user picked.
                setattr(self, name, Period.containing(day, self.frequency).start)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.baseline_period and self.target_period and self.target_period <= self.baseline_period:
            errors["target_period"] = _("The target period must come after the baseline period.")
        if self.min_value is not None and self.max_value is not None and self.max_value < self.min_value:
            errors["max_value"] = _("The highest plausible value cannot be below the lowest.")
        if self.trajectory == Trajectory.STEPPED and not self.milestones:
            errors["milestones"] = _("A stepped trajectory needs at least one milestone.")
        if errors:
            raise ValidationError(errors)

    def _refuse_definition_change(self, update_fields) -> None:
        """The model-level lock behind forms and API: a proposed or adopted definition never changes."""
        if update_fields is not None and not set(update_fields) & set(DEFINITION_FIELDS):
            return
        stored = type(self).objects.filter(pk=self.pk).values("status", *DEFINITION_FIELDS).first()
        if stored is None or stored["status"] == VersionStatus.DRAFT:
            return
        # The one way a stopped proposal's text changes: services.consensus.amend opens a new round
        # (and sets this flag on the instance it saves); nothing else unlocks a definition.
        if stored["status"] == VersionStatus.STOPPED and getattr(self, AMENDING, False):
            return
        changed = [name for name in DEFINITION_FIELDS if stored[name] != getattr(self, name)]
        if changed:
            raise LockedVersionError(f"{self} is {stored['status']}; its definition cannot change ({changed})")

    @property
    def is_ratio(self) -> bool:
        return self.kind == IndicatorKind.RATIO

    @property
    def first_period(self) -> Period:
        return Period.containing(self.effective_from, self.frequency)

    # --- The reporting calendar: the one rule for deadlines, entry windows and due periods. The
    # grid, the cell checks, My work, the reminders, the entry index, the dashboard and the
    # partners-behind list all ask these.

    def deadline_of(self, period: Period, working_day: int | None = None) -> date:
        """The last day to report ``period`` on time; later figures are marked late. With a
        partner's agreed delivery day (``working_day``, models.delivery.AgreedDays), that working
        day after the period ends instead of the version's ``deadline_days``."""
        if working_day:
            return add_working_days(period.end, working_day)
        return period.end + timedelta(days=self.deadline_days)

    def entry_window_of(self, period: Period) -> tuple[date, date]:
        """The first and last day figures for ``period`` can be entered."""
        return period.start, period.end + timedelta(days=self.entry_window_days)

    def dates_of(self, period: Period, working_day: int | None = None) -> EntryDates:
        opens, closes = self.entry_window_of(period)
        return EntryDates(opens, self.deadline_of(period, working_day), closes)

    def is_open_for(self, period: Period, on: date) -> bool:
        opens, closes = self.entry_window_of(period)
        return opens <= on <= closes

    def open_periods(self, on: date, *, ahead_days: int = 0) -> list[Period]:
        """The periods of this version's frequency, from its first, whose entry window contains
        ``on`` (or, with ``ahead_days``, that open within that many days)."""
        horizon = on + timedelta(days=ahead_days)
        # The oldest period still open closes entry_window_days after it ends, so it ended after this day.
        period = max(self.first_period, Period.containing(on - timedelta(days=self.entry_window_days), self.frequency))
        newest = Period.containing(horizon, self.frequency)
        periods = []
        while period <= newest:
            opens, closes = self.entry_window_of(period)
            if opens <= horizon and on <= closes:
                periods.append(period)
            period = period.next
        return periods

    def due_periods(self, on: date, versions: list[IndicatorVersion], *, within_days: int = 0) -> list[Period]:
        """The open periods (see ``open_periods``) that this version governs: of its indicator's
        ``versions`` in force (latest start first, as services.versions.versions_in_force lists
        them), it is the one with the latest start on or before the period."""
        return [
            period
            for period in self.open_periods(on, ahead_days=within_days)
            if next((v for v in versions if v.effective_from <= period.start), None) is self
        ]


class ConsentPosition(models.TextChoices):
    CONSENT = "consent", _("Consent")
    OBJECTION = "objection", _("Objection")


class Consent(models.Model):
    """A core partner's answer to a proposed version in one round, given by a person with a consent
    mandate — or by a stand-in "for" the lead they replace (``for_person``) — or, where the chain's
    rule says silence is consent, recorded as silence after the deadline (``by_silence``, no person):
    never shown as an active "yes"."""

    version = models.ForeignKey(IndicatorVersion, on_delete=models.CASCADE, related_name="consents")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="indicator_consents")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    for_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stand-in for")
    )
    by_silence = models.BooleanField(_("consent by silence"), default=False)
    position = models.CharField(_("answer"), max_length=10, choices=ConsentPosition)
    reason = models.TextField(_("reason"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        ordering = ["answered_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "round", "partnership"],
                name="consent_one_answer_per_partner_per_round",
                violation_error_message=_("This partner has already answered."),
            ),
            models.CheckConstraint(
                condition=models.Q(by_silence=True, person__isnull=True, position="consent")
                | models.Q(by_silence=False, person__isnull=False),
                name="consent_by_person_or_by_silence",
                violation_error_message=_("An answer is given by a person, or recorded as silence."),
            ),
            models.CheckConstraint(
                condition=~models.Q(position="objection") | ~models.Q(reason=""),
                name="consent_objection_has_reason",
                violation_error_message=_("An objection needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()} · {self.partnership_id} · {self.version_id}"


class VersionComment(models.Model):
    """A remark on a proposed version; partners of the chain comment, they do not block."""

    version = models.ForeignKey(IndicatorVersion, on_delete=models.CASCADE, related_name="comments")
    partnership = models.ForeignKey(Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:60]
