"""*My work*, the start page everyone opens first, on the 1m set (issue 16: it took a third of all
worker time in the load test).

``my_work_p95`` is the worse of two people's p95, each measured as bench/ambitions.py measures a
page (Django's test client, the whole middleware stack, signed in; milliseconds, median round of
five): a contributor whose organisation has figures due and overdue in the benchmark chain (the
first contributor, as the load test's first contributor), and a reader (the chain's last
contributor, as the load test's readers are contributors who enter nothing during the test). Both
hold no mandate, as nearly everyone: what My work asks of a person with none is what it costs most
often. ``my_work_reader_p95`` and ``my_work_contributor_p95`` are the two, and ``my_work_queries``
the queries of one contributor's request.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.ambitions import _client, _get
from bench.timing import Result, p95_of_rounds, timed_ms
from stakeholders.models import Chain, Membership, Role

RUNS = 100


def my_work(chain: Chain) -> list[Result]:
    contributors = Membership.objects.filter(chain=chain, role=Role.CONTRIBUTOR).select_related("person")
    people = {
        "contributor": contributors.order_by("person__pk").first().person,
        "reader": contributors.order_by("-person__pk").first().person,
    }
    url = reverse("stakeholders:my_work")
    results, worst = [], 0.0
    for name, person in people.items():
        client = _client(person)
        p95_ms = p95_of_rounds(f"my_work_{name}", lambda client=client: timed_ms(lambda: _get(client, url), RUNS))
        results.append(Result(f"my_work_{name}_p95", p95_ms, "ms"))
        worst = max(worst, p95_ms)
    client = _client(people["contributor"])
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return [Result("my_work_p95", worst, "ms"), *results, Result("my_work_queries", len(queries), "count")]
