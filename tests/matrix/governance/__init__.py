"""The governance app's part of the authorisation matrix (tests/test_authorisation_matrix.py).

One module per views module of governance (bodies, meetings, agenda, calendar, decisions,
actions, api): each has ``ROWS`` (its URLs) and ``add_objects(w, found)``, which adds the objects
its rows point at to ``found.by_kind`` (one per target: PARTNER_A, PARTNER_B, OTHER). They run in
this order, so a later module may use an earlier one's objects.
"""

from tests.matrix.governance import (
    actions,
    agenda,
    agreements,
    api,
    bodies,
    bottlenecks,
    calendar,
    decisions,
    meetings,
)

MODULES = [bodies, meetings, agenda, calendar, decisions, actions, bottlenecks, agreements, api]

ROWS = [row for module in MODULES for row in module.ROWS]


def add_objects(w, found) -> None:
    for module in MODULES:
        module.add_objects(w, found)
