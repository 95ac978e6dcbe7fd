"""Matrix rows of the stakeholder register (stakeholders/views/register.py and its API);
see tests/matrix/partner_health/__init__.py."""

from __future__ import annotations

from tests.matrix.rows import Row

ROWS: list[Row] = []


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind`` (one per target)."""
