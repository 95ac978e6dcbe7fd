"""After an objection (issue 15): amending into a new round (earlier answers kept, to the previous
text; the definition lock opens for nothing else), withdrawing, a stand-in's answer for the lead,
the body's decision recorded with the proposal, and what the proposal page reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambitions.models import (
    Consent,
    EventKind,
    IndicatorVersion,
    LockedVersionError,
    ProposalEvent,
    ProposalRound,
    VersionStatus,
)
from ambitions.models.definitions import AMENDING
from ambitions.services import consensus
from stakeholders.models import Notification, Role
from stakeholders.models.stand_ins import StandIn, name_stand_in
from tests.ambitions.consent_clock import MONDAY, on, proposed, stopped
from tests.factories import MembershipFactory, PersonFactory
from tests.measures import Measures

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + timedelta(days=1)


def kinds(version: IndicatorVersion) -> list[str]:
    return [e.kind for e in consensus.timeline(version)]


# --- Amending -----------------------------------------------------------------------------------


def test_the_proposer_amends_a_stopped_proposal_into_a_new_round_everyone_is_asked_again(measures: Measures):
    w = measures.world
    version = stopped(measures)
    assert version.status == VersionStatus.STOPPED
    assert kinds(version) == [EventKind.ASKED, EventKind.ANSWERED, EventKind.STOPPED]
    with on(TUESDAY):
        consensus.amend(
            w.manager, version, {"unit_label": "dossiers", "target_value": "70"}, "Sepots tellen niet meer mee."
        )
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED and version.round == 2 and version.decided_at is None
    assert version.unit_label == "dossiers" and version.answer_by == date(2027, 3, 23)
    second = ProposalRound.objects.get(version=version, number=2)
    assert second.definition["unit_label"] == "dossiers" and second.note == "Sepots tellen niet meer mee."
    assert ProposalRound.objects.get(version=version, number=1).definition["unit_label"] == "zaken"
    assert kinds(version)[-1] == EventKind.AMENDED
    asked = Notification.objects.filter(key=f"consent-asked:{version.pk}:2")
    assert {n.person for n in asked} == {w.lead_a, w.lead_b}
    # The objection stays, to the previous text; lead B answers again in round 2.
    rounds = consensus.answers_by_round(version)
    assert [(r.number, r.is_current) for r in rounds] == [(2, True), (1, False)]
    assert rounds[1].answers[0].position == "objection" and rounds[0].answers == []
    assert rounds[0].changed == ["unit_label", "target_value"] and len(rounds[0].changed_labels) == 2
    assert consensus.waiting_partners(version) == [w.partner_b, w.partner_a]  # by name: OM, Politie
    assert version in consensus.requested_from(w.lead_b)
    with on(TUESDAY):
        consensus.respond(w.lead_b, version, w.partner_b, "consent")
        consensus.respond(w.lead_a, version, w.partner_a, "consent")
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED
    assert Consent.objects.filter(version=version).count() == 3
    assert kinds(version)[-1] == EventKind.ADOPTED


def test_amending_changes_the_reporting_units_too(measures: Measures):
    w = measures.world
    version = stopped(measures)
    with on(TUESDAY):
        consensus.amend(w.manager, version, {"reporting_units": [w.unit_a]}, "Alleen de politie rapporteert.")
    assert list(version.reporting_units.all()) == [w.unit_a]
    rounds = consensus.answers_by_round(version)
    assert rounds[0].changed == ["reporting_units"]


@pytest.mark.parametrize(
    ("changes", "note", "field"),
    [
        ({"unit_label": "dossiers"}, "  ", "note"),
        ({"target_period": date(2020, 1, 1)}, "Eerder doel", "target_period"),
        ({"decimals": 9}, "Meer decimalen", "decimals"),
        ({"rationale": "x"}, "Andere reden", "rationale"),
        ({"reporting_units": []}, "Niemand", "reporting_units"),
    ],
)
def test_a_bad_amendment_is_refused_at_its_field_and_nothing_changes(measures: Measures, changes, note, field):
    version = stopped(measures)
    with on(TUESDAY), pytest.raises(consensus.ConsensusRefused) as refused:
        consensus.amend(measures.world.manager, version, changes, note)
    assert refused.value.field == field
    version.refresh_from_db()
    assert version.status == VersionStatus.STOPPED and version.round == 1 and version.unit_label == "zaken"
    assert version.target_period.year == 2027 and version.decimals == 0
    assert ProposalRound.objects.filter(version=version).count() == 1
    assert version.reporting_units.count() == 2


def test_only_a_stopped_proposal_is_amended_and_only_by_a_programme_manager(measures: Measures):
    w = measures.world
    version = proposed(measures)
    with on(MONDAY), pytest.raises(consensus.ConsensusRefused):
        consensus.amend(w.manager, version, {"unit_label": "dossiers"}, "Beter")
    with on(MONDAY):
        consensus.respond(w.lead_b, version, w.partner_b, "objection", "Nee")
    for person in (w.lead_a, w.lead_b, w.viewer):
        with on(MONDAY), pytest.raises(PermissionDenied):
            consensus.amend(person, version, {"unit_label": "dossiers"}, "Beter")
    assert IndicatorVersion.objects.get(pk=version.pk).round == 1


def test_the_definition_lock_opens_for_amend_only(measures: Measures):
    version = stopped(measures)
    version.unit_label = "dossiers"
    with pytest.raises(LockedVersionError):
        version.save()
    adopted = measures.share_v1
    adopted.unit_label = "dossiers"
    setattr(adopted, AMENDING, True)  # the flag does not unlock anything but a stopped proposal
    with pytest.raises(LockedVersionError):
        adopted.save()
    proposed_version = proposed(measures, name="Open voorstel")
    proposed_version.unit_label = "dossiers"
    setattr(proposed_version, AMENDING, True)
    with pytest.raises(LockedVersionError):
        proposed_version.save()


# --- Withdrawing --------------------------------------------------------------------------------


def test_withdrawing_needs_a_reason_and_ends_the_proposal(measures: Measures):
    w = measures.world
    version = stopped(measures)
    with pytest.raises(consensus.ConsensusRefused) as refused:
        consensus.withdraw(w.manager, version, " ")
    assert refused.value.field == "reason"
    with pytest.raises(PermissionDenied):
        consensus.withdraw(w.lead_a, version, "Niet meer nodig")
    with on(TUESDAY):
        consensus.withdraw(w.manager, version, "Niet meer nodig")
    version.refresh_from_db()
    assert version.status == VersionStatus.WITHDRAWN
    step = consensus.timeline(version)[-1]
    assert (step.kind, step.person, step.note) == (EventKind.WITHDRAWN, w.manager, "Niet meer nodig")
    with pytest.raises(consensus.ConsensusRefused):
        consensus.withdraw(w.manager, version, "Nog eens")
    with pytest.raises(consensus.ConsensusRefused):
        consensus.withdraw(w.manager, measures.share_v1, "Weg ermee")


def test_an_open_proposal_can_be_withdrawn_and_then_takes_no_answers(measures: Measures):
    w = measures.world
    version = proposed(measures)
    with on(MONDAY):
        consensus.withdraw(w.manager, version, "Verkeerd ingediend")
        with pytest.raises(consensus.ConsensusRefused):
            consensus.respond(w.lead_a, version, w.partner_a, "consent")
    assert version not in consensus.requested_from(w.lead_a)


# --- A stand-in answers for the lead ------------------------------------------------------------


def test_a_stand_in_answers_for_the_absent_lead_and_the_record_says_so(measures: Measures):
    w = measures.world
    deputy = PersonFactory(organisation=w.org_b, full_name="Plaatsvervanger B")
    MembershipFactory(person=deputy, chain=w.chain, role=Role.PARTNER_LEAD)
    with on(MONDAY):
        stand_in = StandIn(
            partnership=w.partner_b, lead=w.lead_b, stand_in=deputy, starts_on=MONDAY, ends_on=MONDAY + timedelta(14)
        )
        stand_in.full_clean()
        name_stand_in(stand_in)
    version = proposed(measures)
    assert Notification.objects.filter(person=deputy, key=f"consent-asked:{version.pk}:1").exists()
    with on(TUESDAY):
        assert version in consensus.requested_from(deputy)
        consent = consensus.respond(deputy, version, w.partner_b, "objection", "Nog niet haalbaar")
    assert consent.person == deputy and consent.for_person == w.lead_b
    step = consensus.timeline(version)[-2]
    assert (step.kind, step.person, step.for_person, step.partnership) == (
        EventKind.ANSWERED,
        deputy,
        w.lead_b,
        w.partner_b,
    )
    # The lead answering on their own mandate is recorded for nobody else.
    other = proposed(measures, name="Tweede voorstel")
    with on(TUESDAY):
        own = consensus.respond(w.lead_a, other, w.partner_a, "consent")
    assert own.for_person is None


# --- The body decides ---------------------------------------------------------------------------


def test_the_bodys_adoption_is_recorded_with_the_proposal(measures: Measures):
    w = measures.world
    version = stopped(measures)
    with on(TUESDAY):
        step = consensus.record_event(version, EventKind.ON_AGENDA, person=w.manager, note="Stuurgroep", url="/x/")
        consensus.decide_by_body(version, adopted=True, person=w.manager, note="Vastgesteld", url="/besluit/1/")
    assert (step.round, step.kind, step.url) == (1, EventKind.ON_AGENDA, "/x/")
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED and version.decided_at is not None
    assert kinds(version)[-3:] == [EventKind.ON_AGENDA, EventKind.BODY_DECIDED, EventKind.ADOPTED]
    decided = consensus.timeline(version)[-2]
    assert (decided.person, decided.note, decided.url) == (w.manager, "Vastgesteld", "/besluit/1/")
    with pytest.raises(consensus.ConsensusRefused):
        consensus.decide_by_body(version, adopted=False, person=w.manager)
    with pytest.raises(ValueError):
        consensus.record_event(version, "invented")


def test_a_body_that_does_not_adopt_leaves_the_proposal_stopped_for_amending_or_withdrawing(measures: Measures):
    w = measures.world
    version = proposed(measures)
    with on(TUESDAY):
        consensus.decide_by_body(version, adopted=False, person=w.manager, note="Niet vastgesteld")
    version.refresh_from_db()
    assert version.status == VersionStatus.STOPPED
    assert kinds(version)[-2:] == [EventKind.BODY_DECIDED, EventKind.STOPPED]
    with on(TUESDAY):
        consensus.amend(w.manager, version, {"unit_label": "dossiers"}, "Aangepast na de stuurgroep")
    assert IndicatorVersion.objects.get(pk=version.pk).status == VersionStatus.PROPOSED


# --- What the page reads, in a fixed number of queries -------------------------------------------


def test_the_read_helpers_cost_the_same_however_many_rounds_and_answers(measures: Measures):
    w = measures.world
    version = stopped(measures)

    def reads():
        with CaptureQueriesContext(connection) as queries:
            steps = consensus.timeline(version)
            [
                (a.person, a.for_person, a.partnership.organisation)
                for r in consensus.answers_by_round(version)
                for a in r.answers
            ]
            [(s.person, s.for_person, s.partnership) for s in steps]
            consensus.current_round(version)
        return len(queries)

    few = reads()
    for n in range(3):
        with on(TUESDAY):
            consensus.amend(w.manager, version, {"unit_label": f"dossiers {n}"}, f"Ronde {n + 2}")
            consensus.respond(w.lead_a, version, w.partner_a, "consent")
            consensus.respond(w.lead_b, version, w.partner_b, "objection", f"Bezwaar {n}")
        version.refresh_from_db()
    assert version.round == 4 and ProposalEvent.objects.filter(version=version).count() > 12
    assert reads() == few == 4
