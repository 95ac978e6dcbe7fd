"""The stakeholder register: parties around the chain that are not partners, and the contacts with them.

A stakeholder is an organisation or a person acting for one (a ministry, a city council, an
interest group, the press) — a party, never a citizen or a case. Its influence and interest (1–5)
place it on the power/interest grid (``Quadrant``); its current and desired engagement say how far
the chain still has to bring it (``engagement_gap``). A stakeholder is made inactive, never
deleted, so its contact log and history stay.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range

from .chains import Chain
from .people import Person

SCORE_MIN, SCORE_MAX = 1, 5
# On the grid a score of HIGH_FROM or more is "high": the quadrant lines lie between 2 and 3.
HIGH_FROM = 3
NAME_MAX = 200
TEXT_MAX = 4000


class StakeholderKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry or central government")
    MUNICIPAL = "municipal", _("City council or municipal politics")
    SUPERVISOR = "supervisor", _("Inspectorate or supervisory body")
    INTEREST_GROUP = "interest_group", _("Interest group")
    MEDIA = "media", _("Press and media")
    KNOWLEDGE = "knowledge", _("Knowledge institute")
    OTHER = "other", _("Other")


class Attitude(models.IntegerChoices):
    OPPOSED = 1, _("Opposed")
    CRITICAL = 2, _("Critical")
    NEUTRAL = 3, _("Neutral")
    POSITIVE = 4, _("Positive")
    SUPPORTIVE = 5, _("Supportive")


class Engagement(models.IntegerChoices):
    UNAWARE = 1, _("Unaware")
    RESISTANT = 2, _("Resistant")
    NEUTRAL = 3, _("Neutral")
    SUPPORTIVE = 4, _("Supportive")
    LEADING = 5, _("Leading")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")
    AD_HOC = "ad_hoc", _("When there is reason to")


class Quadrant(models.TextChoices):
    """Where influence (power) and interest place a stakeholder, and what the chain does about it."""

    MANAGE_CLOSELY = "manage_closely", _("Manage closely")
    KEEP_SATISFIED = "keep_satisfied", _("Keep satisfied")
    KEEP_INFORMED = "keep_informed", _("Keep informed")
    MONITOR = "monitor", _("Monitor")

    @classmethod
    def of(cls, influence: int, interest: int) -> Quadrant:
        powerful, interested = influence >= HIGH_FROM, interest >= HIGH_FROM
        if powerful:
            return cls.MANAGE_CLOSELY if interested else cls.KEEP_SATISFIED
        return cls.KEEP_INFORMED if interested else cls.MONITOR


def chain_members(chain: Chain) -> models.QuerySet[Person]:
    """Who can own a stakeholder of ``chain``: an active person (not an API connection) with a role
    in it. The form offers these, and ``Stakeholder.clean`` refuses anyone else."""
    return (
        Person.objects.filter(is_active=True, is_system=False, memberships__chain=chain)
        .select_related("organisation")
        .order_by("full_name", "pk")
        .distinct()
    )


class StakeholderQuerySet(models.QuerySet):
    def visible_to(self, user) -> StakeholderQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def active(self) -> StakeholderQuerySet:
        return self.filter(is_active=True)

    def with_gap(self) -> StakeholderQuerySet:
        """The chain wants more engagement than there is (``Stakeholder.engagement_gap`` > 0)."""
        return self.filter(desired_engagement__gt=models.F("current_engagement"))

    def without_gap(self) -> StakeholderQuerySet:
        return self.filter(desired_engagement__lte=models.F("current_engagement"))

    def with_contact_summary(self) -> StakeholderQuerySet:
        """Adds ``contact_count`` and ``last_contact_on`` (one query for any number of stakeholders)."""
        return self.annotate(contact_count=models.Count("contacts"), last_contact_on=models.Max("contacts__on"))


def _score_field(label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text=_("1 (very low) to 5 (very high)."),
    )


class Stakeholder(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="stakeholders", verbose_name=_("chain"))
    name = models.CharField(
        _("name"), max_length=NAME_MAX, help_text=_("The organisation, or a person by their public role.")
    )
    kind = models.CharField(_("type"), max_length=20, choices=StakeholderKind, default=StakeholderKind.OTHER)
    influence = _score_field(_("influence"))
    interest = _score_field(_("interest"))
    attitude = models.PositiveSmallIntegerField(_("attitude"), choices=Attitude, default=Attitude.NEUTRAL)
    current_engagement = models.PositiveSmallIntegerField(
        _("current engagement"), choices=Engagement, default=Engagement.UNAWARE
    )
    desired_engagement = models.PositiveSmallIntegerField(
        _("desired engagement"), choices=Engagement, default=Engagement.SUPPORTIVE
    )
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_stakeholders",
        verbose_name=_("owner in the chain"),
        help_text=_("Who keeps in touch with this stakeholder: a member of the chain."),
    )
    approach = models.TextField(
        _("how we engage them"), blank=True, help_text=_("For example: a yearly visit by the chair, a newsletter.")
    )
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency, default=Frequency.QUARTERLY)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added on"), default=timezone.now, editable=False)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        indexes = [models.Index(fields=["chain", "is_active", "name"], name="stakeholder_chain_active")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(influence__gte=SCORE_MIN, influence__lte=SCORE_MAX),
                name="stakeholder_influence_1_5",
                violation_error_message=_("Influence is a score from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=models.Q(interest__gte=SCORE_MIN, interest__lte=SCORE_MAX),
                name="stakeholder_interest_1_5",
                violation_error_message=_("Interest is a score from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=models.Q(attitude__gte=1, attitude__lte=5),
                name="stakeholder_attitude_1_5",
                violation_error_message=_("Choose an attitude."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    current_engagement__gte=1,
                    current_engagement__lte=5,
                    desired_engagement__gte=1,
                    desired_engagement__lte=5,
                ),
                name="stakeholder_engagement_1_5",
                violation_error_message=_("Choose an engagement level."),
            ),
            models.UniqueConstraint(
                fields=["chain", "name"],
                name="stakeholder_unique_name_per_chain",
                violation_error_message=_("This chain already has a stakeholder with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:stakeholder_detail", args=[self.chain.slug, self.pk])

    @property
    def quadrant(self) -> Quadrant:
        return Quadrant.of(self.influence, self.interest)

    @property
    def engagement_gap(self) -> int:
        """How many steps the chain wants to bring the stakeholder further (0: where we want it;
        below 0: further than needed, which is no gap)."""
        return self.desired_engagement - self.current_engagement

    @property
    def has_gap(self) -> bool:
        return self.engagement_gap > 0

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        self.name = (self.name or "").strip()
        if (
            self.name
            and self.chain_id
            and (
                Stakeholder.objects.filter(chain_id=self.chain_id, name__iexact=self.name).exclude(pk=self.pk).exists()
            )
        ):
            errors.setdefault("name", []).append(_("This chain already has a stakeholder with this name."))
        if self.owner_id and self.chain_id and not chain_members(self.chain).filter(pk=self.owner_id).exists():
            errors.setdefault("owner", []).append(_("Choose a member of this chain as owner."))
        if errors:
            raise ValidationError(errors)

    def set_active(self, active: bool) -> bool:
        """Make the stakeholder active or inactive; False when it already was (nothing changes)."""
        if self.is_active == active:
            return False
        self.is_active = active
        self.save(update_fields=["is_active"])
        return True


class ContactKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Phone call")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


def validate_not_future(day) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError(_("A contact cannot lie in the future."), code="future")


class StakeholderContact(models.Model):
    """One contact with a stakeholder: when, how, what about, by whom."""

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("stakeholder")
    )
    on = models.DateField(_("date"), validators=[validate_in_range, validate_not_future])
    kind = models.CharField(_("kind of contact"), max_length=10, choices=ContactKind, default=ContactKind.MEETING)
    summary = models.TextField(
        _("summary"), help_text=_("What was discussed or agreed; no personal details of citizens.")
    )
    by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("logged on"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["stakeholder", "on"], name="stakeholder_contact_on")]

    def __str__(self) -> str:
        return f"{self.stakeholder} · {self.on}"
