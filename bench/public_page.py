"""Measurements for the chain's public page (issue 14, point 4), on the 1m set.

The first benchmark chain's page is switched on (once, idempotently) with an adopted decision of its
steering group and its first three indicators, then requested anonymously through the test client:

- ``public_dashboard_p95``: with the cache warm (the minute's copy in Redis; goal ≤ 20 ms);
- ``public_dashboard_cold_p95``: with the chain's cache entry deleted before every request, so each
  builds the page from the roll-ups (goal ≤ 80 ms); ``public_dashboard_cold_queries`` its queries.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ambitions.models import Indicator
from bench.ambitions import _get
from bench.timing import Result, p95_of_rounds, timed_ms
from governance.models import Body, BodyLevel, Decision, DecisionStatus
from governance.models.public_page import PublicPage
from governance.views.public_page import _cache_key
from stakeholders.models import Chain

RUNS = 200
COLD_RUNS = 60


def _switched_on(chain: Chain) -> PublicPage:
    page = PublicPage.objects.filter(chain=chain).first()
    if page is not None and page.enabled:
        return page
    body = Body.objects.filter(chain=chain, level=BodyLevel.STRATEGIC).order_by("pk").first()
    decision = Decision.objects.filter(body=body, status=DecisionStatus.ADOPTED).order_by("pk").first()
    page, _ = PublicPage.objects.update_or_create(chain=chain, defaults={"enabled": True, "decision": decision})
    page.indicators.set(Indicator.objects.filter(ambition__chain=chain).order_by("pk")[:3])
    return page


def public_page(chain: Chain) -> list[Result]:
    page = _switched_on(chain)
    url = reverse("public:page_detail", args=[chain.slug])
    client = Client()  # anonymous: the public page's cache is for anonymous callers only
    with translation.override("nl"):  # the language anonymous callers get
        key = _cache_key(PublicPage.objects.select_related("chain").get(pk=page.pk), "page")

    warm = p95_of_rounds("public_dashboard", lambda: timed_ms(lambda: _get(client, url), RUNS))

    def cold_request() -> None:
        cache.delete(key)
        _get(client, url)

    cold = p95_of_rounds("public_dashboard_cold", lambda: timed_ms(cold_request, COLD_RUNS, warmup=3))
    cache.delete(key)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return [
        Result("public_dashboard_p95", warm, "ms"),
        Result("public_dashboard_cold_p95", cold, "ms"),
        Result("public_dashboard_cold_queries", len(queries), "count"),
    ]
