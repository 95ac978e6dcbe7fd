"""Matrix rows of course checks' results: the results page (governance/views/course_check_results.py)
and the API (governance/api/course_checks.py); see tests/matrix/partner_health/__init__.py.

They point at the closed checks tests/matrix/partner_health/course_checks.py adds
(``closed_course_check``): every member of the chain reads the results, per partner and never per
person. That no page, export or API endpoint gives anyone an individual answer — not a programme
manager, not an administrator — is tests/governance/test_course_check_results_api.py
(``test_nobody_gets_an_individual_answer_anywhere``, which walks every course-check address).
"""

from __future__ import annotations

from tests.matrix.objects import api_of, of, plain
from tests.matrix.policy import API, READ
from tests.matrix.rows import Row

ROWS: list[Row] = [
    Row("governance:course_check_results", of("closed_course_check"), READ),
    Row("governance-api:course-check-list", plain(), API),
    Row("governance-api:course-check-detail", api_of("closed_course_check"), API),
]


def add_objects(w, found) -> None:
    """Nothing of its own: the course checks module's checks."""
