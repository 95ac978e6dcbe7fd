"""Where a proposal's decision stands is kept in the cache (ambitions/views/version_standing.py): the
page must still show every change at once — an answer, a comment, a new mandate, a renamed partner,
a partner that is no longer core, a mandate that ends — and a sign-in must not empty the cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambitions.models import ConsentPosition
from ambitions.services import consensus
from stakeholders import roster
from stakeholders.models import Mandate, MandateScope, PartnershipStatus, Person, Role
from tests.ambitions.test_consensus import draft, url
from tests.conftest import in_english, sign_in
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.measures import Measures

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    return lambda person: in_english(client_for(person))


def proposed(m: Measures):
    version = draft(m)
    consensus.propose(m.world.manager, version)
    return version


def test_a_second_reading_comes_from_the_cache_with_fewer_queries(measures: Measures, client_for):
    version = proposed(measures)
    client = client_for(measures.world.viewer)
    with CaptureQueriesContext(connection) as first:
        client.get(url("version_detail", version))
    with CaptureQueriesContext(connection) as second:
        page = client.get(url("version_detail", version))
    assert page.status_code == 200 and "Not answered yet" in page.text
    # The partners, their leads, the rounds and answers, comments, units and audit trail: read once.
    assert len(second) <= len(first) - 5


def test_an_answer_and_a_comment_are_on_the_page_at_once(measures: Measures, client_for):
    w = measures.world
    version = proposed(measures)
    client = client_for(w.viewer)
    assert "Not answered yet" in client.get(url("version_detail", version)).text
    consensus.respond(w.lead_a, version, w.partner_a, ConsentPosition.CONSENT, "")
    consensus.comment(w.lead_b, version, "Graag ook de sepots apart tonen.")
    text = client.get(url("version_detail", version)).text
    assert "kp-answer--consent" in text and "Graag ook de sepots apart tonen." in text


def test_a_new_mandate_and_a_renamed_partner_are_on_the_page_at_once(measures: Measures, client_for):
    w = measures.world
    version = proposed(measures)
    client = client_for(w.viewer)
    assert "Noor Nieuwkomer" not in client.get(url("version_detail", version)).text
    newcomer = PersonFactory(organisation=w.org_a, full_name="Noor Nieuwkomer")
    MembershipFactory(person=newcomer, chain=w.chain, role=Role.PARTNER_LEAD)
    MandateFactory(person=newcomer, partnership=w.partner_a, scope=MandateScope.CONSENT_INDICATORS)
    assert "Noor Nieuwkomer" in client.get(url("version_detail", version)).text

    w.org_a.name = "Nationale Politie Eenheid Midden"
    w.org_a.save()
    assert "Nationale Politie Eenheid Midden" in client.get(url("version_detail", version)).text


def test_a_partner_that_is_no_longer_core_leaves_the_answers_at_once(measures: Measures, client_for):
    w = measures.world
    version = proposed(measures)
    client = client_for(w.viewer)
    assert "Partners of the chain and observers may comment" not in client.get(url("version_detail", version)).text
    w.partner_b.status = PartnershipStatus.OBSERVER
    w.partner_b.save()
    text = client.get(url("version_detail", version)).text
    assert "Partners of the chain and observers may comment" in text and "Observer" in text


def test_a_mandate_that_ended_yesterday_no_longer_counts_the_next_day(measures: Measures, client_for):
    w = measures.world
    version = proposed(measures)
    client = client_for(w.viewer)
    Mandate.objects.filter(partnership=w.partner_b).update(valid_until=timezone.localdate())
    assert "Nobody with a consent mandate" not in client.get(url("version_detail", version)).text
    # The day after, without anything else changing: the cached standing was the day before's.
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: tomorrow)
        # Signed in again: a session in the database would have expired by then.
        assert "Nobody with a consent mandate" in client_for(w.viewer).get(url("version_detail", version)).text


def test_signing_in_keeps_the_roster_and_a_name_change_renews_it(measures: Measures):
    before = roster.revision()
    person: Person = measures.world.viewer
    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])
    assert roster.revision() == before
    person.full_name = "Vera Viewer-de Vries"
    person.save()
    assert roster.revision() != before


def test_the_answers_are_shown_in_the_reader_s_language(measures: Measures, client_for):
    version = proposed(measures)
    english = client_for(measures.world.viewer).get(url("version_detail", version)).text
    dutch = sign_in(Client(), measures.world.lead_b).get(url("version_detail", version)).text
    assert "Not answered yet" in english and "Not answered yet" not in dutch
