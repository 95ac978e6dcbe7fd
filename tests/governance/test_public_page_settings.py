"""The programme manager's settings of the public page (governance/views/public_page.py,
governance/forms/public_page.py): switched on only with an adopted decision of a strategic body
of the chain, at least one and at most eight of the chain's own indicators; refused input saves
nothing; a concurrent change is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.models import BodyLevel, DecisionStatus
from governance.models.public_page import PublicPage
from tests.governance.public_page_fixtures import adopted_decision, steering_group

URL = "/ketens/zsm/overleg/openbare-pagina/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def form_data(client, **overrides) -> dict:
    form = client.get(URL).context["form"]
    data = {"version_token": form["version_token"].value()}
    data.update(overrides)
    return data


def test_it_switches_the_page_on_with_the_steering_groups_decision(measures, client_for):
    m, w = measures, measures.world
    decision = adopted_decision(steering_group(w.chain), w.manager)
    client = client_for(w.manager)
    page = client.get(URL)
    assert page.status_code == 200
    assert decision.title in page.text

    data = form_data(client, enabled="on", decision=decision.pk, indicators=[m.share.pk, m.count.pk])
    response = client.post(URL, data, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "The public page is switched on." in response.text
    saved = PublicPage.objects.get(chain=w.chain)
    assert saved.enabled and saved.decision == decision and not saved.show_units
    assert set(saved.indicators.all()) == {m.share, m.count}
    assert "/openbaar/zsm/" in response.text and "/openbaar/zsm/embed/" in response.text
    assert Client().get("/openbaar/zsm/").status_code == 200
    # Who switched it on, and on which decision, is in the page's history.
    history = client.get(URL).text
    history = history[history.index("History") :]
    assert w.manager.full_name in history and decision.title in history


def test_it_refuses_to_switch_on_without_a_decision_or_indicators(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.manager)
    response = client.post(URL, form_data(client, enabled="on", indicators=[m.share.pk]))
    assert response.status_code == 422
    assert "Link the steering group&#x27;s decision to publish the page." in response.text
    assert 'id="id_decision_error"' in response.text

    decision = adopted_decision(steering_group(w.chain), w.manager)
    response = client.post(URL, form_data(client, enabled="on", decision=decision.pk))
    assert response.status_code == 422
    assert "Choose at least one indicator to publish." in response.text
    assert not PublicPage.objects.filter(enabled=True).exists()
    assert not PublicPage.objects.filter(indicators__isnull=False).exists()


@pytest.mark.parametrize(
    ("level", "status"),
    [(BodyLevel.TACTICAL, DecisionStatus.ADOPTED), (BodyLevel.STRATEGIC, DecisionStatus.REJECTED)],
)
def test_it_offers_only_adopted_decisions_of_a_strategic_body(measures, client_for, level, status):
    m, w = measures, measures.world
    body = steering_group(w.chain)
    body.level = level
    body.save()
    decision = adopted_decision(body, w.manager, status=status)
    client = client_for(w.manager)
    assert decision.title not in client.get(URL).text
    response = client.post(URL, form_data(client, enabled="on", decision=decision.pk, indicators=[m.share.pk]))
    assert response.status_code == 422
    assert 'id="id_decision_error"' in response.text
    assert not PublicPage.objects.filter(enabled=True).exists()
    assert not PublicPage.objects.filter(indicators__isnull=False).exists()


def test_it_refuses_another_chains_decision_and_indicator(measures, client_for):
    m, w = measures, measures.world
    foreign = adopted_decision(steering_group(w.other_chain), w.manager, title="Besluit van een andere keten")
    client = client_for(w.manager)
    response = client.post(URL, form_data(client, enabled="on", decision=foreign.pk, indicators=[m.other_indicator.pk]))
    assert response.status_code == 422
    assert 'id="id_decision_error"' in response.text and 'id="id_indicators_error"' in response.text
    assert not PublicPage.objects.filter(enabled=True).exists()
    assert not PublicPage.objects.filter(indicators__isnull=False).exists()


def test_it_refuses_a_change_made_meanwhile(measures, client_for):
    m, w = measures, measures.world
    decision = adopted_decision(steering_group(w.chain), w.manager)
    anna, bart = client_for(w.manager), client_for(w.admin)
    anna_data = form_data(anna, enabled="on", decision=decision.pk, indicators=[m.share.pk])
    bart_data = form_data(bart, enabled="on", decision=decision.pk, indicators=[m.count.pk])
    assert anna.post(URL, anna_data).status_code == 302
    response = bart.post(URL, bart_data)
    assert response.status_code == 422
    assert list(PublicPage.objects.get(chain=w.chain).indicators.all()) == [m.share]


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_refuses_members_who_do_not_manage_the_chain(measures, client_for, persona):
    client = client_for(getattr(measures.world, persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"enabled": "on"}).status_code == 403
    assert not PublicPage.objects.filter(enabled=True).exists()
    assert not PublicPage.objects.filter(indicators__isnull=False).exists()
