"""The decision page's tables on a narrow screen: a table wider than a phone scrolls inside its
wrapper, and a wrapper that scrolls must be reachable with the keyboard (WCAG 2.1.1; axe's
scrollable-region-focusable). The positions and history tables hold no link or button to
tab to, so each wrapper is itself a focusable region named by its table's caption."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from governance.models import PositionKind
from tests.governance.decision_fixtures import build_board, decide, propose

pytestmark = pytest.mark.django_db


class Wrappers(HTMLParser):
    """The attributes of every ``.kp-table-wrap`` and the ids on the page."""

    def __init__(self):
        super().__init__()
        self.wraps: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if "kp-table-wrap" in (attributes.get("class") or "").split():
            self.wraps.append(attributes)


def test_it_lets_the_keyboard_reach_the_tables_that_scroll(world, client_for):
    board = build_board(world)
    decision = propose(board)
    decide(decision, world.lead_b, PositionKind.DISSENT, "Te weinig capaciteit.")
    page = client_for(world.lead_a).get(reverse("governance:decision_detail", args=[world.chain.slug, decision.pk]))
    assert page.status_code == 200
    found = Wrappers()
    found.feed(page.content.decode())
    assert len(found.wraps) == 2  # the positions and the history
    for wrap in found.wraps:
        assert (wrap.get("tabindex"), wrap.get("role")) == ("0", "region")
        assert wrap.get("aria-labelledby") in found.ids
    assert {wrap["aria-labelledby"] for wrap in found.wraps} == {"positions-caption", "history-caption"}
