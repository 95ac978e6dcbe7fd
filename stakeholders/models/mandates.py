from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range

from .chains import Chain, Partnership
from .people import Membership, Person, Role


class MandateScope(models.TextChoices):
    CONSENT_INDICATORS = "consent_indicators", _("Consent to indicators")
    VOTE_IN_BODY = "vote_in_body", _("Vote in a body")
    SIGN_AGREEMENTS = "sign_agreements", _("Sign agreements")
    APPROVE_FIGURES = "approve_figures", _("Approve figures")
    SPEAK_FOR_CHAIN = "speak_for_chain", _("Speak for the chain")

    @classmethod
    def roles_for(cls, scope: str) -> frozenset[str]:
        """The roles in a chain that can act on a mandate of this scope: a contributor, viewer or
        (for consent and approval) steering group member holding one could never use it."""
        leads = {Role.PARTNER_LEAD, Role.PROGRAMME_MANAGER}
        if scope in (cls.CONSENT_INDICATORS, cls.APPROVE_FIGURES):
            return frozenset(leads)
        return frozenset(leads | {Role.STEERING_MEMBER})

    @classmethod
    def needed(cls) -> tuple[str, ...]:
        """What every core partner needs someone for: consent to indicators, approve its figures,
        vote in bodies and sign agreements. Without it, the chain stalls at that step."""
        return (cls.CONSENT_INDICATORS, cls.APPROVE_FIGURES, cls.VOTE_IN_BODY, cls.SIGN_AGREEMENTS)


@dataclass(frozen=True)
class MandateGap:
    """A core partner with nobody who can act for it in these scopes."""

    partnership: Partnership
    scopes: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return [MandateScope(scope).label for scope in self.scopes]

    @property
    def items(self) -> list[tuple[str, str]]:
        """(scope, label) per missing scope, for a link to grant each."""
        return [(scope, MandateScope(scope).label) for scope in self.scopes]


class MandateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MandateQuerySet":
        return self.filter(partnership__chain__in=Chain.objects.visible_to(user))

    def valid_on(self, day: date | None = None) -> "MandateQuerySet":
        day = day or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)

    def expiring_within(self, days: int, today: date | None = None) -> "MandateQuerySet":
        today = today or timezone.localdate()
        return self.valid_on(today).filter(valid_until__lte=today + timezone.timedelta(days=days))

    def usable_on(self, day: date | None = None) -> "MandateQuerySet":
        """The mandate rule: mandates someone can act on that day — valid then, held by an active
        person of the partner's own organisation whose role in the partner's chain can use the
        scope (MandateScope.roles_for). stakeholders.permissions.has_mandate asks this for one
        person; lists, reminders and the missing-mandate warnings ask it for many."""
        return self.valid_on(day).held_usably()

    def usable_between(self, first: date, last: date) -> "MandateQuerySet":
        """The mandate rule over a period: mandates usable on at least one day of first–last
        (a stand-in receives these, clipped to the period: stakeholders/models/stand_ins.py)."""
        overlapping = self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first), valid_from__lte=last)
        return overlapping.held_usably()

    def held_usably(self) -> "MandateQuerySet":
        """The mandate rule without the dates: held by an active person of the partner's own
        organisation whose role in the partner's chain can use the scope."""
        scopes_per_roles: dict[frozenset[str], list[str]] = {}
        for scope in MandateScope.values:
            scopes_per_roles.setdefault(MandateScope.roles_for(scope), []).append(scope)
        fits = Q()
        for roles, scopes in scopes_per_roles.items():
            role = Membership.objects.filter(
                person=OuterRef("person"), chain=OuterRef("partnership__chain"), role__in=roles
            )
            fits |= Q(Exists(role), scope__in=scopes)
        return self.filter(
            fits,
            person__is_active=True,
            person__is_system=False,  # an API connection acts for no one
            person__organisation=F("partnership__organisation"),
        )

    def missing_for(self, partnerships: models.QuerySet, day: date | None = None) -> list[MandateGap]:
        """The current core partners among ``partnerships`` with nobody who can act for them in a
        needed scope (MandateScope.needed), each with those scopes; one query."""
        needed = MandateScope.needed()
        usable = self.usable_on(day)
        partners = (
            partnerships.current()
            .bound()
            .annotate(
                **{f"has_{scope}": Exists(usable.filter(partnership=OuterRef("pk"), scope=scope)) for scope in needed}
            )
            .select_related("organisation", "chain")
            .order_by("chain__name", "organisation__name")
        )
        gaps = []
        for partnership in partners:
            missing = tuple(scope for scope in needed if not getattr(partnership, f"has_{scope}"))
            if missing:
                gaps.append(MandateGap(partnership, missing))
        return gaps


class Mandate(models.Model):
    """Authority for one person to act for one partner, in one scope, for a time.

    Acting on behalf of an organisation (consent, vote, sign) checks for a valid
    mandate through stakeholders.permissions.has_mandate — never a shared login.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("person"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("for partner")
    )
    scope = models.CharField(_("scope"), max_length=30, choices=MandateScope)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate, validators=[validate_in_range])
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no end date."),
        validators=[validate_in_range],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    # Set when the mandate is a stand-in's copy of an absent lead's (stakeholders/models/stand_ins.py):
    # it follows its StandIn (created, clipped and ended with it) and is never edited on its own.
    stand_in = models.ForeignKey(
        "stakeholders.StandIn",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="mandates",
        verbose_name=_("as stand-in"),
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
        if self.person_id and self.person.is_system:
            raise ValidationError({"person": _("An API connection cannot hold a mandate.")})
        if self.person_id and self.partnership_id and self.person.organisation_id != self.partnership.organisation_id:
            raise ValidationError(
                {
                    "person": _("Only someone from %(org)s can hold a mandate for it.")
                    % {"org": self.partnership.organisation}
                }
            )
        self._check_role_can_use_scope()

    def _check_role_can_use_scope(self) -> None:
        """Refuse a mandate its holder's role in the chain could never use (MandateScope.roles_for,
        the rule usable_on applies): a contributor with a consent mandate would be asked for consent
        and then refused."""
        if not (self.person_id and self.partnership_id and self.scope in MandateScope.values):
            return
        role = (
            Membership.objects.filter(person_id=self.person_id, chain_id=self.partnership.chain_id)
            .values_list("role", flat=True)
            .first()
        )
        usable_by = MandateScope.roles_for(self.scope)
        if role in usable_by:
            return
        about = {
            "person": self.person,
            "scope": MandateScope(self.scope).label,
            "roles": " / ".join(str(Role(r).label).lower() for r in Role.values if r in usable_by),
        }
        if role is None:
            message = _("%(person)s has no role in this chain, so could never use a mandate to “%(scope)s”.") % about
        else:
            about["role"] = str(Role(role).label).lower()
            message = (
                _(
                    "%(person)s is %(role)s in this chain and could never use a mandate to “%(scope)s”: "
                    "that needs the role %(roles)s."
                )
                % about
            )
        raise ValidationError({"scope": message})
