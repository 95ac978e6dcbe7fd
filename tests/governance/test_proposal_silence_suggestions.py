"""Silence is not consent (issue 15): a proposal past its answer deadline stays open and is flagged
on the strategic body's agenda suggestions, with the deadline and the partners that stayed silent
(governance/services/suggestions.py, ``stalled_proposal``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambitions.models import Consent, ConsentPosition, IndicatorVersion, VersionStatus
from governance.models import BodyLevel, Decision, DecisionStatus
from governance.services import suggestions
from stakeholders.models import SilenceRule
from tests.governance.agenda_fixtures import at, build_board, decision, make_meeting
from tests.measures import adopted_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


def proposal(measures, answer_by, **fields) -> IndicatorVersion:
    version = adopted_version(
        measures.share, [measures.world.unit_a], number=2, status=VersionStatus.PROPOSED, **fields
    )
    IndicatorVersion.objects.filter(pk=version.pk).update(answer_by=answer_by)
    version.refresh_from_db()
    return version


def found(meeting) -> dict[str, suggestions.Suggestion]:
    meeting = type(meeting).objects.select_related("body__chain").get(pk=meeting.pk)
    return {s.key: s for s in suggestions.compute(meeting)}


def test_a_proposal_past_its_deadline_is_flagged_with_the_partners_that_stayed_silent(board, measures):
    w = board.world
    deadline = timezone.localdate() - timedelta(days=2)
    version = proposal(measures, deadline)
    Consent.objects.create(version=version, partnership=w.partner_b, person=w.lead_b, position=ConsentPosition.CONSENT)

    shown = found(board.meeting)
    assert f"proposal:{version.pk}" not in shown
    flagged = shown[f"stalled_proposal:{version.pk}"]
    assert flagged.day == deadline
    assert flagged.owner == "Politie"  # the OM answered; the police stayed silent
    assert "Politie" in flagged.reason and deadline.strftime("%Y") in flagged.reason
    assert flagged.title.endswith("version 2") or flagged.title.endswith("versie 2")
    assert flagged.links == {"indicator_version": version.pk}


def test_an_answer_to_an_earlier_round_is_silence_in_this_one(board, measures):
    w = board.world
    version = proposal(measures, timezone.localdate() - timedelta(days=1))
    Consent.objects.create(
        version=version, round=1, partnership=w.partner_b, person=w.lead_b, position=ConsentPosition.CONSENT
    )
    IndicatorVersion.objects.filter(pk=version.pk).update(round=2)
    assert found(board.meeting)[f"stalled_proposal:{version.pk}"].owner == "Openbaar Ministerie, Politie"


def test_before_the_deadline_it_is_an_ordinary_proposal(board, measures):
    version = proposal(measures, timezone.localdate())
    shown = found(board.meeting)
    assert f"proposal:{version.pk}" in shown
    assert f"stalled_proposal:{version.pk}" not in shown


def test_where_silence_is_consent_it_is_not_flagged(board, measures):
    board.world.chain.silence_rule = SilenceRule.CONSENT
    board.world.chain.save(update_fields=["silence_rule"])
    version = proposal(measures, timezone.localdate() - timedelta(days=3))
    shown = found(board.meeting)
    assert f"stalled_proposal:{version.pk}" not in shown
    assert f"proposal:{version.pk}" in shown


def test_only_the_strategic_body_is_told(board, measures):
    w = board.world
    version = proposal(measures, timezone.localdate() - timedelta(days=3))
    tactical = build_board(w, BodyLevel.TACTICAL, "Tactisch overleg").body
    decision(tactical, w.manager, "Over het voorstel", indicator_version=version, status=DecisionStatus.ADOPTED)
    meeting = make_meeting(tactical, at(timezone.localdate() + timedelta(days=3)))
    shown = found(meeting)
    assert f"stalled_proposal:{version.pk}" not in shown
    assert f"proposal:{version.pk}" in shown  # as before: a decision of the body is about it


def test_not_while_the_body_has_it_before_it_as_a_decision(board, measures):
    w = board.world
    version = proposal(measures, timezone.localdate() - timedelta(days=3))
    open_one = decision(board.body, w.manager, "Indicatorvoorstel", indicator_version=version)
    shown = found(board.meeting)
    assert f"stalled_proposal:{version.pk}" not in shown and f"proposal:{version.pk}" not in shown
    assert f"decision:{open_one.pk}" in shown
    Decision.objects.filter(pk=open_one.pk).update(status=DecisionStatus.WITHDRAWN)
    assert f"stalled_proposal:{version.pk}" in found(board.meeting)


def test_accepting_it_puts_the_proposal_on_the_agenda(board, measures):
    version = proposal(measures, timezone.localdate() - timedelta(days=3))
    item = suggestions.accept(board.meeting, f"stalled_proposal:{version.pk}", board.secretary)
    assert item.indicator_version_id == version.pk
    assert f"stalled_proposal:{version.pk}" not in found(board.meeting)


def test_the_silent_partners_cost_two_queries_whatever_the_number_of_proposals(board, measures):
    meeting = type(board.meeting).objects.select_related("body__chain").get(pk=board.meeting.pk)
    with CaptureQueriesContext(connection) as none_stalled:
        suggestions.compute(meeting)
    for number in range(2, 8):
        version = adopted_version(measures.share, [board.world.unit_a], number=number, status=VersionStatus.PROPOSED)
        IndicatorVersion.objects.filter(pk=version.pk).update(answer_by=timezone.localdate() - timedelta(days=1))
    with CaptureQueriesContext(connection) as stalled:
        result = suggestions.compute(meeting)
    assert sum(s.kind == suggestions.SuggestionKind.STALLED_PROPOSAL for s in result) == 6
    assert len(stalled) == len(none_stalled) + 2 <= suggestions.QUERIES
