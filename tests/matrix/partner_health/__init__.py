"""Issue 13's part of the authorisation matrix (tests/test_authorisation_matrix.py): keeping every
partner on board.

One module per feature, as in tests/matrix/governance/: each has ``ROWS`` (its URLs, pages and API)
and ``add_objects(w, found)``, which adds the objects its rows point at to ``found.by_kind`` (one per
target: PARTNER_A, PARTNER_B, OTHER). They run after governance's, in this order.
"""

from tests.matrix.partner_health import (
    benefits,
    capacity,
    contributions,
    course_check_results,
    course_checks,
    participation,
    register,
)

MODULES = [register, capacity, contributions, benefits, course_checks, course_check_results, participation]

ROWS = [row for module in MODULES for row in module.ROWS]


def add_objects(w, found) -> None:
    for module in MODULES:
        module.add_objects(w, found)
