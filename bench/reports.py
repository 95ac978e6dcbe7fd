"""Measurements for the progress reports: drafting one chain's report, all chains', and the report page.

Drafting is timed as the scheduled task does it (services.reports.draft_report: snapshot plus
insert), inside a transaction that is rolled back so every run starts without a report.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.urls import reverse

from ambitions.models import Figure
from ambitions.periods import Frequency, Period
from ambitions.services.reports import draft_report
from bench.ambitions import _client, _get, _manager
from bench.timing import Result, p95_of_rounds, timed_ms
from stakeholders.models import Chain


class _Rollback(Exception):
    pass


def _last_period(chain: Chain) -> Period:
    return Period(Figure.objects.filter(indicator__ambition__chain=chain).latest("period").period, Frequency.MONTH)


def _draft_seconds(chains: list[Chain]) -> float:
    periods = {chain.pk: _last_period(chain) for chain in chains}
    start = time.perf_counter()
    try:
        with transaction.atomic():
            for chain in chains:
                draft_report(chain, periods[chain.pk])
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def reports(chain: Chain) -> list[Result]:
    chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
    one = min(_draft_seconds([chain]) for _ in range(3))
    every = _draft_seconds(chains)
    # The page reads a drafted report; it is rolled back afterwards so that the next run
    # drafts from scratch again.
    page_p95 = 0.0
    try:
        with transaction.atomic():
            report, _created = draft_report(chain, _last_period(chain))
            client = _client(_manager(chain))
            url = reverse("ambitions:report_detail", args=[chain.slug, report.pk])
            page_p95 = p95_of_rounds("report_page", lambda: timed_ms(lambda: _get(client, url), 100))
            raise _Rollback
    except _Rollback:
        pass
    return [
        Result("report_one_chain", one, "s"),
        Result("report_all_chains", every, "s"),
        Result("report_page_p95", page_p95, "ms"),
    ]
