"""Matrix rows of participation health (governance/views/participation.py);
see tests/matrix/partner_health/__init__.py.

The page is the chain's: every member reads it, as every other read page of governance (``READ``);
the other chain's page is its own members'.
"""

from __future__ import annotations

from tests.matrix.objects import in_chain
from tests.matrix.policy import READ
from tests.matrix.rows import Row

ROWS: list[Row] = [Row("governance:participation_detail", in_chain(), READ)]


def add_objects(w, found) -> None:
    """The page points at the chain only: nothing to add."""
