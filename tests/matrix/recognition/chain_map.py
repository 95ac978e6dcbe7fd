"""Matrix rows of issue 14's chain map (ambitions/views/chain_map.py); see
tests/matrix/recognition/__init__.py.

Every member reads the map (READ); only the programme manager and administrators change it
(Action.MANAGE_CHAIN: MANAGE). Each chain has a map of one step for the rows to read and change.
"""

from __future__ import annotations

from ambitions.models.chain_map import ChainMap, MapStep
from tests.matrix.objects import Objects, in_chain
from tests.matrix.policy import MANAGE, OTHER, READ
from tests.matrix.rows import Row, posting


def a_new_name(o: Objects, target: str) -> dict:
    return {"steps-0-name": "Matrix: herzien"}


def step_names(o: Objects, target: str) -> list[str]:
    chain = o.world.other_chain if target == OTHER else o.world.chain
    return list(MapStep.objects.filter(chain_map__chain=chain).values_list("name", flat=True))


ROWS: list[Row] = [
    Row("ambitions:chain_map", in_chain(), READ),
    Row("ambitions:chain_map_edit", in_chain(), MANAGE),
    posting("ambitions:chain_map_edit", in_chain(), MANAGE, a_new_name, step_names),
]


def add_objects(w, found) -> None:
    """A map of one step in each chain (partner A's in zsm, C's in the other chain)."""
    for chain, partnership in ((w.chain, w.partner_a), (w.other_chain, w.partner_c)):
        chain_map = ChainMap.objects.create(chain=chain)
        MapStep.objects.create(chain_map=chain_map, position=1, name="Matrix-stap").partners.set([partnership])
