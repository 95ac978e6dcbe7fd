"""The chain's shape as a map (issue 14, point 5).

A *relay chain* (police → OM → court → probation) hands the case on: its map is an ordered row of
``MapStep``s, numbered 1, 2, 3 … without a gap, each with one or more partners (partners at the
same step work in parallel) and the indicator that measures the step's lead time ("hours from
arrest to OM decision"). A *network* works from one shared dossier: its map is the same steps
drawn as the partners around that dossier, the numbers only the order of drawing.

Where a step's norm comes from (decided for issue 14, see docs/chain-map.md): the norm is the one
the chain consented to, the linked indicator's adopted definition — its trajectory's value for the
period shown (``IndicatorProgress.target``, which reaches the version's target at its target
period), exactly what the dashboard's tile judges. So map and tile never disagree, and no
programme manager sets a norm past the core partners' consent. ``MapStep.norm`` is only the
fallback, shown (unjudged) while the step has no indicator with an adopted definition or figures.

``ChainMap.revision`` guards the whole map against concurrent edits: the edit page carries the
revision it showed, and ``replace_steps`` refuses to save over a newer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from stakeholders.models import Chain, Partnership, Person

from .definitions import Indicator
from .figures import VALUE


class ChainMapQuerySet(models.QuerySet):
    def visible_to(self, user) -> ChainMapQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))


class ChainMap(models.Model):
    """A chain's map: its steps (``steps``), the shared dossier's name (a network) and a revision."""

    chain = models.OneToOneField(Chain, on_delete=models.CASCADE, related_name="chain_map", verbose_name=_lazy("chain"))
    dossier = models.CharField(
        _lazy("shared dossier"),
        max_length=200,
        blank=True,
        help_text=_lazy("For a network: what the partners work from together, e.g. “the family plan”."),
    )
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ChainMapQuerySet.as_manager()

    class Meta:
        verbose_name = _lazy("chain map")
        verbose_name_plural = _lazy("chain maps")

    def __str__(self) -> str:
        return str(self.chain)

    def replace_steps(self, dossier: str, drafts: Sequence[StepDraft], seen_revision: int, by: Person | None) -> bool:
        """Save ``drafts`` as the map's steps, all or nothing, if nobody saved since ``seen_revision``.

        False (nothing saved) when the map changed meanwhile: the conditional UPDATE claims the
        revision, so of two concurrent saves from the same revision only one gets through."""
        problems = order_problems(drafts)
        if problems:
            raise ValueError([problem.message for problem in problems])
        with transaction.atomic():
            claimed = ChainMap.objects.filter(pk=self.pk, revision=seen_revision).update(
                revision=F("revision") + 1, dossier=dossier, updated_by=by
            )
            if not claimed:
                return False
            self.steps.all().delete()
            for draft in drafts:
                step = MapStep.objects.create(
                    chain_map=self,
                    position=draft.position,
                    name=draft.name,
                    indicator=draft.indicator,
                    norm=draft.norm,
                )
                step.partners.set(draft.partners)
        self.refresh_from_db(fields=["revision", "dossier", "updated_at", "updated_by"])
        return True


class MapStep(models.Model):
    """One step of the map: who holds the case at that point (parallel partners), and how long it takes."""

    chain_map = models.ForeignKey(ChainMap, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_lazy("step"))
    name = models.CharField(_lazy("what happens"), max_length=200)
    partners = models.ManyToManyField(Partnership, related_name="map_steps", verbose_name=_lazy("partners"))
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="map_steps",
        verbose_name=_lazy("lead-time indicator"),
    )
    norm = models.DecimalField(_lazy("norm of the step"), **VALUE)

    class Meta:
        ordering = ["chain_map", "position"]
        verbose_name = _lazy("step")
        verbose_name_plural = _lazy("steps")
        constraints = [
            models.UniqueConstraint(fields=["chain_map", "position"], name="map_step_position_unique"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="map_step_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class OrderProblem(NamedTuple):
    """One thing wrong with a step order: the message, and the step and field it is about
    (``position`` None: the order as a whole)."""

    message: str
    position: int | None = None
    field: str = "position"


@dataclass
class StepDraft:
    """A step as the edit form hands it over, before it is saved (the rule below checks drafts)."""

    position: int
    name: str
    partners: list[Partnership] = field(default_factory=list)
    indicator: Indicator | None = None
    norm: Decimal | None = None


def order_problems(drafts: Sequence[StepDraft]) -> list[OrderProblem]:
    """What is wrong with the order of ``drafts``, in words; empty when it can be saved.

    The one rule for a step order (the edit form shows these messages, ``replace_steps`` refuses):

    - a *gap*: the steps are numbered 1, 2, 3 … each once, so the map has no hole and no two
      steps claim the same place (parallel partners belong in one step, not in two with one number);
    - a *loop*: the case never comes back to a partner it already passed, so a partner is at one
      step only (police at step 1 and again at step 3 would send the case round in a circle).
    A step without partners hands the case to nobody, and is refused too."""
    problems: list[OrderProblem] = []
    numbers = sorted(d.position for d in drafts)
    seen: set[int] = set()
    for number in numbers:
        if number in seen:
            message = _(
                "Two steps have number %(number)s. Give each step its own number; partners that work in "
                "parallel belong in one step."
            )
            problems.append(OrderProblem(message % {"number": number}, number))
        seen.add(number)
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - seen)
    if missing:
        message = _("The steps must be numbered 1, 2, 3 … without a gap: number %(missing)s is missing.")
        problems.append(OrderProblem(message % {"missing": ", ".join(str(n) for n in missing)}))
    first_at: dict[int, int] = {}
    for draft in sorted(drafts, key=lambda d: d.position):
        if not draft.partners:
            message = _("Step %(number)s has no partner: choose who holds the case there.")
            problems.append(OrderProblem(message % {"number": draft.position}, draft.position, "partners"))
        for partner in draft.partners:
            earlier = first_at.get(partner.pk)
            if earlier is not None and earlier != draft.position:
                message = _(
                    "%(partner)s is at step %(first)s and again at step %(again)s: the case would go round in a "
                    "loop. Give each partner one step."
                )
                values = {"partner": partner.organisation.name, "first": earlier, "again": draft.position}
                problems.append(OrderProblem(message % values, draft.position, "partners"))
            first_at.setdefault(partner.pk, draft.position)
    return problems
