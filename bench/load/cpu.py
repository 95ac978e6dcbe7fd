"""CPU per request by page, for the capacity plan (docs/benchmarks.md): one person asks each page
in turn of a single gunicorn worker; the worker's CPU time and its PostgreSQL backend's CPU time
over those requests, divided by their number.

The worker keeps its database connection (DB_CONN_MAX_AGE) for this run only, so one backend
serves every request and its CPU can be read from /proc (psutil): the backend is found in
pg_stat_activity by the application_name this run gives it. A new connection per request would
add PostgreSQL's connection set-up (fork, authentication, catalogue caches) to each request; the
load stages run with whatever the deployment's DB_CONN_MAX_AGE is.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import psutil
import psycopg
import requests

from bench.load import cells
from bench.load.server import cpu_seconds

ROUNDS = 20  # measured requests per page, after WARM_UP unmeasured ones
WARM_UP = 3


def _backend(server: str, database: str, application: str) -> psutil.Process:
    with psycopg.connect(f"{server}/{database}") as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s ORDER BY backend_start DESC LIMIT 1",
            [application],
        ).fetchone()
    if row is None:
        raise RuntimeError("the worker's database connection was not found (is DB_CONN_MAX_AGE honoured?)")
    return psutil.Process(row[0])


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def measure(
    base: str, master: psutil.Process, plan: dict, server: str, database: str, application: str
) -> dict[str, dict[str, float]]:
    """{page: {"app_ms", "db_ms", "wall_ms"}} per request, on the first reader's chain."""
    reader, contributor = plan["readers"][0], plan["contributors"][0]
    pages = plan["pages"][reader["chain"]]
    host = base.split("://", 1)[-1].split(":")[0]

    def session(person: dict) -> requests.Session:
        one = requests.Session()
        one.cookies.set(plan["cookie"], person["session"], domain=host)
        return one

    as_reader, as_contributor = session(reader), session(contributor)
    rng = random.Random(16)  # noqa: S311 - which page to ask, not a secret
    requests_by_page: dict[str, Callable[[], requests.Response]] = {
        name: (lambda urls=urls: as_reader.get(base + rng.choice(urls), timeout=60)) for name, urls in pages.items()
    }
    requests_by_page["entry_grid"] = lambda: as_contributor.get(base + contributor["grid"], timeout=60)
    grid = cells.parse(requests_by_page["entry_grid"]().text)

    def save() -> requests.Response:
        row_id = rng.choice(list(grid))
        csrf = as_contributor.cookies.get(plan["csrf_cookie"], "")
        answer = as_contributor.post(
            base + grid[row_id].url,
            data=grid[row_id].post_data(rng),
            headers=cells.htmx_headers(csrf, row_id),
            timeout=60,
        )
        grid.update(cells.parse(answer.text, grid))
        return answer

    requests_by_page["cell_save"] = save
    backend = None
    results = {}
    for name, ask in requests_by_page.items():
        for _ in range(WARM_UP):
            ask().raise_for_status()
        backend = backend or _backend(server, database, application)
        app_before, db_before, walls = cpu_seconds(master), _cpu(backend), []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            ask().raise_for_status()
            walls.append((time.perf_counter() - start) * 1000)
        results[name] = {
            "app_ms": (cpu_seconds(master) - app_before) * 1000 / ROUNDS,
            "db_ms": (_cpu(backend) - db_before) * 1000 / ROUNDS,
            "wall_ms": statistics.median(walls),
        }
    return results
