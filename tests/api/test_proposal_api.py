"""The indicator-version API shows a proposal that cannot stall (issue 15): its answer deadline,
round, the chain's rule for silence, the answers to the current round (a stand-in's for the lead,
consent by silence) and the timeline; read-only, in a fixed number of queries for a list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.models import Consent, ConsentPosition, EventKind
from ambitions.services import consensus
from stakeholders.models import SilenceRule
from tests.ambitions.test_consensus import draft
from tests.api.conftest import results
from tests.factories import PersonFactory
from tests.measures import Measures

pytestmark = pytest.mark.django_db

VERSIONS = "ambitions-api:indicator-version-list"


def test_it_shows_deadline_round_silence_rule_answers_and_timeline(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    consensus.propose(w.manager, version)
    consensus.respond(w.lead_a, version, w.partner_a, ConsentPosition.OBJECTION, "Te vroeg")
    consensus.amend(w.manager, version, {"tolerance": 4}, "Later ingaan")
    version.refresh_from_db()
    stand_in = PersonFactory(organisation=w.org_a, full_name="Sam Vervanger")
    Consent.objects.create(
        version=version, round=2, partnership=w.partner_a, person=stand_in, for_person=w.lead_a, position="consent"
    )
    Consent.objects.create(version=version, round=2, partnership=w.partner_b, by_silence=True, position="consent")

    found = client_for(w.viewer).get(reverse("ambitions-api:indicator-version-detail", args=[version.pk])).json()
    assert found["answer_by"] == version.answer_by.isoformat() and found["round"] == 2
    assert found["silence_rule"] == SilenceRule.NOT_CONSENT
    assert found["silence_meaning"]
    current = {a["organisation"]: a for a in found["current_answers"]}
    assert current[w.org_a.pk]["answered_by"] == "Sam Vervanger"
    assert current[w.org_a.pk]["for_person"] == w.lead_a.full_name
    assert current[w.org_b.pk]["by_silence"] is True and current[w.org_b.pk]["answered_by"] is None
    assert len(found["consents"]) == 3  # the objection of round 1 too, to the previous text
    kinds = [step["kind"] for step in found["timeline"]]
    assert kinds == [EventKind.ASKED, EventKind.ANSWERED, EventKind.STOPPED, EventKind.AMENDED]


def test_it_is_read_only(measures: Measures, client_for):
    version = draft(measures)
    client = client_for(measures.world.manager)
    detail = reverse("ambitions-api:indicator-version-detail", args=[version.pk])
    assert client.patch(detail, {"answer_by": "2030-01-01"}, content_type="application/json").status_code == 405


def test_the_list_takes_a_fixed_number_of_queries(measures: Measures, client_for):
    w = measures.world
    client = client_for(w.viewer)
    version = draft(measures, name="Eerste")
    consensus.propose(w.manager, version)
    with CaptureQueriesContext(connection) as one:
        assert results(client.get(reverse(VERSIONS)))
    for n in range(3):
        more = draft(measures, name=f"Meer {n}")
        consensus.propose(w.manager, more)
        consensus.respond(w.lead_a, more, w.partner_a, ConsentPosition.OBJECTION, "Nee")
        consensus.amend(w.manager, more, {"tolerance": 5}, "Anders")
    with CaptureQueriesContext(connection) as many:
        assert len(results(client.get(reverse(VERSIONS)))) > 4
    assert len(many) == len(one)
