"""Measurements for the indicators issue: dashboard, indicator page, saving a cell, bulk upsert.

Each page is requested through Django's test client (the full middleware stack, templates and
queries — everything but the network), signed in as a person of the chain; times are server
times in milliseconds. Each floor is the plain SQL doing the same data work, timed the same way.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.models import ChainAggregate, Figure, Indicator
from ambitions.periods import Frequency, Period
from ambitions.services import data_revision
from bench.timing import Result, p95, p95_of_rounds, sql_p95_ms, timed_ms
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


def _page(name: str, chain: Chain, url: str, runs: int) -> list[Result]:
    """``<name>_p95`` over ``runs`` requests as the chain's manager, and ``<name>_queries`` of one."""
    client = _client(_manager(chain))
    p95_ms = p95_of_rounds(name, lambda: timed_ms(lambda: _get(client, url), runs))
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return [Result(f"{name}_p95", p95_ms, "ms"), Result(f"{name}_queries", len(queries), "count")]


def _cold_dashboard(chain: Chain, url: str) -> list[Result]:
    """``dashboard_p95`` and ``dashboard_queries`` built afresh: each request after a new data
    revision of the chain (as after a save), so the chain-wide part is not taken from the cache."""
    client = _client(_manager(chain))

    def one_round() -> list[float]:
        samples = []
        for _ in range(PAGE_RUNS):
            data_revision.bump([chain.pk])  # untimed: a writer's cost, not the page's
            start = time.perf_counter()
            _get(client, url)
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    for _ in range(10):  # warm-up
        _get(client, url)
    p95_ms = p95_of_rounds("dashboard", one_round)
    data_revision.bump([chain.pk])
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return [Result("dashboard_p95", p95_ms, "ms"), Result("dashboard_queries", len(queries), "count")]


def dashboard_warm(chain: Chain) -> list[Result]:
    """``dashboard_warm_p95``: the dashboard with its chain-wide part in the cache (the data
    unchanged since the last request), and ``dashboard_warm_queries`` of one such request."""
    return _page("dashboard_warm", chain, reverse("ambitions:chain_dashboard", args=[chain.slug]), PAGE_RUNS)


def dashboard(chain: Chain) -> list[Result]:
    page = _cold_dashboard(chain, reverse("ambitions:chain_dashboard", args=[chain.slug]))
    last = ChainAggregate.objects.filter(indicator__ambition__chain=chain).latest("period").period
    floor = sql_p95_ms(
        "SELECT a.indicator_id, a.period, a.numerator_sum, a.denominator_sum, a.value_sum, a.reported "
        "FROM ambitions_chainaggregate a JOIN ambitions_indicator i ON i.id = a.indicator_id "
        "JOIN ambitions_ambition m ON m.id = i.ambition_id WHERE m.chain_id = %s AND a.period > %s",
        [chain.pk, Period(last, Frequency.MONTH).shifted(-24).start],
    )
    return [*page, Result("dashboard_floor", floor, "ms")]


def indicator_page(chain: Chain) -> list[Result]:
    indicator = Indicator.objects.filter(ambition__chain=chain).order_by("pk").first()
    url = reverse("ambitions:indicator_detail", args=[chain.slug, indicator.pk])
    page = _page("indicator_page", chain, url, PAGE_RUNS // 2)
    last = Figure.objects.filter(indicator=indicator).latest("period").period
    floor = sql_p95_ms(
        "SELECT unit_id, period, value, numerator, denominator FROM ambitions_figure "
        "WHERE indicator_id = %s AND period > %s",
        [indicator.pk, Period(last, Frequency.MONTH).shifted(-24).start],
    )
    return [*page, Result("indicator_page_floor", floor, "ms")]


def _contributor(chain: Chain) -> Person:
    return (
        Membership.objects.filter(chain=chain, role=Role.CONTRIBUTOR).select_related("person").order_by("pk")[0].person
    )


def cell_save(chain: Chain) -> list[Result]:
    """Saving one cell as the grid does with htmx: one POST per cell, a new value each time."""
    person = _contributor(chain)
    last = _full_month(chain, person)
    client = _client(person)
    url = reverse("ambitions:entry_cell", args=[chain.slug, last.slug])

    def save(data: dict) -> None:
        response = client.post(url, data, headers={"HX-Request": "true"})
        if response.status_code != 200:
            raise RuntimeError(f"POST {url} answered {response.status_code}")

    def one_round() -> list[float]:
        # Posts built from the cells as saved now, so each names its current revision.
        posts = _cell_posts(chain, person, last)
        samples = []
        for data in posts[20:]:
            start = time.perf_counter()
            save(data)
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    for data in _cell_posts(chain, person, last)[:20]:  # warm-up
        save(data)
    p95_ms = p95_of_rounds("cell_save", one_round)
    return [
        Result("cell_save_p95", p95_ms, "ms"),
        Result("cell_save_floor", _cell_save_floor(chain, person, last), "ms"),
    ]


def _full_month(chain: Chain, person: Person) -> Period:
    """The latest month in which the person's organisation saved the 220 cells measured. Not simply
    the latest month with figures: the load stage (bench/load/) saves a few cells of the current
    month, which then has figures but far from all of them."""
    months = (
        Figure.objects.filter(indicator__ambition__chain=chain, unit__organisation=person.organisation)
        .values("period")
        .annotate(saved=Count("pk"))
        .filter(saved__gte=220)
        .order_by("-period")
    )
    return Period(months[0]["period"], Frequency.MONTH)


def _saved_cells(chain: Chain, person: Person, period: Period) -> list:
    from ambitions.services import grid

    the_grid = grid.build(chain, person.organisation, period)
    cells = [cell for cell in the_grid.cells() if cell.figure is not None][:220]
    if len(cells) < 220:
        raise RuntimeError("cell_save needs the 1m data set (220 saved cells of one organisation)")
    return cells


def _cell_posts(chain: Chain, person: Person, period: Period) -> list[dict]:
    """One htmx POST per saved cell (220) that changes its value, starting from its current revision."""
    from ambitions.forms.entry import CellForm
    from ambitions.services.numbers import for_input

    posts = []
    for cell in _saved_cells(chain, person, period):
        form = CellForm(cell=cell)
        data = {form.add_prefix(name): value for name, value in form.initial.items() if value not in (None, False)}
        if cell.version.is_ratio:
            numerator = cell.figure.numerator + 1 if cell.figure.numerator < cell.figure.denominator else 0
            data[form.add_prefix("numerator")] = for_input(Decimal(numerator))
        else:
            data[form.add_prefix("value")] = for_input(cell.figure.value + 1)  # as the grid sends it
        data |= {"indicator": cell.indicator.pk, "unit": cell.unit.pk}
        posts.append(data)
    return posts


_FLOOR_CELL = [
    "UPDATE ambitions_figure SET value = value, revision = revision + 1, updated_at = now() "
    "WHERE indicator_id = %(i)s AND unit_id = %(u)s AND period = %(p)s",
    "INSERT INTO ambitions_figurechange (figure_id, revision, value, numerator, denominator, comment, follow_up, "
    "source, changed_at) SELECT id, revision, value, numerator, denominator, comment, follow_up, 'form', now() "
    "FROM ambitions_figure WHERE indicator_id = %(i)s AND unit_id = %(u)s AND period = %(p)s",
    "UPDATE ambitions_organisationaggregate o SET value_sum = s.v, numerator_sum = s.n, denominator_sum = s.d, "
    "reported = s.c FROM (SELECT coalesce(sum(value), 0) v, coalesce(sum(numerator), 0) n, "
    "coalesce(sum(denominator), 0) d, count(*) c FROM ambitions_figure "
    "WHERE indicator_id = %(i)s AND period = %(p)s AND organisation_id = %(o)s) s "
    "WHERE o.indicator_id = %(i)s AND o.period = %(p)s AND o.organisation_id = %(o)s",
    "UPDATE ambitions_chainaggregate c SET value_sum = s.v, numerator_sum = s.n, denominator_sum = s.d, "
    "reported = s.c FROM (SELECT sum(value_sum) v, sum(numerator_sum) n, sum(denominator_sum) d, sum(reported) c "
    "FROM ambitions_organisationaggregate WHERE indicator_id = %(i)s AND period = %(p)s) s "
    "WHERE c.indicator_id = %(i)s AND c.period = %(p)s",
]


def _cell_save_floor(chain: Chain, person: Person, period: Period) -> float:
    """The same writes as plain SQL: the figure, its history row, the two roll-ups, one transaction."""
    samples = []
    for cell in _saved_cells(chain, person, period):
        params = {"i": cell.indicator.pk, "u": cell.unit.pk, "p": cell.figure.period, "o": cell.unit.organisation_id}
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in _FLOOR_CELL:
                cursor.execute(sql, params)
        samples.append((time.perf_counter() - start) * 1000)
    return p95(samples[20:])


def bulk_upsert(chain: Chain) -> list[Result]:
    """100,000 figures in one POST to the bulk API (100 units × 20 indicators × 50 months), as the
    chain's programme manager: once as corrections of stored figures (``bulk_upsert_100k``), once
    as figures the portal does not have yet (``bulk_upsert_100k_new``, a partner's first upload);
    then the floor: COPY into a temporary table and one INSERT … ON CONFLICT plus the set-based
    roll-up rebuild of the touched indicators (rolled back)."""
    others = Chain.objects.filter(slug__startswith="bench-").exclude(pk=chain.pk).order_by("slug")
    updates_chain, new_chain = (list(others) + [chain, chain])[:2]
    figures, body = _bulk_request(updates_chain)
    updated = _post_bulk(updates_chain, body, len(figures))
    floor = _bulk_floor(figures)
    new_figures, new_body = _bulk_request(new_chain)
    _forget(new_figures)
    created = _post_bulk(new_chain, new_body, len(new_figures))
    return [
        Result("bulk_upsert_100k", updated, "s"),
        Result("bulk_upsert_100k_new", created, "s"),
        Result("bulk_upsert_100k_floor", floor, "s"),
    ]


def _bulk_request(chain: Chain) -> tuple[list[tuple], str]:
    """The chain's stored figures of its first 100 units, and a bulk request that changes each."""
    figures = list(
        Figure.objects.filter(indicator__ambition__chain=chain, unit__in=_first_units(chain, 100)).values_list(
            "indicator_id", "unit_id", "period", "numerator", "denominator", "value"
        )
    )[:100_000]
    rows = []
    for indicator_id, unit_id, period, numerator, denominator, value in figures:
        row = {"indicator": indicator_id, "unit": unit_id, "period": period.isoformat()}
        if denominator is not None:
            row |= {"numerator": str(max(numerator - 1, 0)), "denominator": str(denominator)}
        else:
            row["value"] = str(value + 1)
        rows.append(row)
    return figures, json.dumps(rows)


def _settle() -> None:
    """VACUUM and CHECKPOINT before a timed bulk write, so that it is measured in the steady state
    autovacuum keeps a live database in, not while cleaning up after the previous measurement's
    100,000 updated rows (which made runs vary between 4 and 6 s)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ambitions_figure")
        cursor.execute("CHECKPOINT")


def _post_bulk(chain: Chain, body: str, rows: int) -> float:
    _settle()
    client = _client(_manager(chain))
    url = reverse("ambitions-api:figure-bulk")
    start = time.perf_counter()
    response = client.post(url, body, content_type="application/json")
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"POST {url} answered {response.status_code}: {response.content[:500]!r}")
    return elapsed * 100_000 / rows if rows < 100_000 else elapsed


def _forget(figures: list[tuple]) -> None:
    """Delete these figures with their history and roll-ups, so the next upload creates them again
    (the data set is whole again afterwards)."""
    from ambitions.services.aggregates import rebuild_all

    keys = [(i, u, p) for i, u, p, *_ in figures]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE forget (indicator_id bigint, unit_id bigint, period date) ON COMMIT DROP")
        with cursor.cursor.copy("COPY forget FROM STDIN") as copy:
            for key in keys:
                copy.write_row(key)
        cursor.execute(
            "DELETE FROM ambitions_figurechange WHERE figure_id IN (SELECT f.id FROM ambitions_figure f "
            "JOIN forget USING (indicator_id, unit_id, period))"
        )
        cursor.execute(
            "DELETE FROM ambitions_figure f USING forget g WHERE (f.indicator_id, f.unit_id, f.period) = "
            "(g.indicator_id, g.unit_id, g.period)"
        )
        rebuild_all(sorted({i for i, _, _ in keys}))


def _first_units(chain: Chain, count: int) -> list[int]:
    from stakeholders.models import Unit

    return list(
        Unit.objects.filter(reported_indicator_versions__indicator__ambition__chain=chain)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )


def _bulk_floor(figures) -> float:
    from ambitions.services.aggregates import rebuild_all

    indicator_ids = sorted({f[0] for f in figures})
    _settle()
    start = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE floor_figure (indicator_id int, unit_id int, period date, numerator numeric, "
                "denominator numeric, value numeric) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY floor_figure FROM STDIN") as copy:
                for indicator_id, unit_id, period, numerator, denominator, value in figures:
                    copy.write_row((indicator_id, unit_id, period, numerator, denominator, value))
            cursor.execute(
                "INSERT INTO ambitions_figure (indicator_id, version_id, unit_id, organisation_id, period, value, "
                "numerator, denominator, comment, follow_up, source, is_late, revision, updated_at) "
                "SELECT f.indicator_id, v.id, f.unit_id, u.organisation_id, f.period, f.value, f.numerator, "
                "f.denominator, '', false, 'api', false, 1, now() FROM floor_figure f "
                "JOIN stakeholders_unit u ON u.id = f.unit_id "
                "JOIN ambitions_indicatorversion v ON v.indicator_id = f.indicator_id AND v.number = 1 "
                "ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET value = EXCLUDED.value, "
                "numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator, "
                "revision = ambitions_figure.revision + 1, updated_at = now()"
            )
        rebuild_all(indicator_ids)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed
