"""What the capacity pages show (stakeholders/views/capacity.py): per core partner its latest
assessment against the one before (the trend), its flags, and whether this period's assessment is
still missing. The rules are the model's (stakeholders/models/capacity.py); this only assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stakeholders.models import Chain, Partnership
from stakeholders.models.capacity import (
    DIMENSIONS,
    CapacityAssessment,
    DimensionFlag,
    flags,
    shift_window,
    window_label,
    window_start,
)
from stakeholders.permissions import Action, allows

# Queries board() runs, whatever the number of partners and the length of their history.
QUERIES = 2


@dataclass(frozen=True)
class Cell:
    """One dimension of one assessment, with the score of the assessment before it."""

    dimension: str
    label: str
    score: int | None
    previous: int | None
    note: str
    flagged: bool

    @property
    def trend(self) -> str:
        """ "up", "down", "same", or "" without two scores to compare."""
        if self.score is None or self.previous is None:
            return ""
        if self.score > self.previous:
            return "up"
        return "down" if self.score < self.previous else "same"


@dataclass(frozen=True)
class Assessed:
    """An assessment with its cells and flags (against the partner's assessment before it)."""

    assessment: CapacityAssessment
    label: str  # the period in words
    cells: list[Cell]
    flags: list[DimensionFlag]


def assessed(assessment: CapacityAssessment, previous: CapacityAssessment | None, months: int) -> Assessed:
    before = previous.scores if previous else None
    found = flags(assessment.scores, before)
    flagged = {f.dimension for f in found}
    cells = [
        Cell(
            name,
            str(label),
            getattr(assessment, name),
            before[name] if before else None,
            getattr(assessment, f"{name}_note"),
            name in flagged,
        )
        for name, label in DIMENSIONS
    ]
    return Assessed(assessment, window_label(assessment.period_start, months), cells, found)


@dataclass(frozen=True)
class PartnerRow:
    partnership: Partnership
    latest: Assessed | None
    due: bool  # the current period has no assessment yet
    can_assess: bool


@dataclass(frozen=True)
class Board:
    window: date  # the current period's first day
    window_label: str
    rows: list[PartnerRow]

    @property
    def flagged(self) -> list[PartnerRow]:
        return [row for row in self.rows if row.latest and row.latest.flags]

    @property
    def due_count(self) -> int:
        return sum(row.due for row in self.rows)


def current_window(chain: Chain, today: date) -> date:
    return window_start(today, chain.capacity_cadence_months)


def assessable_windows(chain: Chain, today: date) -> list[date]:
    """The periods that may be assessed on ``today``: the current one, then the one before."""
    current = current_window(chain, today)
    return [current, shift_window(current, chain.capacity_cadence_months, -1)]


def board(chain: Chain, user, today: date) -> Board:
    """The chain's current core partners with their latest two assessments (QUERIES queries)."""
    months = chain.capacity_cadence_months
    window = current_window(chain, today)
    partners = list(
        Partnership.objects.filter(chain=chain)
        .bound()
        .current()
        .select_related("organisation")
        .order_by("organisation__name")
    )
    recent: dict[int, list[CapacityAssessment]] = {}
    for assessment in (
        CapacityAssessment.objects.filter(partnership__in=[p.pk for p in partners])
        .latest_per_partner(2)
        .order_by("partnership_id", "-period_start")
    ):
        recent.setdefault(assessment.partnership_id, []).append(assessment)
    rows = []
    for partner in partners:
        mine = recent.get(partner.pk, [])
        latest = assessed(mine[0], mine[1] if len(mine) > 1 else None, months) if mine else None
        rows.append(
            PartnerRow(
                partner,
                latest,
                due=not mine or mine[0].period_start < window,
                can_assess=allows(user, Action.ASSESS_CAPACITY, chain, partner.organisation),
            )
        )
    return Board(window, window_label(window, months), rows)


def history(partnership: Partnership, limit: int = 20) -> list[Assessed]:
    """The partner's newest ``limit`` assessments, newest first, each against the one before."""
    found = list(
        CapacityAssessment.objects.filter(partnership=partnership)
        .select_related("assessed_by")
        .order_by("-period_start")[: limit + 1]
    )
    months = partnership.chain.capacity_cadence_months
    return [assessed(a, found[i + 1] if i + 1 < len(found) else None, months) for i, a in enumerate(found[:limit])]
