"""The chain's rules for answering a proposal (issue 15) on its settings page: the answer time in
working days and what silence means after the deadline, each rule's meaning shown."""

from __future__ import annotations

import pytest

from stakeholders.models import SilenceRule
from tests.conftest import World
from tests.stakeholders.test_chain_settings import URL, form_data, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def test_the_programme_manager_sees_both_rules_with_their_meaning(world: World, client_for):
    page = client_for(world.manager).get(URL)
    assert page.status_code == 200
    for rule in SilenceRule:
        assert rule.meaning.split(":")[0] in page.text
    assert 'name="consent_answer_days"' in page.text and 'type="radio"' in page.text
    assert page.context["form"]["silence_rule"].value() == SilenceRule.NOT_CONSENT


def test_the_programme_manager_sets_the_answer_time_and_the_silence_rule(world: World, client_for):
    client = client_for(world.manager)
    response = client.post(URL, form_data(client, consent_answer_days=10, silence_rule=SilenceRule.CONSENT))
    assert response.status_code == 302
    world.chain.refresh_from_db()
    assert world.chain.consent_answer_days == 10 and world.chain.silence_rule == SilenceRule.CONSENT


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("consent_answer_days", 0),
        ("consent_answer_days", 61),
        ("consent_answer_days", "veel"),
        ("silence_rule", "maybe"),
    ],
)
def test_an_answer_rule_that_does_not_fit_is_refused_at_its_field(world: World, client_for, field, value):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    response = client.post(URL, form_data(client, **{field: value}))
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.text
    assert snapshot(world.chain) == before
