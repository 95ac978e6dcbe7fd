"""What governance shows on the chain home (registered through stakeholders/registry.py's
chain-home fragments, so stakeholders names no governance): the next meetings, the open proposals
and the overdue actions, in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import ActionStatus, DecisionStatus, MeetingStatus
from stakeholders.registry import chain_home_fragments
from tests.conftest import World
from tests.governance import action_fixtures as make

HOME = reverse("stakeholders:chain_detail", args=["zsm"])


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def body(world: World):
    return make.body(world.chain, "Stuurgroep ZSM")


def test_it_is_registered_by_governance(world: World):
    assert "governance" in [fragment.key for fragment in chain_home_fragments()]


def test_it_shows_the_next_meetings_open_proposals_and_overdue_actions(world: World, body, client_for):
    now, today = timezone.now(), timezone.localdate()
    next_one = make.meeting(body, now + timedelta(days=3), status=MeetingStatus.ANNOUNCED)
    make.meeting(body, now + timedelta(days=5), status=MeetingStatus.CANCELLED)
    past = make.meeting(body, now - timedelta(days=5), status=MeetingStatus.HELD)
    proposal = make.decision(body, world.manager, "Gezamenlijke intake")
    make.decision(body, world.manager, "Al aangenomen", status=DecisionStatus.ADOPTED)
    late = make.action(body, world.lead_a, today - timedelta(days=2), "Capaciteitsplan")
    make.action(body, world.lead_a, today + timedelta(days=2), "Nog niet te laat")
    make.action(body, world.lead_a, today - timedelta(days=2), "Afgerond", status=ActionStatus.DONE, closing_note="Ja.")
    other = make.body(world.other_chain, "Jeugdoverleg")
    make.action(other, world.outsider, today - timedelta(days=2), "Andere keten")
    make.decision(other, world.outsider, "Voorstel jeugd")

    page = client_for(world.viewer).get(HOME).text
    assert "Meetings, proposals and actions" in page
    assert reverse("governance:meeting_detail", args=["zsm", next_one.pk]) in page
    assert reverse("governance:meeting_detail", args=["zsm", past.pk]) not in page
    assert "Cancelled" not in page
    assert reverse("governance:decision_detail", args=["zsm", proposal.pk]) in page
    assert "Al aangenomen" not in page and "Voorstel jeugd" not in page
    assert reverse("governance:action_detail", args=["zsm", late.pk]) in page
    assert "Nog niet te laat" not in page and "Afgerond" not in page and "Andere keten" not in page
    assert "All 1 overdue action" in page


def test_it_counts_overdue_actions_beyond_those_shown(world: World, body, client_for):
    for n in range(13):
        make.action(body, world.lead_a, timezone.localdate() - timedelta(days=n + 1), f"Actie {n:02d}")
    page = client_for(world.viewer).get(HOME).text
    assert "Actie 12" in page and "Actie 02" not in page  # longest overdue first, ten shown
    assert "All 13 overdue actions" in page


def test_it_leaves_out_the_section_when_nothing_is_on(world: World, client_for):
    assert "Meetings, proposals and actions" not in client_for(world.viewer).get(HOME).text


def test_it_keeps_the_chain_home_in_constant_queries(world: World, body, client_for, max_page_queries):
    def grow(first: int, last: int) -> None:
        for n in range(first, last):
            make.meeting(body, timezone.now() + timedelta(days=n + 1))
            make.decision(body, world.manager, f"Voorstel {n}")
            make.action(body, world.lead_a, timezone.localdate() - timedelta(days=n + 1))

    client = client_for(world.manager)
    grow(0, 1)
    client.get(HOME)
    # The page's own nine (tests/stakeholders/test_chain_detail.py), governance's three, the
    # count of overdue actions when more than are shown, participation health's three and the
    # early warnings' count of ambitions heading off target (one).
    with max_page_queries(17) as few:
        assert client.get(HOME).status_code == 200
    grow(1, 30)
    with max_page_queries(len(few.captured_queries) + 1):
        page = client.get(HOME).text
    assert "All 30 overdue actions" in page
