"""The load test's own parts (bench/load/): the cell saves it sends are the grid's own htmx posts,
so they save (and conflict as a person's would), and the sessions it makes sign people in."""

from __future__ import annotations

import random

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ambitions.models import Figure
from bench.load import cells
from bench.load.plan import _session_for


def _headers(row_id: str) -> dict:
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in cells.htmx_headers("", row_id).items()}


def test_cell_saves_as_the_grid_posts_them_save_then_conflict_when_stale(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    page = client.get(reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))
    grid = cells.parse(page.text)
    share, count = f"cell-{m.share.pk}-{w.unit_a.pk}", f"cell-{m.count.pk}-{w.unit_a.pk}"
    assert {share, count} <= set(grid)
    rng = random.Random(1)  # noqa: S311 - test data

    for row_id, indicator in ((share, m.share), (count, m.count)):
        first = grid[row_id].post_data(rng)
        saved = client.post(grid[row_id].url, first, **_headers(row_id))
        assert saved.status_code == 200, saved.text
        assert not cells.is_conflict(saved.text)
        grid.update(cells.parse(saved.text, grid))  # the row's new tokens
        again = client.post(grid[row_id].url, grid[row_id].post_data(rng), **_headers(row_id))
        assert again.status_code == 200, again.text
        figure = Figure.objects.get(indicator=indicator, unit=w.unit_a, period=m.period.start)
        assert figure.revision == 2
        # The first post again, with the tokens it was loaded with: someone saved meanwhile.
        stale = client.post(grid[row_id].url, first, **_headers(row_id))
        assert stale.status_code == 422 and cells.is_conflict(stale.text)


def test_a_session_made_for_the_load_test_signs_the_person_in(world):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = _session_for(world.contributor_a)
    response = client.get(reverse("stakeholders:my_work"))
    assert response.status_code == 200
    assert response.context["user"] == world.contributor_a
