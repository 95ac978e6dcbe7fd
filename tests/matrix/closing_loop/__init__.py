"""Issue 15's part of the authorisation matrix (tests/test_authorisation_matrix.py): closing the
loop — consent that cannot stall (deadlines, silence, timeline), stand-ins, proposals put on a
body's agenda, early warning from the forecast, data-delivery agreements.

One module per feature, as in tests/matrix/recognition/: each has ``ROWS`` (its URLs, pages and
API) and ``add_objects(w, found)``, which adds the objects its rows point at to ``found.by_kind``.
They run after recognition's, in this order.
"""

from tests.matrix.closing_loop import consent, delivery, early_warning, proposal_agenda, stand_ins

MODULES = [consent, stand_ins, proposal_agenda, early_warning, delivery]

ROWS = [row for module in MODULES for row in module.ROWS]


def add_objects(w, found) -> None:
    for module in MODULES:
        module.add_objects(w, found)
