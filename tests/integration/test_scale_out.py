"""Scale-out, proven (issue 16, point 5): two gunicorn instances on different ports, as
``docker-compose up --scale web=2`` behind a load balancer runs them, sharing PostgreSQL and Redis,
with a real Celery worker.

- A session started by signing in on one instance works on the other.
- A cell saved on one (posted as the entry grid posts it) shows on the other's dashboard at once,
  whatever either of them cached before.
- A report drafted by the worker is visible on both.

The instances and the worker use the test database and the test run's own Redis database, for
cache, sessions and broker alike (as REDIS_URL serves all three in docker-compose.yml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from celery import Celery
from django.conf import settings

from ambitions.models import Figure, ProgressReport
from tests.conftest import PASSWORD, build_world
from tests.integration.processes import Cluster, process_env, stop
from tests.integration.web import Browser, Web, Webs, usable_password
from tests.measures import Measures, build_measures
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

HTMX = {"HX-Request": "true"}
VALUE = "4321"


class InputsNamed(HTMLParser):
    """The name → value of every <input> whose name starts with ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        name = named.get("name") or ""
        if tag == "input" and name.startswith(self.prefix):
            self.values[name] = named.get("value") or ""


def cell_inputs(html: str, prefix: str) -> dict[str, str]:
    parser = InputsNamed(prefix)
    parser.feed(html)
    return parser.values


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def measures_committed(transactional_db) -> Measures:
    m = build_measures(build_world())
    usable_password(m.world.contributor_a, PASSWORD)
    return m


@pytest.fixture
def instances(transactional_db, tmp_path) -> Iterator[tuple[Web, Web]]:
    env = process_env(REDIS_URL=settings.REDIS_URL, WEB_CONCURRENCY="1")
    webs = Webs(tmp=tmp_path, env=env)
    try:
        yield webs.start("web-a"), webs.start("web-b")
    finally:
        webs.stop_all()
        print(webs.output())  # shown by pytest only when the test failed


@pytest.fixture
def worker(transactional_db, tmp_path) -> Iterator[Cluster]:
    """A Celery worker on the same Redis as the web instances (its broker too, as in production)."""
    sender = Celery("sender", broker=settings.REDIS_URL)
    cluster = Cluster(tmp=tmp_path, env=process_env(REDIS_URL=settings.REDIS_URL), sender=sender)
    try:
        yield cluster
    finally:
        for process in cluster.running.values():
            stop(process)
        sender.close()
        print(cluster.output())


def test_two_instances_share_sessions_saved_figures_and_the_workers_reports(instances, worker, measures_committed):
    a, b = instances
    m, w = measures_committed, measures_committed.world
    chain = w.chain.slug
    browser = Browser()

    # Signed in on A; the same cookies on B: signed in there too, not sent to the sign-in page.
    browser.sign_in(a.url, w.contributor_a.email, PASSWORD, then=f"/ketens/{chain}/dashboard/")
    on_b = browser.get(f"{b.url}/ketens/{chain}/dashboard/")
    assert on_b.status == 200 and "/inloggen/" not in on_b.url, on_b.url
    assert w.contributor_a.full_name in on_b.text

    # Both dashboards rendered (and cached, where they cache) before the save: no figure yet.
    for web in (a, b):
        board = browser.get(f"{web.url}/ketens/{chain}/dashboard/")
        assert board.status == 200
        assert VALUE not in text_of(board.text).replace(".", "")

    # The cell saved on A as the entry grid posts it: its own inputs from the page, htmx-style.
    grid = browser.get(f"{a.url}/ketens/{chain}/invoer/{m.period.slug}/")
    assert grid.status == 200, grid.text[:2000]
    prefix = f"cell-{m.count.pk}-{w.unit_a.pk}-"
    fields = cell_inputs(grid.text, prefix)
    # The value and the token of the row as loaded (its revision and what it showed).
    assert f"{prefix}value" in fields and f"{prefix}loaded" in fields, fields
    fields[f"{prefix}value"] = VALUE
    saved = browser.post(
        f"{a.url}/ketens/{chain}/invoer/{m.period.slug}/cel/",
        {"indicator": m.count.pk, "unit": w.unit_a.pk, **fields},
        headers=HTMX,
    )
    assert saved.status == 200, saved.text[:2000]
    assert Figure.objects.get(indicator=m.count, unit=w.unit_a).value == int(VALUE)

    # B's dashboard shows it at once (4.321 in Dutch): no stale page from before the save.
    board_b = browser.get(f"{b.url}/ketens/{chain}/dashboard/")
    assert board_b.status == 200
    assert VALUE in text_of(board_b.text).replace(".", ""), text_of(board_b.text)

    # A report drafted by the worker (not by either web instance) is on both.
    worker.worker()
    worker.send("ambitions.tasks.draft_chain_report", w.chain.pk, m.period.slug)
    worker.wait_for(lambda: ProgressReport.objects.filter(chain=w.chain).exists(), "the worker's report")
    report = ProgressReport.objects.get(chain=w.chain)
    for web in (a, b):
        listed = browser.get(f"{web.url}/ketens/{chain}/rapportages/")
        assert listed.status == 200 and f"/rapportages/{report.pk}/" in listed.text, web.name
        page = browser.get(f"{web.url}/ketens/{chain}/rapportages/{report.pk}/")
        assert page.status == 200, (web.name, page.text[:2000])
        assert m.count.name in page.text
        assert VALUE in text_of(page.text).replace(".", ""), (web.name, text_of(page.text))
