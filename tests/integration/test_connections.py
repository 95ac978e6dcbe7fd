"""Persistent database connections that survive PostgreSQL dropping them (issue 16, point 3).

Gunicorn runs as docker-compose.yml starts it, with the settings' defaults for connections
(DB_CONN_MAX_AGE=60, DB_CONN_HEALTH_CHECKS on: ketenportaal/settings.py), against the test database.
Its connections carry an application_name of their own, so the test sees and terminates exactly
those backends (pg_terminate_backend, from the test's own connection), as a PostgreSQL restart or
a failover would drop them. Afterwards no request may fail, except one in flight per worker at
the moment the backends die.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import PASSWORD, build_world
from tests.integration.processes import database_url, process_env
from tests.integration.web import Browser, Web, Webs, usable_password
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

APPLICATION = "kp-connections-test"
WORKERS = 2


@pytest.fixture
def web(transactional_db, tmp_path) -> Iterator[Web]:
    # DB_CONN_* dropped from the environment: the settings' defaults are what is tested.
    env = process_env(
        drop=("DB_CONN_",),
        DATABASE_URL=f"{database_url()}?application_name={APPLICATION}",
        REDIS_URL=settings.REDIS_URL,
        WEB_CONCURRENCY=str(WORKERS),
    )
    webs = Webs(tmp=tmp_path, env=env)
    try:
        yield webs.start("web")
    finally:
        webs.stop_all()
        print(webs.output())  # shown by pytest only when the test failed


def backends() -> dict[int, str]:
    """Gunicorn's connections to the test database: backend pid → state."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
            [APPLICATION],
        )
        return dict(cursor.fetchall())


def terminate_backends() -> set[int]:
    """Drop every connection gunicorn holds, as a PostgreSQL restart would; wait until they are gone."""
    terminated = set(backends())
    with connection.cursor() as cursor:
        # One pid at a time: in a WHERE clause PostgreSQL may call pg_terminate_backend() before the
        # other conditions, on every backend, the test's own included.
        for pid in terminated:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while terminated & set(backends()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminated & set(backends()), "PostgreSQL did not end the backends"
    return terminated


def statuses(browser: Browser, url: str, count: int) -> list[int]:
    return [browser.get(url).status for _ in range(count)]


def test_kept_connections_are_replaced_after_postgresql_drops_them_without_a_failed_request(web: Web):
    world = build_world()
    usable_password(world.viewer, PASSWORD)
    browser = Browser()
    dashboard = f"/ketens/{world.chain.slug}/dashboard/"
    browser.sign_in(web.url, world.viewer.email, PASSWORD, then=dashboard)
    dashboard = web.url + dashboard

    assert statuses(browser, dashboard, 6) == [200] * 6, web.output()
    # Kept between requests: idle connections, at most one per worker, and the same ones reused.
    kept = backends()
    assert 1 <= len(kept) <= WORKERS, kept
    assert set(kept.values()) == {"idle"}, kept
    assert statuses(browser, dashboard, 6) == [200] * 6
    assert set(backends()) == set(kept), "the workers opened new connections instead of keeping theirs"

    dropped = terminate_backends()
    assert dropped == set(kept)

    # Every worker's next request finds its connection dead, replaces it and answers normally.
    assert statuses(browser, dashboard, 3 * WORKERS) == [200] * (3 * WORKERS), web.output()
    renewed = backends()
    assert renewed and not set(renewed) & dropped, (renewed, dropped)


def test_under_load_at_most_the_requests_in_flight_fail_when_postgresql_drops_the_connections(web: Web):
    world = build_world()
    usable_password(world.viewer, PASSWORD)
    browser = Browser()
    dashboard = f"/ketens/{world.chain.slug}/dashboard/"
    browser.sign_in(web.url, world.viewer.email, PASSWORD, then=dashboard)
    dashboard = web.url + dashboard
    assert statuses(browser, dashboard, 2) == [200, 200]

    answers: list[tuple[float, int]] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            status = browser.get(dashboard).status
            answers.append((time.monotonic(), status))  # when it was answered

    # One client per worker, as many requests in flight as there are workers, never more.
    clients = [threading.Thread(target=keep_asking) for _ in range(WORKERS)]
    for client in clients:
        client.start()
    try:
        time.sleep(3)
        dropped_at = time.monotonic()
        dropped = terminate_backends()
        time.sleep(4)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)

    assert dropped, "no connection was kept while requests kept coming"
    before = [status for at, status in answers if at < dropped_at]
    after = [status for at, status in answers if at >= dropped_at]
    assert before and set(before) == {200}, before
    failed = [status for status in after if status != 200]
    assert len(failed) <= WORKERS, f"{len(failed)} requests failed: {after}\n{web.output()}"
    assert len(after) > 2 * WORKERS and after[-2 * WORKERS :] == [200] * (2 * WORKERS), after
    assert statuses(browser, dashboard, 2 * WORKERS) == [200] * (2 * WORKERS)
