"""The stakeholder register in the API: read only, each stakeholder with its contact log, filtered
by chain and active, another chain's stakeholders not found, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import results
from tests.stakeholders.register_fixtures import contact, stakeholder

pytestmark = pytest.mark.django_db

LIST = reverse("stakeholders-api:stakeholder-list")


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def test_it_lists_the_register_with_contacts_in_constant_queries(world, client_for, django_assert_max_num_queries):
    today = timezone.localdate()
    for number in range(12):
        item = stakeholder(world.chain, f"Partij {number:02}", owner=world.lead_a, current_engagement=1)
        contact(item, today - timedelta(days=number), world.manager, f"Overleg {number}")
        contact(item, today - timedelta(days=number + 30), world.manager)
    client = client_for(world.viewer)
    client.get(LIST)
    with django_assert_max_num_queries(10):
        rows = results(client.get(LIST))
    assert len(rows) == 12
    first = rows[0]
    assert first["name"] == "Partij 00" and first["chain"] == "zsm" and first["owner"] == "Lead-A"
    assert first["contact_count"] == 2 and first["contacts"][0]["summary"] == "Overleg 0"
    assert first["contacts"][0]["by"] == "Manager"
    assert first["quadrant"] == "manage_closely" and first["engagement_gap"] == 3


def test_it_filters_by_chain_and_active_and_hides_other_chains(world, client_for):
    stakeholder(world.chain, "Actief")
    stakeholder(world.chain, "Oud", is_active=False)
    other = stakeholder(world.other_chain, "Elders")
    client = client_for(world.viewer)
    assert [r["name"] for r in results(client.get(LIST, {"active": "false"}))] == ["Oud"]
    assert [r["name"] for r in results(client.get(LIST, {"active": "true"}))] == ["Actief"]
    assert results(client.get(LIST, {"chain": "jeugd"})) == []
    assert client.get(reverse("stakeholders-api:stakeholder-detail", args=[other.pk])).status_code == 404
    assert [r["name"] for r in results(client_for(world.outsider).get(LIST))] == ["Elders"]


def test_it_is_read_only_and_refuses_a_bad_filter_as_problem_details(world, client_for):
    item = stakeholder(world.chain)
    client = client_for(world.manager)
    assert client.post(LIST, {"name": "Nieuw"}, content_type="application/json").status_code == 405
    detail = reverse("stakeholders-api:stakeholder-detail", args=[item.pk])
    assert client.delete(detail).status_code == 405
    refused = client.get(LIST, {"active": "misschien"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("application/problem+json")
