from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.colours import validate_contrast_with_white
from stakeholders.dates import validate_in_range

from .organisations import Organisation


class ChainKind(models.TextChoices):
    RELAY = "relay", _("Relay chain")
    NETWORK = "network", _("Network")


class ReportingFrequency(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class SilenceRule(models.TextChoices):
    """What silence means when a core partner has not answered a proposal by its deadline (issue 15)."""

    NOT_CONSENT = "not_consent", _("Silence is not consent")
    CONSENT = "consent", _("Silence is consent after the deadline")

    @property
    def meaning(self) -> str:
        return str(_SILENCE_MEANINGS[self])


_SILENCE_MEANINGS = {
    SilenceRule.NOT_CONSENT: _(
        "Silence is not consent: a partner that has not answered by the deadline has not consented. The "
        "proposal stays open and is put forward for the agenda of the chain's strategic body."
    ),
    SilenceRule.CONSENT: _(
        "Silence is consent: a partner that has not answered by the deadline is recorded as consenting by "
        "silence — never as an active yes."
    ),
}


class ChainQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ChainQuerySet":
        """The chains where the user has a role; platform administrators see all, anonymous none.
        Every other ``visible_to`` composes on this one, so no model needs the policy module."""
        if not user.is_authenticated:
            return self.none()
        if user.is_active and (user.is_superuser or user.is_staff):
            return self
        return self.filter(memberships__person=user)

    def visible_with_role(self, user, slug: str) -> "Chain | None":
        """The chain with this slug if ``visible_to(user)`` holds it, with the user's role in it as
        ``viewer_role``; None when there is no such chain or the user may not see it."""
        found = self.with_viewer_role(user, slug)
        return found[0] if found else None

    def with_viewer_role(self, user, slug: str | None = None) -> list["Chain"]:
        """The chains ``visible_to(user)`` holds (or the one with this slug), by name, each with the
        user's role in it as ``viewer_role`` (None for an administrator who holds none).

        Every chain page starts here and My work lists them, so it is one plain statement: built by
        the ORM (a join for the policy, a subquery for the role) it cost ~3 ms of Python per page
        against ~0.7 ms for this (issue 16). The rule is visible_to's, written as its condition."""
        if self.query.has_filters():
            raise TypeError("with_viewer_role reads Chain.objects as a whole; it would ignore these filters")
        if not user.is_authenticated:
            return []
        membership = self.model._meta.get_field("memberships").related_model._meta.db_table
        sees_all = bool(user.is_active and (user.is_superuser or user.is_staff))
        sql = (
            f"SELECT chain.*, membership.role AS viewer_role FROM {self.model._meta.db_table} chain "  # noqa: S608 - table names from the models
            f"LEFT JOIN {membership} membership ON membership.chain_id = chain.id AND membership.person_id = %s "
            "WHERE (%s OR membership.role IS NOT NULL)"
        )
        params: list = [user.pk, sees_all]
        if slug is not None:
            sql += " AND chain.slug = %s"
            params.append(slug)
        return list(self.raw(sql + " ORDER BY chain.name, chain.id", params))


colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #154273."))


class Chain(models.Model):
    """A collaboration of organisations around one societal question."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in web addresses"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChainKind, default=ChainKind.RELAY)
    societal_question = models.TextField(_("societal question"), blank=True)
    mission = models.TextField(_("mission"), blank=True)
    shared_values = models.TextField(_("shared values"), blank=True, help_text=_("One value per line."))
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    # White text is shown on the colour (the chain bar, reports, the public page): hence the contrast rule.
    colour = models.CharField(
        _("chain colour"),
        max_length=7,
        default="#154273",
        validators=[colour_validator, validate_contrast_with_white],
    )
    logo = models.ImageField(_("logo"), upload_to="chain-logos/", blank=True)
    reporting_frequency = models.CharField(
        _("reporting frequency"), max_length=10, choices=ReportingFrequency, default=ReportingFrequency.MONTH
    )
    report_working_day = models.PositiveSmallIntegerField(
        _("report on working day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The progress report is drafted on this working day after the period ends."),
    )
    # How often the chain looks at itself (issue 13): each core partner's capacity self-assessment
    # (stakeholders/models/capacity.py) and the course check of its bodies' members
    # (governance/models/course_checks.py). In months; 6 is twice a year.
    capacity_cadence_months = models.PositiveSmallIntegerField(
        _("capacity assessment every (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Each core partner's lead assesses its capacity this often."),
    )
    course_check_cadence_months = models.PositiveSmallIntegerField(
        _("course check every (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The members of the chain's bodies are asked whether the chain is still on course this often."),
    )
    # Consent that cannot stall (issue 15): how long core partners have to answer a proposal, and
    # what their silence means after that (SilenceRule), shown on every proposal.
    consent_answer_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The default deadline for answering a proposal, in working days from proposing."),
    )
    silence_rule = models.CharField(
        _("silence after the deadline"), max_length=12, choices=SilenceRule, default=SilenceRule.NOT_CONSENT
    )
    # The reminder before the answer deadline (ambitions/services/consent_deadlines.py); it must come
    # before the deadline's own day, so fewer working days than the answer time (the settings form).
    consent_reminder_days = models.PositiveSmallIntegerField(
        _("remind before the deadline (working days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "Partners that have not answered a proposal, or a body's written decision, get one reminder "
            "this many working days before its deadline, and one on the day itself. Fewer than the answer time."
        ),
    )

    objects = ChainQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("chain")
        verbose_name_plural = _("chains")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:chain_detail", args=[self.slug])

    @property
    def values_list(self) -> list[str]:
        return [line.strip() for line in self.shared_values.splitlines() if line.strip()]


class PartnershipStatus(models.TextChoices):
    """What an organisation's place in a chain binds it to. The one rule, used everywhere it matters
    (consent on indicators, decisions in a body, signing agreements, rotating as host): only a core
    partner is *bound* — counted, asked, required, able to block. A partner of the chain (an
    independent body such as a court or an inspectorate) takes part and advises without being bound;
    an observer follows along."""

    CORE = "core", _("Core partner")
    PARTNER_OF_CHAIN = "partner_of_chain", _("Partner of the chain")
    OBSERVER = "observer", _("Observer")

    @property
    def is_bound(self) -> bool:
        return self in BOUND_STATUSES

    @property
    def meaning(self) -> str:
        """The status in one sentence, as the partners pages explain it."""
        return str(_STATUS_MEANINGS[self])


BOUND_STATUSES = frozenset({PartnershipStatus.CORE})

_STATUS_MEANINGS = {
    PartnershipStatus.CORE: _(
        "A core partner is bound by the chain: it consents to indicators, is counted in the decisions of "
        "the bodies, signs the agreements and can block a decision."
    ),
    PartnershipStatus.PARTNER_OF_CHAIN: _(
        "A partner of the chain, such as a court or an inspectorate, takes part and gives advice but is "
        "not bound: it is not counted in decisions or asked to consent to indicators, never has to sign "
        "an agreement and can never block."
    ),
    PartnershipStatus.OBSERVER: _("An observer follows the chain's work: it is not counted, not asked and not bound."),
}


class PartnershipRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    COORDINATOR = "coordinator", _("Coordinator")
    ENFORCER = "enforcer", _("Enforcer")
    FACILITATOR = "facilitator", _("Facilitator")
    EXECUTOR = "executor", _("Executor")
    FUNDER = "funder", _("Funder")


class PartnershipQuerySet(models.QuerySet):
    def bound(self) -> "PartnershipQuerySet":
        """The partners bound by the chain (PartnershipStatus: core partners only)."""
        return self.filter(status__in=BOUND_STATUSES)

    def visible_to(self, user) -> "PartnershipQuerySet":
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def current(self) -> "PartnershipQuerySet":
        from django.utils import timezone

        today = timezone.localdate()
        return self.filter(models.Q(left_on__isnull=True) | models.Q(left_on__gte=today))


class Partnership(models.Model):
    """An organisation's place in one chain."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("chain"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=20, choices=PartnershipStatus, default=PartnershipStatus.CORE)
    role = models.CharField(_("role in the chain"), max_length=20, choices=PartnershipRole, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True, validators=[validate_in_range])
    left_on = models.DateField(_("left on"), null=True, blank=True, validators=[validate_in_range])
    interests = models.TextField(_("interests"), blank=True, help_text=_("What this partner wants to gain."))

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "organisation__name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "organisation"],
                name="partnership_unique_per_chain",
                violation_error_message=_("This organisation is already a partner in this chain."),
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(joined_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="partnership_left_after_joined",
                violation_error_message=_("The date of leaving cannot be before the date of joining."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.chain}"

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:partnership_detail", args=[self.chain.slug, self.pk])

    @property
    def is_bound(self) -> bool:
        """Counted, asked and required by the chain's consent, decisions and agreements (PartnershipStatus)."""
        return PartnershipStatus(self.status).is_bound

    @property
    def status_meaning(self) -> str:
        return PartnershipStatus(self.status).meaning

    def clean(self) -> None:
        super().clean()
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("The date of leaving cannot be before the date of joining.")})
