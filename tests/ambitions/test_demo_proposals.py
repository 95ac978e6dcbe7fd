"""The demo's proposals (ambitions/demo_proposals.py) look like real ones: a deadline, a round with
its text and a timeline; one waiting for answers, one stopped by an objection to amend."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ambitions.models import EventKind, IndicatorVersion, VersionStatus
from ambitions.services import consensus

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_proposal_waiting_and_one_stopped_with_deadlines_rounds_and_timelines(db):
    call_command("load_demo", stdout=io.StringIO())
    waiting = IndicatorVersion.objects.get(indicator__name="Schadevergoeding binnen 3 maanden betaald")
    stopped = IndicatorVersion.objects.get(indicator__name="Slachtoffer binnen 5 werkdagen geïnformeerd")
    assert waiting.status == VersionStatus.PROPOSED and stopped.status == VersionStatus.STOPPED
    for version in (waiting, stopped):
        assert version.answer_by is not None and version.round == 1
        assert consensus.current_round(version).answer_by == version.answer_by
    assert [e.kind for e in consensus.timeline(waiting)] == [EventKind.ASKED, EventKind.ANSWERED]
    assert consensus.waiting_partners(waiting)
    assert [e.kind for e in consensus.timeline(stopped)] == [EventKind.ASKED, EventKind.ANSWERED, EventKind.STOPPED]
    assert consensus.answers_by_round(stopped)[0].answers[0].reason
    call_command("load_demo", stdout=io.StringIO())  # again: nothing new
    assert len(consensus.timeline(stopped)) == 3
