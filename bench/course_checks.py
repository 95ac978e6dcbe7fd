"""Measurements for course checks (issue 13), on the course checks data set (manage.py
build_course_checks_dataset: 20 closed checks per benchmark chain, 400 people of the chain's
partners asked in each, 2,000 over the five chains; about 288,000 scores).

- ``course_check_results_p95``: the first chain's latest check's results page (per partner and
  dimension for its ten partners, the chain score and spread, the trend over eight checks, the
  response, the comments and open answers) through the test client as the chain's programme
  manager; its query count is constant (governance/services/course_check_results.py
  ``PAGE_QUERIES`` plus the page's own). The floor is the plain SQL of the two biggest statements
  (the scores per partner and dimension, and the trend).
- ``course_check_api_p95``: ``GET /api/course-checks/`` (the chain's checks, one page of the
  caller's chains, each with its results per partner and dimension), with its constant query count.
"""

from __future__ import annotations

from django.urls import reverse

from bench.ambitions import _client, _manager
from bench.governance import _page
from bench.timing import Result, sql_p95_ms
from governance.models.course_checks import CourseCheck
from stakeholders.models import Chain


def course_checks(chain: Chain) -> list[Result]:
    check = CourseCheck.objects.filter(chain=chain).order_by("-opens_on").first()
    if check is None:
        raise SystemExit("No course checks: run manage.py build_course_checks_dataset (bench/run.py does).")
    client = _client(_manager(chain))
    url = reverse("governance:course_check_results", args=[chain.slug, check.pk])
    page, queries = _page("course_check_results", client, url)
    api, api_queries = _page("course_check_api", client, "/api/course-checks/", runs=50)
    floor = sql_p95_ms(_FLOOR, {"check": check.pk, "chain": chain.pk, "opens_on": check.opens_on})
    return [
        page,
        Result("course_check_results_queries", queries, "count"),
        Result("course_check_results_floor", floor, "ms"),
        api,
        Result("course_check_api_queries", api_queries, "count"),
    ]


# The scores per partner and dimension of the check, and the chain score per dimension of its
# last eight closed checks: the page's two biggest statements, in one.
_FLOOR = """
SELECT r.partnership_id, s.dimension, sum(sc.score), count(*)
FROM governance_coursecheckscore sc
JOIN governance_coursecheckrespondent r ON r.id = sc.respondent_id
JOIN governance_coursecheckstatement s ON s.id = sc.statement_id
WHERE r.course_check_id = %(check)s AND r.answered_at IS NOT NULL
GROUP BY 1, 2
UNION ALL
SELECT r.course_check_id, s.dimension, sum(sc.score), count(*)
FROM governance_coursecheckscore sc
JOIN governance_coursecheckrespondent r ON r.id = sc.respondent_id
JOIN governance_coursecheckstatement s ON s.id = sc.statement_id
WHERE r.answered_at IS NOT NULL AND r.course_check_id IN (
    SELECT id FROM governance_coursecheck WHERE chain_id = %(chain)s AND status = 'closed'
    AND opens_on <= %(opens_on)s ORDER BY opens_on DESC LIMIT 8)
GROUP BY 1, 2
"""
