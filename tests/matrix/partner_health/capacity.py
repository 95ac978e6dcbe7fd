"""Matrix rows of capacity self-assessments (stakeholders/views/capacity.py);
see tests/matrix/partner_health/__init__.py.

The pages are every member's (READ); assessing is for the partner's own lead, the programme manager
and administrators (Action.ASSESS_CAPACITY: PARTNER_WRITE), the partner looked up first (a forged
id is not found). The rows point at the partnerships the matrix has already (all core partners).
"""

from __future__ import annotations

from stakeholders.models.capacity import SCORE_FIELDS, CapacityAssessment
from tests.matrix.objects import Objects, in_chain, of
from tests.matrix.policy import PARTNER_WRITE, READ
from tests.matrix.rows import Row, posting


def new_scores(o: Objects, target: str) -> dict:
    return {name: "3" for name in SCORE_FIELDS}


def assessed_scores(o: Objects, target: str) -> list:
    partnership = o.get("partnership", target)
    return list(CapacityAssessment.objects.filter(partnership=partnership).values_list("period_start", "people"))


ROWS: list[Row] = [
    Row("stakeholders:capacity_overview", in_chain(), READ),
    Row("stakeholders:capacity_partner", of("partnership"), READ),
    Row("stakeholders:capacity_assess", of("partnership"), PARTNER_WRITE),
    posting("stakeholders:capacity_assess", of("partnership"), PARTNER_WRITE, new_scores, assessed_scores),
]


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind`` (one per target): none, the
    rows use the matrix's partnerships."""
