"""Measurements for the indicators issue: dashboard, indicator page, saving a cell, bulk upsert.

Each page is requested through Django's test client (the full middleware stack, templates and
queries — everything but the network), signed in as a person of the chain; times are server
times in milliseconds. Each floor is the plain SQL doing the same data work, timed the same way.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.models import ChainAggregate, Figure, Indicator
from ambitions.periods import Frequency, Period
from bench.timing import Result, p95, sql_p95_ms, timed_ms
from stakeholders.models import Chain, Membership, Person, Role

PAGE_RUNS = 200


def _client(person: Person) -> Client:
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _manager(chain: Chain) -> Person:
    return Membership.objects.get(chain=chain, role=Role.PROGRAMME_MANAGER).person


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")


def dashboard(chain: Chain) -> list[Result]:
    client = _client(_manager(chain))
    url = reverse("ambitions:chain_dashboard", args=[chain.slug])
    samples = timed_ms(lambda: _get(client, url), PAGE_RUNS)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    last = ChainAggregate.objects.filter(indicator__ambition__chain=chain).latest("period").period
    floor = sql_p95_ms(
        "SELECT a.indicator_id, a.period, a.numerator_sum, a.denominator_sum, a.value_sum, a.reported "
        "FROM ambitions_chainaggregate a JOIN ambitions_indicator i ON i.id = a.indicator_id "
        "JOIN ambitions_ambition m ON m.id = i.ambition_id WHERE m.chain_id = %s AND a.period > %s",
        [chain.pk, Period(last, Frequency.MONTH).shifted(-24).start],
    )
    return [
        Result("dashboard_p95", p95(samples), "ms"),
        Result("dashboard_floor", floor, "ms"),
        Result("dashboard_queries", len(queries), "count"),
    ]


def indicator_page(chain: Chain) -> list[Result]:
    indicator = Indicator.objects.filter(ambition__chain=chain).order_by("pk").first()
    client = _client(_manager(chain))
    url = reverse("ambitions:indicator_detail", args=[chain.slug, indicator.pk])
    samples = timed_ms(lambda: _get(client, url), PAGE_RUNS // 2)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    last = Figure.objects.filter(indicator=indicator).latest("period").period
    floor = sql_p95_ms(
        "SELECT unit_id, period, value, numerator, denominator FROM ambitions_figure "
        "WHERE indicator_id = %s AND period > %s",
        [indicator.pk, Period(last, Frequency.MONTH).shifted(-24).start],
    )
    return [
        Result("indicator_page_p95", p95(samples), "ms"),
        Result("indicator_page_floor", floor, "ms"),
        Result("indicator_page_queries", len(queries), "count"),
    ]
