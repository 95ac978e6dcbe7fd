"""A month typed at full keyboard speed on the demo's SQLite, in a real browser (issue 8, point 1).

The same keyboard run as test_entry_grid.py, but against the demo configuration: runserver on a
SQLite file with the demo loaded (tests/integration/sqlite_demo.py), where the browser's
overlapping saves once answered "database is locked" for 14 of 20 cells while the page went on
showing the typed values. Every value must be stored, and the page must say so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.integration.sqlite_demo import DemoClient, DemoServer, sqlite_demo_server

from .conftest import new_page
from .grid_keys import enter_month, expect_all_saved

pytestmark = pytest.mark.browser

CELLS = 20  # at least: the demo's empty month for the OM has as many as its indicators and units give


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[DemoServer]:
    with sqlite_demo_server(tmp_path_factory.mktemp("sqlite-demo-browser")) as server:
        yield server


def test_a_month_typed_at_full_speed_is_stored_on_the_demo_sqlite(browser, demo: DemoServer, visit):
    client = DemoClient(demo.url)
    client.sign_in("rapporteur.om@zsm.demo")
    path, _ = client.empty_month(CELLS)
    cells = client.editable_cells(path)
    assert not [cell for cell in cells if cell.has_value], "the whole month is empty"

    watchers = []
    page = new_page(browser, demo, watchers)
    try:
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": demo.url}])
        visit(page, "/inloggen/")
        page.locator("input[name=username]").fill("rapporteur.om@zsm.demo")
        page.locator("input[name=password]").fill("ketenportaal-demo")
        visit.follow(page, page.locator("form.kp-form button[type=submit]").click)
        visit(page, path)

        values = {}
        for n, name in enumerate(sorted(name for cell in cells for name in cell.fields), start=1):
            if name.endswith("-value"):
                values[name] = str(1000 + n)
            elif name.endswith("-numerator"):
                values[name] = str(n)
            elif name.endswith("-denominator"):
                values[name] = "40"
        keys = enter_month(page, values)
        expect_all_saved(page, len(cells))
        assert keys.extra == keys.values + 2, keys.pressed
        visit.scan(page)
    finally:
        page.context.close()
    for watcher in watchers:
        watcher.assert_clean()

    period = path.rstrip("/").rsplit("/", 1)[1] + "-01"
    with sqlite3.connect(demo.database) as db:
        stored = {
            f"cell-{indicator}-{unit}": (value, numerator, denominator)
            for indicator, unit, value, numerator, denominator in db.execute(
                "SELECT indicator_id, unit_id, value, numerator, denominator FROM ambitions_figure WHERE period = ?",
                [period],
            )
        }
    for cell in cells:
        assert cell.key in stored, f"{cell.key} is not stored"
        value, numerator, denominator = stored[cell.key]
        for name in cell.fields:
            if name.endswith("-value"):
                assert float(value) == float(values[name]), name
            elif name.endswith("-numerator"):
                assert float(numerator) == float(values[name]), name
            elif name.endswith("-denominator"):
                assert float(denominator) == 40, name
