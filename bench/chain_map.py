"""Measurements for the chain map (issue 14, point 5), on the 1m set with its chain maps (manage.py
build_chain_map_dataset: a relay of eight steps per benchmark chain, two partners each, every step
with one of the chain's indicators as its lead time).

- ``chain_map_p95``: the first chain's map page (the SVG and its table, each step's lead time this
  period against its norm from the roll-ups) through the test client as the chain's programme
  manager; ``chain_map_queries`` its queries (a fixed number, whatever the number of steps).
- ``chain_map_build_p95``: the read model and the drawing alone (services/chain_map.py
  ``for_page`` and the SVG), without the page around them.
"""

from __future__ import annotations

from django.urls import reverse

from ambitions.services import chain_map as maps
from bench.ambitions import _client, _manager
from bench.governance import _page
from bench.timing import Result, p95_of_rounds, timed_ms
from stakeholders.models import Chain


def chain_map(chain: Chain) -> list[Result]:
    client = _client(_manager(chain))
    page, queries = _page("chain_map", client, reverse("ambitions:chain_map", args=[chain.slug]))
    build = p95_of_rounds("chain_map_build", lambda: timed_ms(lambda: str(maps.for_page(chain).svg), 50))
    return [page, Result("chain_map_queries", queries, "count"), Result("chain_map_build_p95", build, "ms")]
