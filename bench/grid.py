"""The entry grid page: an organisation's 20 units × 20 indicators (400 cells) for one month.

Requested through Django's test client as a contributor of the chain, for their own
organisation and the data set's latest month (the period cell_save writes to: every cell open,
most with a figure, 12 of the 20 indicators ratios with two inputs). ``grid_page_kb`` is the
uncompressed HTML; ``grid_page_queries`` the queries of one request.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.models import Figure
from ambitions.periods import Frequency, Period
from bench.timing import Result, p95_of_rounds, timed_ms
from stakeholders.models import Chain, Membership, Role

RUNS = 40
CELLS = 400


def grid_page(chain: Chain) -> list[Result]:
    person = (
        Membership.objects.filter(chain=chain, role=Role.CONTRIBUTOR).select_related("person").order_by("pk")[0].person
    )
    last = Period(Figure.objects.filter(indicator__ambition__chain=chain).latest("period").period, Frequency.MONTH)
    url = reverse("ambitions:entry_grid", args=[chain.slug, last.slug])
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")

    def get() -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.content

    page = get()
    cells = page.count(b"data-kp-cell")
    if cells != CELLS:
        raise RuntimeError(f"grid_page needs the 1m data set's grid of {CELLS} cells, found {cells}")
    p95_ms = p95_of_rounds("grid_page", lambda: timed_ms(get, RUNS))
    with CaptureQueriesContext(connection) as queries:
        get()
    return [
        Result("grid_page_p95", p95_ms, "ms"),
        Result("grid_page_kb", len(page) / 1024, "kB"),
        Result("grid_page_queries", len(queries), "count"),
    ]
