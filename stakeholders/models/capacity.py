"""Capacity self-assessments: can each core partner deliver its part (people, money, data and IT,
mandate, knowledge).

Each core partner's lead (or the programme manager) scores the five dimensions 1–5 once per
*window* of the chain's cadence (``Chain.capacity_cadence_months``, twice a year by default). A
window starts on the first of a month counted from January 2000 in steps of the cadence, so with six
months the windows are January–June and July–December; ``window_start(day, months)`` is the one
rule. One assessment per partner per window (a unique constraint): assessing again in the same
window updates it.

Only core partners are asked: they are the partners the chain is bound to (PartnershipStatus), so
their capacity is what the chain's delivery depends on. A partner of the chain or an observer is
not asked and cannot assess.

The flag rule (``flags``): a dimension scoring LOW_SCORE (2) or lower, or DROP (2) or more below
the partner's previous assessment. The chain's capacity page, the partner's history and the
strategic body's agenda suggestions (governance/services/capacity_flags.py) all ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .chains import Chain, Partnership

MIN_SCORE, MAX_SCORE = 1, 5
LOW_SCORE = 2  # a score this low or lower is flagged, and needs an explanation
DROP = 2  # a drop this large or larger since the previous assessment is flagged
EPOCH_YEAR = 2000  # windows are counted from January of this year

# The five dimensions: (score field, label). The explanation of each is ``<field>_note``.
DIMENSIONS: list[tuple[str, object]] = [
    ("people", _("People")),
    ("money", _("Money")),
    ("data_it", _("Data and IT")),
    ("mandate", _("Mandate")),
    ("knowledge", _("Knowledge")),
]
SCORE_FIELDS = [name for name, _label in DIMENSIONS]
LABELS = dict(DIMENSIONS)


def window_start(day: date, months: int) -> date:
    """The first day of the cadence window of ``months`` months that holds ``day``."""
    index = (day.year - EPOCH_YEAR) * 12 + day.month - 1
    start = index - index % months
    return date(EPOCH_YEAR + start // 12, start % 12 + 1, 1)


def shift_window(start: date, months: int, steps: int) -> date:
    """The window ``steps`` windows after (negative: before) the one starting on ``start``."""
    index = (start.year - EPOCH_YEAR) * 12 + start.month - 1 + steps * months
    return date(EPOCH_YEAR + index // 12, index % 12 + 1, 1)


def window_label(start: date, months: int) -> str:
    """ "januari 2026 – juni 2026": the window's first and last month."""
    last = shift_window(start, 1, months - 1)
    if months == 1:
        return date_format(start, "F Y")
    return _("%(start)s – %(end)s") % {"start": date_format(start, "F Y"), "end": date_format(last, "F Y")}


def is_window_start(day: date, months: int) -> bool:
    return day.day == 1 and window_start(day, months) == day


@dataclass(frozen=True)
class DimensionFlag:
    """One reason a dimension is flagged: ``low`` (score ≤ LOW_SCORE) and/or ``drop`` (≥ DROP lower
    than ``previous``)."""

    dimension: str
    score: int
    previous: int | None
    low: bool
    drop: bool

    @property
    def label(self) -> str:
        return str(LABELS[self.dimension])

    @property
    def words(self) -> str:
        """The flag in a sentence: "Mensen: 2, gedaald van 4"."""
        if self.low and self.drop:
            text = _("%(dimension)s: %(score)s, low and dropped from %(previous)s")
        elif self.drop:
            text = _("%(dimension)s: %(score)s, dropped from %(previous)s")
        else:
            text = _("%(dimension)s: %(score)s, 2 or lower")
        return text % {"dimension": self.label, "score": self.score, "previous": self.previous}


def flags(scores: dict[str, int], previous: dict[str, int] | None) -> list[DimensionFlag]:
    """The flag rule on plain scores (field → score), so pages, services and tests share it."""
    found = []
    for name in SCORE_FIELDS:
        score = scores[name]
        before = previous.get(name) if previous else None
        low = score <= LOW_SCORE
        drop = before is not None and before - score >= DROP
        if low or drop:
            found.append(DimensionFlag(name, score, before, low, drop))
    return found


class CapacityAssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CapacityAssessmentQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def latest_per_partner(self, count: int = 2) -> CapacityAssessmentQuerySet:
        """Each partnership's newest ``count`` assessments (newest first), in one query whatever
        the length of the history: a window function numbers them per partnership."""
        return self.annotate(
            recency=models.Window(
                models.functions.RowNumber(),
                partition_by=[models.F("partnership_id")],
                order_by=models.F("period_start").desc(),
            )
        ).filter(recency__lte=count)


def _score_field(label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)]
    )


class CapacityAssessment(models.Model):
    """A core partner's own view of its capacity to deliver its part, for one window."""

    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="capacity_assessments", verbose_name=_("chain")
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="capacity_assessments", verbose_name=_("partner")
    )
    period_start = models.DateField(_("period"), help_text=_("The first day of the period assessed."))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    people = _score_field(pgettext_lazy("capacity dimension", "people"))
    people_note = models.TextField(_("explanation of people"), blank=True)
    money = _score_field(_("money"))
    money_note = models.TextField(_("explanation of money"), blank=True)
    data_it = _score_field(_("data and IT"))
    data_it_note = models.TextField(_("explanation of data and IT"), blank=True)
    mandate = _score_field(_("mandate"))
    mandate_note = models.TextField(_("explanation of mandate"), blank=True)
    knowledge = _score_field(_("knowledge"))
    knowledge_note = models.TextField(_("explanation of knowledge"), blank=True)

    objects = CapacityAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-period_start"]
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_start"],
                name="capacity_one_per_partner_and_period",
                violation_error_message=_("This partner has already assessed its capacity for this period."),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": MIN_SCORE, f"{name}__lte": MAX_SCORE}),
                    name=f"capacity_{name}_1_to_5",
                    violation_error_message=_("A score is a whole number from 1 to 5."),
                )
                for name in SCORE_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gt": LOW_SCORE}) | ~Q(**{f"{name}_note": ""}),
                    name=f"capacity_{name}_low_explained",
                    violation_error_message=_("Explain a score of 2 or lower."),
                )
                for name in SCORE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership.organisation} {self.period_start:%Y-%m}"

    @property
    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in SCORE_FIELDS}

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in SCORE_FIELDS:
            score = getattr(self, name)
            if score is not None and score <= LOW_SCORE and not getattr(self, f"{name}_note").strip():
                errors[f"{name}_note"] = _("Explain a score of 2 or lower: what is missing, and what would help?")
        if self.partnership_id and self.chain_id and self.partnership.chain_id != self.chain_id:
            errors["partnership"] = _("This organisation is not a partner in this chain.")
        if errors:
            raise ValidationError(errors)
