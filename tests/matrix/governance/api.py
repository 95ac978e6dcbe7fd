"""Matrix rows of governance's read API (governance/api/; see tests/matrix/governance/__init__.py).

Read-only: every member of a chain reads its bodies, meetings, decisions and actions; the other
chain's are not found. The objects are the bodies module's bodies and the actions module's
meeting, decision and action per target.
"""

from __future__ import annotations

from tests.matrix.objects import Url, api_of, plain
from tests.matrix.policy import API, OTHER, PARTNER_A, PARTNER_B
from tests.matrix.rows import Row


def _meeting() -> Url:
    return Url((PARTNER_A, PARTNER_B, OTHER), lambda o, t: {"pk": o.get("action_agenda_item", t).meeting_id})


ROWS: list = [
    Row("governance-api:body-list", plain(), API),
    Row("governance-api:body-detail", api_of("body"), API),
    Row("governance-api:meeting-list", plain(), API),
    Row("governance-api:meeting-detail", _meeting(), API),
    Row("governance-api:decision-list", plain(), API),
    Row("governance-api:decision-detail", api_of("action_decision"), API),
    Row("governance-api:action-list", plain(), API),
    Row("governance-api:action-detail", api_of("action"), API),
]


def add_objects(w, found) -> None:
    """Nothing of its own: the rows read the bodies and actions modules' objects."""
