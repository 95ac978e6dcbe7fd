"""Issue 14's part of the authorisation matrix (tests/test_authorisation_matrix.py): a recognisable
chain (success stories, newsletters, relationship events, the public dashboard, the chain map).

One module per feature, as in tests/matrix/partner_health/: each has ``ROWS`` (its URLs, pages and
API) and ``add_objects(w, found)``, which adds the objects its rows point at to ``found.by_kind``
(one per target: PARTNER_A, PARTNER_B, OTHER). They run after partner health's, in this order.
"""

from tests.matrix.recognition import chain_map, meetups, newsletters, public_page, stories, subscribers

MODULES = [stories, newsletters, subscribers, meetups, public_page, chain_map]

ROWS = [row for module in MODULES for row in module.ROWS]


def add_objects(w, found) -> None:
    for module in MODULES:
        module.add_objects(w, found)
