"""The chain's bodies (gremia) and who sits in them, for which partner."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Partnership, Person


class BodyLevel(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    TACTICAL = "tactical", _("Tactical")
    OPERATIONAL = "operational", _("Operational")

    @classmethod
    def rank(cls, level: str) -> int:
        """Higher is closer to the top of the ladder: a body escalates to a higher rank."""
        return {cls.OPERATIONAL: 1, cls.TACTICAL: 2, cls.STRATEGIC: 3}[level]


# A response time longer than a quarter of a year is no escalation ladder.
MAX_RESPONSE_DAYS = 65


class DecisionRule(models.TextChoices):
    CONSENT = "consent", _("Consent of every represented core partner")
    QUALIFIED_MAJORITY = "majority", _("Qualified majority with a quorum")


class BodyQuerySet(models.QuerySet):
    def visible_to(self, user) -> BodyQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))


class Body(models.Model):
    """A steering group, tactical or operational consultation of the chain."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("chain"))
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=BodyLevel)
    purpose = models.TextField(_("purpose"), blank=True)
    decision_rule = models.CharField(
        _("decision rule"), max_length=10, choices=DecisionRule, default=DecisionRule.CONSENT
    )
    majority_percent = models.PositiveSmallIntegerField(
        _("qualified majority (%)"),
        default=67,
        validators=[MinValueValidator(51), MaxValueValidator(100)],
        help_text=_("With a qualified majority: the share of the votes cast that must be in favour."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of the represented partners that must be present (or represented) to decide."),
    )
    escalates_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalates_from",
        verbose_name=_("escalates to"),
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("default meeting length (minutes)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    # The escalation ladder (governance/models/bottlenecks.py): how long this body has to respond
    # to a bottleneck at its level before it goes up to ``escalates_to``.
    response_days = models.PositiveSmallIntegerField(
        _("response time (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESPONSE_DAYS)],
        help_text=_(
            "Working days (Dutch public holidays excluded) this body has to respond to a bottleneck before it "
            "escalates to the next level."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "name"],
                name="body_name_unique_per_chain",
                violation_error_message=_("The chain already has a body with this name."),
            ),
            models.CheckConstraint(
                condition=~models.Q(escalates_to=models.F("pk")),
                name="body_does_not_escalate_to_itself",
                violation_error_message=_("A body cannot escalate to itself."),
            ),
            models.CheckConstraint(
                condition=models.Q(response_days__gte=1),
                name="body_response_time_positive",
                violation_error_message=_("A response time is at least one working day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:body_detail", args=[self.chain.slug, self.pk])

    @property
    def rule_in_words(self) -> str:
        """The decision rule as a sentence: with a qualified majority, its share and the quorum."""
        if self.decision_rule == DecisionRule.QUALIFIED_MAJORITY:
            return _(
                "A qualified majority of %(majority)s%% of the votes cast, with a quorum of %(quorum)s%% of the "
                "represented partners present or represented."
            ) % {"majority": self.majority_percent, "quorum": self.quorum_percent}
        return _(
            "Consent of every represented core partner: a proposal is adopted when none of them objects or blocks."
        )

    def clean(self) -> None:
        super().clean()
        errors = {}
        lower = self._lower_bodies_refusal()
        if lower:
            errors["level"] = lower
        upper = self._escalation_refusal()
        if upper:
            errors["escalates_to"] = upper
        if errors:
            raise ValidationError(errors)

    def _escalation_refusal(self) -> str | None:
        target = self.escalates_to
        if target is None:
            return None
        if self.pk and target.pk == self.pk:
            return _("A body cannot escalate to itself.")
        if self.chain_id and target.chain_id != self.chain_id:
            return _("Choose a body of the same chain.")
        loop = self.ladder_loop()
        if loop:
            return _("This would make the escalation ladder a loop: %(path)s.") % {
                "path": " → ".join(str(body) for body in loop)
            }
        if self.level and BodyLevel.rank(target.level) <= BodyLevel.rank(self.level):
            return _("A body escalates to a body on a higher level (operational → tactical → strategic).")
        return None

    def ladder_loop(self) -> list[Body]:
        """The bodies from this one back to itself if following ``escalates_to`` comes back here
        (a body escalating to itself through others), else an empty list. The levels already rule a
        loop out; this holds even when a body's level was changed after others pointed to it."""
        path: list[Body] = [self]
        seen = {self.pk}
        body = self.escalates_to
        while body is not None:
            path.append(body)
            if body.pk == self.pk and self.pk is not None:
                return path
            if body.pk in seen:  # a loop further up that does not pass through this body
                return []
            seen.add(body.pk)
            body = body.escalates_to
        return []

    def _lower_bodies_refusal(self) -> str | None:
        """A body's level may not drop to (or below) that of a body escalating to it: the ladder
        would run sideways or down, and could close into a loop."""
        if self.pk is None or not self.level:
            return None
        lower = [
            body
            for body in Body.objects.filter(escalates_to=self.pk).exclude(pk=self.pk)
            if BodyLevel.rank(body.level) >= BodyLevel.rank(self.level)
        ]
        if not lower:
            return None
        return _("%(bodies)s escalate(s) to this body, so its level must stay above theirs.") % {
            "bodies": ", ".join(body.name for body in lower)
        }


class MemberPosition(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary")
    ADVISOR = "advisor", _("Advisor")

    @classmethod
    def representing(cls) -> frozenset[str]:
        """Positions that speak for a partner: they record its position on decisions."""
        return frozenset({cls.CHAIR, cls.VICE_CHAIR, cls.MEMBER})

    @classmethod
    def running_meetings(cls) -> frozenset[str]:
        """Positions that prepare meetings and keep the minutes (with the programme manager)."""
        return frozenset({cls.CHAIR, cls.VICE_CHAIR, cls.SECRETARY})


NOT_A_POSSIBLE_MEMBER = _("Choose someone with a role in this chain who works for one of its partners or for none.")


def possible_members(chain: Chain) -> models.QuerySet[Person]:
    """Who can sit in (or stand in for a member of) ``chain``'s bodies: an active person, not an API
    connection, with a role in the chain (so they can open the body's pages), working for a current
    partner of the chain — or for no organisation (the programme office: a secretary or advisor,
    since only someone of the partner can represent it). Forms offer these; ``BodyMember.clean``
    refuses anyone else."""
    partners = Partnership.objects.filter(chain=chain).current().values("organisation_id")
    return (
        Person.objects.filter(is_active=True, is_system=False, memberships__chain=chain)
        .filter(models.Q(organisation_id__in=partners) | models.Q(organisation__isnull=True))
        .select_related("organisation")
        .order_by("full_name", "pk")
        .distinct()
    )


class BodyMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> BodyMemberQuerySet:
        return self.filter(body__chain__in=Chain.objects.visible_to(user))

    def representing(self) -> BodyMemberQuerySet:
        return self.filter(position__in=MemberPosition.representing(), partnership__isnull=False)

    def current_on(self, day: date | None = None) -> BodyMemberQuerySet:
        """The seats that count on ``day`` (today): not ended on or before it."""
        day = day or timezone.localdate()
        return self.filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day))


class CurrentSeatManager(models.Manager.from_queryset(BodyMemberQuerySet)):
    """``BodyMember.objects`` and ``body.members``: the seats that count today. Every check, list,
    notice and feed means these by "the members"; a seat that has ended stays in the minutes and
    the history through ``BodyMember.all_seats`` (and the attendance rows' own link to it)."""

    def get_queryset(self) -> BodyMemberQuerySet:
        return super().get_queryset().current_on()


class BodyMember(models.Model):
    """A person's seat in a body, for the partner they represent, with an alternate."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members", verbose_name=_("body"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="body_seats", verbose_name=_("person"))
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="body_seats",
        verbose_name=_("represents"),
        help_text=_("The partner this member speaks for. Secretaries and advisors may represent none."),
    )
    position = models.CharField(_("position"), max_length=12, choices=MemberPosition, default=MemberPosition.MEMBER)
    alternate = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alternate_seats",
        verbose_name=_("alternate"),
        help_text=_("Stands in when the member is absent (plaatsvervanger)."),
    )
    ended_on = models.DateField(
        _("seat ends on"),
        null=True,
        blank=True,
        validators=[validate_in_range],
        help_text=_(
            "From this day on the seat no longer counts; it stays in the minutes and the history. "
            "Leave empty while the seat lasts."
        ),
    )

    objects = CurrentSeatManager()
    all_seats = BodyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["body", "partnership__organisation__name", "person__full_name"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        constraints = [
            # One open seat per person and body; seats that ended may be many (someone who
            # returns gets a new seat, the old one stays in the minutes it is part of).
            models.UniqueConstraint(
                fields=["body", "person"],
                condition=models.Q(ended_on__isnull=True),
                name="body_member_once_per_body",
                violation_error_message=_("This person already has a seat in this body."),
            ),
            models.CheckConstraint(
                condition=~models.Q(alternate=models.F("person")),
                name="body_member_alternate_is_someone_else",
                violation_error_message=_("A member cannot be their own alternate."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_position_display()}, {self.body})"

    @property
    def has_ended(self) -> bool:
        return self.ended_on is not None and self.ended_on <= timezone.localdate()

    @property
    def represents_a_partner(self) -> bool:
        return self.partnership_id is not None and self.position in MemberPosition.representing()

    def in_approved_minutes(self) -> bool:
        """Whether the seat's attendance is part of minutes the chair has approved (then the seat
        stays as it was: removing it, or giving it to someone else, would rewrite those minutes)."""
        if self.pk is None:
            return False
        from .meetings import MeetingStatus  # meetings imports this module

        return self.attendance.filter(meeting__status=MeetingStatus.MINUTES_APPROVED).exists()

    def delete(self, *args, **kwargs):
        if self.in_approved_minutes():
            from .meetings import MinutesLockedError

            raise MinutesLockedError(self.pk)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = {}
        chain_id = self.body.chain_id if self.body_id else None
        if chain_id:
            candidates = possible_members(self.body.chain)
            outside = NOT_A_POSSIBLE_MEMBER
            for name in ("person", "alternate"):
                someone = getattr(self, f"{name}_id")
                if someone and not candidates.filter(pk=someone).exists():
                    errors[name] = outside
        if self.position in MemberPosition.representing() and not self.partnership_id:
            errors["partnership"] = _("A chair, vice-chair or member represents a partner: choose which.")
        if self.partnership_id and self.body_id and self.partnership.chain_id != self.body.chain_id:
            errors["partnership"] = _("Choose a partner of this body's chain.")
        organisation_id = self.partnership.organisation_id if self.partnership_id else None
        if (
            organisation_id
            and self.person_id
            and "person" not in errors
            and self.person.organisation_id != organisation_id
        ):
            errors["person"] = _("Only someone from %(org)s can represent it.") % {"org": self.partnership.organisation}
        if self.alternate_id and "alternate" not in errors:
            if self.alternate_id == self.person_id:
                errors["alternate"] = _("A member cannot be their own alternate.")
            elif organisation_id and self.alternate.organisation_id != organisation_id:
                errors["alternate"] = _("The alternate must also be from %(org)s.") % {
                    "org": self.partnership.organisation
                }
        if errors:
            raise ValidationError(errors)
