"""The chain's reminder lead time for proposals (issue 15): how many working days before the answer
deadline the one reminder goes out, set on the chain settings page with its meaning, refused at its
field when it does not fit, and followed by the daily sweep."""

from __future__ import annotations

from datetime import date

import pytest

from ambitions.services.consent_deadlines import sweep
from stakeholders.models import Chain, Notification
from tests.ambitions.consent_clock import on, proposed
from tests.measures import Measures
from tests.stakeholders.test_chain_settings import URL, form_data, snapshot

pytestmark = pytest.mark.django_db

# Proposed on Monday 1 March 2027 with the default 15 working days: the deadline is Monday 22 March.
FIVE_BEFORE = date(2027, 3, 15)  # 16, 17, 18, 19 and 22 March left
SIX_BEFORE = date(2027, 3, 12)  # a Friday: 15 March and the five above left


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def reminders_before(version) -> int:
    return Notification.objects.filter(key=f"consent-reminder:{version.pk}:1:before").count()


def test_the_sweep_reminds_as_many_working_days_ahead_as_the_chain_says(measures: Measures):
    w = measures.world
    Chain.objects.filter(pk=w.chain.pk).update(consent_reminder_days=5)
    version = proposed(measures)
    assert version.answer_by == date(2027, 3, 22)
    with on(SIX_BEFORE):
        sweep()
    assert reminders_before(version) == 0
    with on(FIVE_BEFORE):
        sweep()
    assert reminders_before(version) == 2  # the leads of both core partners, neither has answered
    assert {n.person for n in Notification.objects.filter(key__endswith=":1:before")} == {w.lead_a, w.lead_b}


def test_with_the_default_the_same_day_is_too_early(measures: Measures):
    assert measures.world.chain.consent_reminder_days == 3
    version = proposed(measures)
    with on(FIVE_BEFORE):
        sweep()
    assert reminders_before(version) == 0


def test_a_round_asked_within_the_chains_lead_time_gets_only_the_reminder_on_the_day(measures: Measures):
    w = measures.world
    Chain.objects.filter(pk=w.chain.pk).update(consent_reminder_days=10)
    version = proposed(measures, answer_by=date(2027, 3, 12))  # nine working days after asking
    with on(date(2027, 3, 11)):
        sweep()
    assert reminders_before(version) == 0
    with on(date(2027, 3, 12)):
        sweep()
    assert Notification.objects.filter(key=f"consent-reminder:{version.pk}:1:day").count() == 2


def test_the_settings_page_shows_the_lead_time_with_its_meaning_and_saves_it(world, client_for):
    client = client_for(world.manager)
    page = client.get(URL)
    assert 'name="consent_reminder_days"' in page.text
    assert "working days before its deadline, and one on the day itself" in page.text
    response = client.post(URL, form_data(client, consent_reminder_days=5))
    assert response.status_code == 302
    world.chain.refresh_from_db()
    assert world.chain.consent_reminder_days == 5


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"consent_reminder_days": 0}, "greater than or equal to 1"),
        ({"consent_reminder_days": 21}, "less than or equal to 20"),
        ({"consent_reminder_days": "soon"}, "whole number"),
        ({"consent_reminder_days": ""}, "required"),
        ({"consent_answer_days": 10, "consent_reminder_days": 10}, "than the 10 partners have to answer"),
    ],
)
def test_a_lead_time_that_does_not_fit_is_refused_at_its_field(world, client_for, fields, message):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    response = client.post(URL, form_data(client, **fields))
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors["consent_reminder_days"])
    assert 'id="id_consent_reminder_days_error"' in response.text
    assert snapshot(world.chain) == before
