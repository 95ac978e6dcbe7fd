"""Locust users for the load stage (bench/load/runner.py starts locust with this file, headless).

Readers (4 in 5) open My work, the chain dashboard, an indicator page, a progress report, a
meeting and the decision register; contributors (1 in 5) open their organisation's entry grid
and save their own cells one at a time as the grid's htmx does, reloading the grid now and then.
Everyone thinks 1–3 s between requests. Requests are named by page, so the statistics are per
endpoint, not per address.

The cast (who, which pages, signed-in sessions) comes from the JSON file in KP_LOAD_PLAN, made
by bench/load/plan.py; each new locust user takes the next reader or contributor in it.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

from bench.load import cells

with open(os.environ["KP_LOAD_PLAN"], encoding="utf-8") as _file:
    PLAN = json.load(_file)
_next_reader = itertools.count()
_next_contributor = itertools.count()


class _Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def sign_in(self, person: dict) -> None:
        host = self.host.split("://", 1)[-1].split(":")[0]
        self.client.cookies.set(PLAN["cookie"], person["session"], domain=host)


class Reader(_Person):
    weight = 4

    def on_start(self) -> None:
        person = PLAN["readers"][next(_next_reader) % len(PLAN["readers"])]
        self.sign_in(person)
        self.pages = PLAN["pages"][person["chain"]]

    def _open(self, name: str) -> None:
        self.client.get(random.choice(self.pages[name]), name=name)  # noqa: S311 - not a secret

    @task(2)
    def my_work(self) -> None:
        self._open("my_work")

    @task(2)
    def dashboard(self) -> None:
        self._open("dashboard")

    @task(2)
    def indicator_page(self) -> None:
        self._open("indicator_page")

    @task(1)
    def report_page(self) -> None:
        self._open("report_page")

    @task(1)
    def meeting_page(self) -> None:
        self._open("meeting_page")

    @task(1)
    def decision_register(self) -> None:
        self._open("decision_register")


class Contributor(_Person):
    weight = 1

    def on_start(self) -> None:
        person = PLAN["contributors"][next(_next_contributor) % len(PLAN["contributors"])]
        self.sign_in(person)
        self.grid_url = person["grid"]
        self.rng = random.Random()  # noqa: S311 - figures to type, not a secret
        self.cells: dict[str, cells.Cell] = {}
        self.entry_grid()

    @task(1)
    def entry_grid(self) -> None:
        response = self.client.get(self.grid_url, name="entry_grid")
        if response.ok:
            self.cells = cells.parse(response.text)

    @task(9)
    def cell_save(self) -> None:
        if not self.cells:
            return
        row_id = self.rng.choice(list(self.cells))
        cell = self.cells[row_id]
        csrf = self.client.cookies.get(PLAN["csrf_cookie"], "")
        with self.client.post(
            cell.url,
            data=cell.post_data(self.rng),
            headers=cells.htmx_headers(csrf, row_id),
            name="cell_save",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.cells.update(cells.parse(response.text, self.cells))  # the row's new revision and token
                response.success()
            elif response.status_code == 422 and cells.is_conflict(response.text):
                # Saved meanwhile by someone else: the portal's answer, not a failure. Counted apart.
                response.request_meta["name"] = "cell_save (conflict)"
                self.cells.pop(row_id)  # left alone until the grid is loaded again
                response.success()
            else:
                response.failure(f"cell save refused: {response.status_code}")
