"""The proposal page of a consent that cannot stall (issue 15): the answer deadline and the rule for
silence, answers by a stand-in or by silence, the proposer's ways forward after an objection
(amend into a new round, withdraw), earlier rounds "to the previous text", the timeline, and a
query count that does not grow with partners or rounds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ambitions.forms.proposals import AmendForm
from ambitions.models import Consent, ConsentPosition, EventKind, IndicatorVersion, VersionStatus
from ambitions.services import consensus
from stakeholders.models import MandateScope, Role, SilenceRule
from stakeholders.working_days import add_working_days
from tests.ambitions.test_consensus import draft, status_of, url
from tests.conftest import in_english
from tests.factories import MandateFactory, MembershipFactory, PartnershipFactory, PersonFactory, UnitFactory
from tests.measures import Measures

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    """Signed in, reading the pages in English (the texts asserted here)."""
    return lambda person: in_english(client_for(person))


def amend_data(version: IndicatorVersion, **changes) -> dict:
    """The amend form as the page fills it in, with ``changes`` typed over it."""
    form = AmendForm(instance=version, chain=version.indicator.ambition.chain)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    data["answer_by"] = add_working_days(timezone.localdate(), 10).isoformat()
    data["note"] = "De noemer telt geen sepots meer."
    data.update(changes)
    return data


def stopped(measures: Measures) -> IndicatorVersion:
    w = measures.world
    version = draft(measures)
    consensus.propose(w.manager, version)
    consensus.respond(w.lead_a, version, w.partner_a, ConsentPosition.OBJECTION, "De noemer telt ook sepots mee.")
    return version


def test_the_page_shows_the_deadline_and_the_rule_for_silence_to_everyone(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    manager = client_for(w.manager)
    page = manager.get(url("version_detail", version))
    # The propose form offers the chain's default deadline, filled in.
    default = consensus.default_answer_by(version)
    assert f'value="{default.isoformat()}"' in page.text
    later = add_working_days(timezone.localdate(), 20)
    assert manager.post(url("version_propose", version), {"answer_by": later.isoformat()}).status_code == 302
    version.refresh_from_db()
    assert version.answer_by == later
    for person in (w.viewer, w.lead_a, w.lead_b):
        text = client_for(person).get(url("version_detail", version)).text
        assert 'id="answer-by"' in text and "20 working days left" in text
        assert escape(SilenceRule.NOT_CONSENT.meaning) in text


def test_it_refuses_a_deadline_in_the_past_at_the_field(measures: Measures, client_for):
    version = draft(measures)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(measures.world.manager).post(url("version_propose", version), {"answer_by": yesterday})
    assert response.status_code == 422
    assert 'id="id_answer_by_error"' in response.text
    assert status_of(version) == VersionStatus.DRAFT
    response = client_for(measures.world.manager).post(url("version_propose", version), {"answer_by": "morgen"})
    assert response.status_code == 422 and 'id="id_answer_by_error"' in response.text


def test_it_shows_a_stand_ins_answer_and_silence_never_as_an_active_yes(measures: Measures, client_for):
    w = measures.world
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save(update_fields=["silence_rule"])
    version = draft(measures)
    consensus.propose(w.manager, version)
    stand_in = PersonFactory(organisation=w.org_a, full_name="Sam Vervanger")
    Consent.objects.create(
        version=version, partnership=w.partner_a, person=stand_in, for_person=w.lead_a, position="consent"
    )
    Consent.objects.create(version=version, partnership=w.partner_b, by_silence=True, position="consent")
    text = client_for(w.viewer).get(url("version_detail", version)).text
    assert "Sam Vervanger for Lead-A" in text
    assert "Consent by silence after the deadline" in text
    assert escape(SilenceRule.CONSENT.meaning) in text


def test_the_proposer_sees_the_objection_and_amends_into_a_new_round(measures: Measures, client_for):
    w = measures.world
    version = stopped(measures)
    manager = client_for(w.manager)
    page = manager.get(url("version_detail", version))
    assert "De noemer telt ook sepots mee." in page.text
    assert url("version_amend", version) in page.text and url("version_withdraw", version) in page.text
    # Partners see the objection too, but not the proposer's steps.
    assert url("version_amend", version) not in client_for(w.lead_b).get(url("version_detail", version)).text

    form_page = manager.get(url("version_amend", version))
    assert form_page.status_code == 200
    # No note: refused at the field, nothing changed.
    refused = manager.post(url("version_amend", version), amend_data(version, note="", tolerance="7"))
    assert refused.status_code == 422 and 'id="id_note_error"' in refused.text
    assert status_of(version) == VersionStatus.STOPPED
    response = manager.post(url("version_amend", version), amend_data(version, tolerance="7"))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED and version.round == 2

    text = client_for(w.lead_b).get(url("version_detail", version)).text
    assert "to the previous text" in text and "<details" in text
    assert "De noemer telt geen sepots meer." in text
    assert str(IndicatorVersion._meta.get_field("tolerance").verbose_name) in text
    # Lead A answers again in the new round.
    assert url("version_respond", version) in client_for(w.lead_a).get(url("version_detail", version)).text


def test_amending_an_open_proposal_is_refused(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    consensus.propose(w.manager, version)
    assert client_for(w.manager).get(url("version_amend", version)).status_code == 409


def test_the_proposer_withdraws_with_a_reason(measures: Measures, client_for):
    w = measures.world
    version = stopped(measures)
    manager = client_for(w.manager)
    response = manager.post(url("version_withdraw", version), {"reason": "  "})
    assert response.status_code == 422 and 'id="id_reason_error"' in response.text
    htmx = manager.post(url("version_withdraw", version), {"reason": ""}, headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and htmx.text.lstrip().startswith("<form") and "id_reason_error" in htmx.text
    assert status_of(version) == VersionStatus.STOPPED
    assert manager.post(url("version_withdraw", version), {"reason": "Niet meer nodig."}).status_code == 302
    assert status_of(version) == VersionStatus.WITHDRAWN
    text = client_for(w.viewer).get(url("version_detail", version)).text
    assert "Withdrawn on" in text and "Niet meer nodig." in text


def test_the_timeline_shows_every_step_in_order(measures: Measures, client_for):
    w = measures.world
    version = stopped(measures)
    consensus.amend(w.manager, version, {"tolerance": 7}, "Sepots eruit")
    version.refresh_from_db()
    consensus.respond(w.lead_a, version, w.partner_a, ConsentPosition.CONSENT)
    consensus.respond(w.lead_b, version, w.partner_b, ConsentPosition.CONSENT)
    text = client_for(w.viewer).get(url("version_detail", version)).text
    timeline = text[text.index('id="timeline"') :]
    labels = [
        str(EventKind(kind).label)
        for kind in (EventKind.ASKED, EventKind.ANSWERED, EventKind.STOPPED, EventKind.AMENDED, EventKind.ADOPTED)
    ]
    positions = [timeline.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "by Lead-A" in timeline


def _add_core_partner(chain, version, n: int) -> None:
    organisation = PartnershipFactory(chain=chain).organisation
    version.reporting_units.add(UnitFactory(organisation=organisation, name=f"Eenheid {n}"))
    lead = PersonFactory(organisation=organisation)
    MembershipFactory(person=lead, chain=chain, role=Role.PARTNER_LEAD)
    MandateFactory(person=lead, partnership=organisation.partnerships.get(), scope=MandateScope.CONSENT_INDICATORS)


def test_the_page_costs_the_same_queries_for_more_partners_and_rounds(measures: Measures, client_for):
    w = measures.world
    version = stopped(measures)
    client = client_for(w.viewer)
    client.get(url("version_detail", version))
    # Both requests render the history afresh (the cache would spare the second one two queries);
    # clearing it also makes both read the session from the database.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url("version_detail", version))
    for n in range(4):
        _add_core_partner(w.chain, version, n)
    for n in range(3):
        consensus.amend(w.manager, version, {"tolerance": n + 2}, f"Ronde {n + 2}")
        version.refresh_from_db()
        consensus.respond(w.lead_b, version, w.partner_b, ConsentPosition.CONSENT)
        consensus.respond(w.lead_a, version, w.partner_a, ConsentPosition.OBJECTION, f"Nog niet {n}")
        version.refresh_from_db()
    cache.clear()  # as before the first: the session is read again too
    with CaptureQueriesContext(connection) as many:
        page = client.get(url("version_detail", version))
    assert page.status_code == 200 and "Nog niet 2" in page.text and 'id="round-3"' in page.text
    assert len(many) == len(few)


def _history_of(page) -> str:
    text = page.text
    return text[text.index('id="rounds-heading"') : text.index("</ol>", text.index('id="timeline"'))]


def test_the_history_comes_from_the_cache_until_the_next_step(measures: Measures, client_for):
    w = measures.world
    version = stopped(measures)
    client = client_for(w.viewer)
    consensus.amend(w.manager, version, {"tolerance": 3}, "Ronde 2")
    version.refresh_from_db()
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url("version_detail", version))
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url("version_detail", version))
    # The same history, read with fewer queries (not the timeline, not the earlier rounds' answers).
    assert _history_of(second) == _history_of(first)
    assert len(warm) < len(cold)
    # A new step is on the page at once: it changes the history's key.
    consensus.withdraw(w.manager, version, "Wij beginnen opnieuw")
    third = client.get(url("version_detail", version))
    assert "Wij beginnen opnieuw" in _history_of(third)
    assert "Wij beginnen opnieuw" not in _history_of(second)


def test_my_work_lists_the_nearest_deadline_first(measures: Measures, client_for):
    w = measures.world
    later, sooner = draft(measures, name="Later"), draft(measures, name="Eerder")
    consensus.propose(w.manager, later, answer_by=add_working_days(timezone.localdate(), 20))
    consensus.propose(w.manager, sooner, answer_by=add_working_days(timezone.localdate(), 2))
    text = client_for(w.lead_a).get(reverse("stakeholders:my_work")).text
    assert text.index(url("version_detail", sooner)) < text.index(url("version_detail", later))
    assert "answer by" in text


def test_the_audit_trail_comes_from_the_cache_until_the_next_change(measures: Measures, client_for):
    w = measures.world
    version = stopped(measures)
    client = client_for(w.viewer)

    def audit_trail(page) -> str:
        return page.text[page.text.index('id="history-heading"') :]

    first = client.get(url("version_detail", version))
    assert not re.search(r"17[.,]25", audit_trail(first))
    consensus.amend(w.manager, version, {"tolerance": "17.25"}, "Ruimere marge")
    # The amendment is a new audit entry: the page shows it at once, not the kept trail.
    assert re.search(r"17[.,]25", audit_trail(client.get(url("version_detail", version))))
