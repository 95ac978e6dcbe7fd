"""The embedded default takes a browser's parallel cell saves (issue 8, point 1a).

A contributor typing a month at full speed leaves a cell every few keystrokes; each leave posts
that cell at once, so the saves overlap. On the demo's SQLite they answered "database is locked"
(HTTP 500) for 14 of 20 cells. Here 20 saves start at the same moment against the demo
configuration (tests/integration/sqlite_demo.py: runserver on a SQLite file, as `make demo`),
and every one must be answered with success and stored.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.sqlite_demo import DemoClient, DemoServer, GridCellInputs, sqlite_demo_server

pytestmark = pytest.mark.integration

CELLS = 20


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[DemoServer]:
    with sqlite_demo_server(tmp_path_factory.mktemp("sqlite-demo")) as server:
        yield server


def typed(cell: GridCellInputs, n: int) -> dict[str, str]:
    """What a person types into the cell: a number, or a numerator and denominator."""
    values = {}
    for name in cell.fields:
        if name.endswith("-value"):
            values[name] = str(1000 + n)
        elif name.endswith("-numerator"):
            values[name] = str(n)
        elif name.endswith("-denominator"):
            values[name] = "40"
    return values


def test_it_stores_twenty_parallel_cell_saves_on_the_demo_sqlite(demo: DemoServer):
    client = DemoClient(demo.url)
    client.sign_in("rapporteur.om@zsm.demo")
    path, cells = client.empty_month(CELLS)
    entered_before = entered(client.get(path))

    start = threading.Barrier(CELLS)

    def save(numbered: tuple[int, GridCellInputs]) -> tuple[str, int, str]:
        n, cell = numbered
        start.wait()  # every request leaves at once, as a browser's do at keyboard speed
        status, body = client.post_cell(cell, typed(cell, n))
        return cell.key, status, body

    with ThreadPoolExecutor(CELLS) as pool:
        answers = list(pool.map(save, enumerate(cells, start=1)))

    failures = [(key, status, body[:300]) for key, status, body in answers if status != 200]
    assert not failures, f"{len(failures)} of {CELLS} saves failed on {path}: {failures[:3]}\n{demo.output()}"
    for key, _status, body in answers:
        assert f'id="{key}"' in body and "kp-cell--saved" in body, f"{key} was not answered as saved"

    # Every figure is in the file, with what was typed.
    period = path.rstrip("/").rsplit("/", 1)[1] + "-01"
    with sqlite3.connect(demo.database) as db:
        stored = {
            (indicator, unit): (value, numerator, denominator)
            for indicator, unit, value, numerator, denominator in db.execute(
                "SELECT indicator_id, unit_id, value, numerator, denominator FROM ambitions_figure WHERE period = ?",
                [period],
            )
        }
    for n, cell in enumerate(cells, start=1):
        indicator, unit = (int(part) for part in cell.ids)
        assert (indicator, unit) in stored, f"{cell.key} answered saved but is not stored"
        value, numerator, denominator = stored[(indicator, unit)]
        if any(name.endswith("-value") for name in cell.fields):
            assert float(value) == 1000 + n, (cell.key, value)
        else:
            assert (float(numerator), float(denominator)) == (n, 40), (cell.key, numerator, denominator)

    # The grid counts them.
    assert entered(client.get(path)) == entered_before + CELLS


def entered(page: str) -> int:
    """The grid's "x of y figures"."""
    found = re.search(r"(\d+)(?:<[^>]*>)* (?:van|of) (\d+) (?:cijfers|figures)", page)
    assert found, "the grid page shows no count of entered figures"
    return int(found.group(1))
