"""Measurements for benefits and contributions (issue 13, points 3 and 4), on the partner health data
set (manage.py build_partner_health_dataset: every partner of the benchmark chains with three years
of commitments of each kind and their quarters, and 3–5 benefits with 4 assessments each).

- ``benefits_page_p95``: the first chain's page "What each partner gains" (every partner's benefits
  beside its contributions of this year) through the test client as the chain's programme manager;
  ``benefits_page_queries`` its queries (a fixed number, whatever the number of partners and benefits).
- ``contributions_page_p95``: the chain's contributions page (partners × kinds, committed against
  delivered with totals) and ``contributions_page_queries``.
"""

from __future__ import annotations

from django.urls import reverse

from bench.ambitions import _client, _manager
from bench.governance import _page
from bench.timing import Result
from stakeholders.models import Chain


def benefits(chain: Chain) -> list[Result]:
    client = _client(_manager(chain))
    page, queries = _page("benefits_page", client, reverse("ambitions:benefit_overview", args=[chain.slug]))
    contributions, contribution_queries = _page(
        "contributions_page", client, reverse("stakeholders:contribution_list", args=[chain.slug])
    )
    return [
        page,
        Result("benefits_page_queries", queries, "count"),
        contributions,
        Result("contributions_page_queries", contribution_queries, "count"),
    ]
