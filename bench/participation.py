"""Measurements for participation health (issue 13, point 6): the chain's participation page over
all the activity of the first benchmark chain of the 1m set (200 units: its figures, bodies,
meetings with attendance, decisions with positions, agreements, actions and course checks).

- ``participation_page_p95``: the page through the test client as the chain's programme manager
  (every partner's figures on time over the last 12 periods, positions, attendance, signatures
  outstanding, the latest course check and overdue actions; governance/services/participation.py);
  ``participation_page_queries`` its queries (a fixed number, whatever the chain's size).
- ``participation_health_p95``: the read model alone (what the chain home's "partners that need
  attention" costs).
"""

from __future__ import annotations

from django.urls import reverse

from bench.ambitions import _client, _manager
from bench.governance import _page
from bench.timing import Result, p95_of_rounds, timed_ms
from governance.services import participation
from stakeholders.models import Chain

RUNS = 40


def participation_page(chain: Chain) -> list[Result]:
    client = _client(_manager(chain))
    url = reverse("governance:participation_detail", args=[chain.slug])
    page, queries = _page("participation_page", client, url)
    health = p95_of_rounds("participation_health", lambda: timed_ms(lambda: participation.health(chain), RUNS))
    return [
        page,
        Result("participation_page_queries", queries, "count"),
        Result("participation_health_p95", health, "ms"),
    ]
