"""Bottlenecks in the API: read with their escalations (constant queries), reported from a
partner's own system with its token, bad input refused at the field with nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Bottleneck
from governance.services import bottlenecks as service
from stakeholders.models import ApiToken
from tests.api.conftest import results
from tests.api.problems import messages
from tests.governance.bottleneck_fixtures import bottleneck, ladder

LIST = reverse("governance-api:bottleneck-list")


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def test_it_lists_bottlenecks_with_escalations_in_constant_queries(world, client_for, django_assert_max_num_queries):
    lad = ladder(world)
    for n in range(12):
        item = bottleneck(world, lad.local, at=timezone.now() - timedelta(days=30), title=f"Knelpunt {n}")
        item.partners.add(world.partner_a)
        service.escalate(item, world.lead_a, "Geen capaciteit.")
    client = client_for(world.viewer)
    client.get(LIST)
    with django_assert_max_num_queries(10):
        rows = results(client.get(LIST))
    assert len(rows) == 12
    (step,) = rows[0]["escalations"]
    assert (step["from_body"], step["to_body"], step["automatic"], step["reason"]) == (
        lad.local.pk,
        lad.tactical.pk,
        False,
        "Geen capaciteit.",
    )
    assert rows[0]["partners"] == [world.partner_a.pk] and rows[0]["chain"] == "zsm"
    assert results(client_for(world.outsider).get(LIST)) == []


def test_a_partners_system_reports_one_with_its_token(world):
    lad = ladder(world)
    _token, key = ApiToken.issue(world.contributor_a, expires_at=None)
    client = Client(headers={"Authorization": f"Token {key}", "Accept-Language": "en"})
    data = {
        "title": "Advies reclassering niet binnen 24 uur",
        "description": "Gemeld vanuit het zaaksysteem.",
        "body": lad.local.pk,
        "partners": [world.partner_a.pk],
        "impact": "high",
        "owner": world.lead_a.pk,
    }
    response = client.post(LIST, data, content_type="application/json")
    assert response.status_code == 201, response.content
    created = Bottleneck.objects.get()
    assert response.json()["id"] == created.pk and created.reported_by == world.contributor_a
    assert created.body == lad.local and created.due_on > timezone.localdate() and created.impact == "high"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partners": ["other-chain"]}, "partners"),
        ({"owner": "outsider"}, "owner"),
        ({"body": 2**62}, "body"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"impact": "enormous"}, "impact"),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(world, client_for, change, field):
    lad = ladder(world)
    data = {"title": "Knelpunt", "description": "Te laat.", "body": lad.local.pk, "owner": world.lead_a.pk}
    data |= change
    if data.get("partners") == ["other-chain"]:
        data["partners"] = [world.partner_c.pk]
    if data["owner"] == "outsider":
        data["owner"] = world.outsider.pk
    response = client_for(world.lead_a).post(LIST, data, content_type="application/json")
    assert response.status_code == 400 and field in messages(response.json()), response.content
    assert not Bottleneck.objects.exists()


def test_a_viewer_may_not_report(world, client_for):
    lad = ladder(world)
    data = {"title": "Knelpunt", "description": "Te laat.", "body": lad.local.pk, "owner": world.lead_a.pk}
    assert client_for(world.viewer).post(LIST, data, content_type="application/json").status_code == 403
    assert not Bottleneck.objects.exists()
