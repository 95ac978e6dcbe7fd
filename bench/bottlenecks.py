"""Measurements for bottlenecks (issue 11): the chain's bottleneck board and the escalation sweep,
on the bottlenecks data set (manage.py build_bottlenecks_dataset: 100,000 bottlenecks, 10,000 open
across the levels of the five benchmark chains' ladders, one in twenty open ones overdue).

- ``bottleneck_board_p95``: the first chain's board (its 2,000 open bottlenecks, highest level
  first, the first page of 50 with level, partners, owner, age and clock, and the counts) through
  the test client as the chain's programme manager, and filtered on a partner; the floor is the
  plain SQL reading the same page.
- ``escalation_sweep``: one run of the scheduled task's work over every open bottleneck of every
  chain (governance/services/bottlenecks.py ``sweep`` then ``send_notices``: 1,000 overdue ones
  below the top escalated, the receiving bodies' secretaries mailed), inside a transaction that is
  rolled back so every round finds the same work. Seconds, median of five rounds; the sweep's
  queries are counted apart (constant whatever the number escalated).
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.ambitions import _client, _manager
from bench.governance import _page
from bench.timing import Result, p95, sql_p95_ms
from governance.services import bottlenecks as service
from stakeholders.models import Chain, Partnership

SWEEP_ROUNDS = 5


def bottleneck_board(chain: Chain) -> list[Result]:
    client = _client(_manager(chain))
    url = reverse("governance:bottleneck_list", args=[chain.slug])
    board, queries = _page("bottleneck_board", client, url)
    partner = Partnership.objects.filter(chain=chain).order_by("pk").first()
    filtered, filtered_queries = _page("bottleneck_board_partner", client, f"{url}?partner={partner.pk}")
    floor = sql_p95_ms(_BOARD_FLOOR, {"chain": chain.pk})
    return [
        board,
        Result("bottleneck_board_queries", queries, "count"),
        Result("bottleneck_board_floor", floor, "ms"),
        filtered,
        Result("bottleneck_board_partner_queries", filtered_queries, "count"),
    ]


# What the board's first page shows: 50 open bottlenecks, highest level first, with body, owner and
# partners, and the counts; one statement.
_BOARD_FLOOR = """
WITH page AS (
    SELECT b.id, b.title, b.due_on, b.reported_at, b.responded_at, d.name AS body, d.level, p.full_name AS owner
    FROM governance_bottleneck b
    JOIN governance_body d ON d.id = b.body_id
    JOIN stakeholders_person p ON p.id = b.owner_id
    WHERE b.chain_id = %(chain)s AND b.status IN ('reported', 'in_progress')
    ORDER BY CASE d.level WHEN 'strategic' THEN 3 WHEN 'tactical' THEN 2 ELSE 1 END DESC, b.due_on, b.id
    LIMIT 50
)
SELECT page.*,
       (SELECT string_agg(o.name, ', ') FROM governance_bottleneck_partners bp
        JOIN stakeholders_partnership sp ON sp.id = bp.partnership_id
        JOIN stakeholders_organisation o ON o.id = sp.organisation_id WHERE bp.bottleneck_id = page.id),
       (SELECT count(*) FROM governance_bottleneck WHERE chain_id = %(chain)s
        AND status IN ('reported', 'in_progress'))
FROM page
"""


def escalation_sweep() -> list[Result]:
    seconds, escalated, told = [], 0, 0
    for _ in range(SWEEP_ROUNDS):
        with transaction.atomic():
            start = time.perf_counter()
            escalated = service.sweep()
            told = service.send_notices()
            seconds.append(time.perf_counter() - start)
            transaction.set_rollback(True)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        service.sweep()
        transaction.set_rollback(True)
    ordered = sorted(seconds)
    return [
        Result("escalation_sweep", ordered[len(ordered) // 2], "s"),
        Result("escalation_sweep_escalated", escalated, "count"),
        Result("escalation_sweep_people_mailed", told, "count"),
        # The savepoint of the outer transaction and its release come on top of SWEEP_QUERIES.
        Result("escalation_sweep_queries", len(queries), "count"),
        Result("escalation_sweep_worst", p95(seconds), "s"),
    ]


def bottlenecks(chain: Chain) -> list[Result]:
    return [*bottleneck_board(chain), *escalation_sweep()]
