"""Stand-ins in the API (issue 15): GET /api/stand-ins/ and /api/stand-ins/<id>/, read only, for
every member of the chain (the partner page's policy), another chain's not found; its filters, its
place in the OpenAPI schema, its query count, and hostile input answered in the one error shape."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders.models import MandateScope, Role, StandIn
from stakeholders.models.stand_ins import end_stand_in, name_stand_in
from tests.api.problems import messages
from tests.api.test_hostile_input import refused
from tests.conftest import World, in_english
from tests.factories import MembershipFactory, PersonFactory
from tests.stakeholders.stand_in_fixtures import day, lead_and_colleague

pytestmark = pytest.mark.django_db

LIST = reverse("stakeholders-api:stand-in-list")


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def colleague(world: World):
    """lead_a holds a consent mandate until day 10 and an open-ended vote for partner_a; a colleague
    of the same organisation, partner lead in the chain, can stand in."""
    return lead_and_colleague(world, 10, "collega@example.nl")[1]


def named(world: World, stand_in, first: int, last: int, reason: str = "vakantie") -> StandIn:
    record = StandIn(
        partnership=world.partner_a,
        lead=world.lead_a,
        stand_in=stand_in,
        starts_on=day(first),
        ends_on=day(last),
        reason=reason,
    )
    record.full_clean()
    return name_stand_in(record)


def test_every_member_reads_who_stands_in_for_whom_and_when(world: World, colleague, client_for):
    stand_in = named(world, colleague, 1, 20)
    body = client_for(world.viewer).get(LIST).json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": stand_in.pk,
        "chain": "zsm",
        "partnership": world.partner_a.pk,
        "organisation": world.org_a.pk,
        "lead": {"id": world.lead_a.pk, "full_name": world.lead_a.full_name},
        "stand_in": {"id": colleague.pk, "full_name": "Collega"},
        "starts_on": day(1).isoformat(),
        "ends_on": day(20).isoformat(),
        "reason": "vakantie",
        "mandates": [  # the consent mandate clipped to the lead's own end (day 10)
            {
                "scope": MandateScope.CONSENT_INDICATORS,
                "valid_from": day(1).isoformat(),
                "valid_until": day(10).isoformat(),
            },
            {"scope": MandateScope.VOTE_IN_BODY, "valid_from": day(1).isoformat(), "valid_until": day(20).isoformat()},
        ],
        "created_at": body["results"][0]["created_at"],
    }
    assert "email" not in str(body)
    detail = client_for(world.lead_b).get(reverse("stakeholders-api:stand-in-detail", args=[stand_in.pk]))
    assert detail.status_code == 200 and detail.json()["id"] == stand_in.pk


def test_another_chains_member_finds_none_of_them(world: World, colleague, client_for):
    stand_in = named(world, colleague, 1, 20)
    outsider = client_for(world.outsider)
    assert outsider.get(LIST).json()["count"] == 0
    assert outsider.get(reverse("stakeholders-api:stand-in-detail", args=[stand_in.pk])).status_code == 404
    assert Client().get(LIST).status_code == 403


def test_it_is_read_only(world: World, colleague, client_for):
    stand_in = named(world, colleague, 1, 20)
    client = client_for(world.manager)
    assert client.post(LIST, {"lead": world.lead_a.pk}, content_type="application/json").status_code == 405
    detail = reverse("stakeholders-api:stand-in-detail", args=[stand_in.pk])
    assert client.delete(detail).status_code == 405
    assert client.patch(detail, {"ends_on": day(2).isoformat()}, content_type="application/json").status_code == 405
    assert StandIn.objects.get().ends_on == day(20)


def test_it_filters_by_day_person_partner_and_end(world: World, colleague, client_for):
    first = named(world, colleague, 1, 5)
    second = named(world, colleague, 10, 12)
    other = PersonFactory(full_name="Derde", organisation=world.org_a)
    MembershipFactory(person=other, chain=world.chain, role=Role.PARTNER_LEAD)
    client = client_for(world.viewer)

    def ids(**query) -> list[int]:
        return [row["id"] for row in client.get(LIST, query).json()["results"]]

    assert ids() == [second.pk, first.pk]  # latest start first
    assert ids(on=day(3).isoformat()) == [first.pk]
    assert ids(on=day(7).isoformat()) == []
    assert ids(ends_from=day(6).isoformat()) == [second.pk]
    assert ids(person=colleague.pk) == ids(person=world.lead_a.pk) == [second.pk, first.pk]
    assert ids(person=other.pk) == []
    assert ids(partnership=world.partner_b.pk) == []
    assert ids(chain="zsm") == [second.pk, first.pk]
    # Ended early before it began: removed, so no longer listed.
    end_stand_in(second)
    assert ids() == [first.pk]


def test_its_query_count_does_not_grow_with_the_stand_ins(world: World, colleague, client_for):
    client = client_for(world.viewer)
    named(world, colleague, 1, 3)
    client.get(LIST)  # warm up: the session and the roles
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(4):
        named(world, colleague, 10 + 5 * n, 12 + 5 * n)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(LIST).json()["results"]) == 5
    assert len(one) == len(five)


def test_the_schema_describes_it_read_only_with_its_filters(world: World):
    schema = Client().get(reverse("api_schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths["/api/stand-ins/"]) == {"get"}
    assert set(paths["/api/stand-ins/{id}/"]) == {"get"}
    parameters = {p["name"]: p["schema"] for p in paths["/api/stand-ins/"]["get"]["parameters"]}
    assert parameters["on"]["format"] == parameters["ends_from"]["format"] == "date"
    assert parameters["person"]["type"] == parameters["partnership"]["type"] == "integer"
    fields = schema["components"]["schemas"]["StandIn"]["properties"]
    assert {"lead", "stand_in", "starts_on", "ends_on", "mandates"} <= set(fields)


# --- Hostile input (tests/api/test_hostile_input.py's pattern) ------------------------------------


@pytest.fixture
def error_schema(world: World) -> dict:
    schema = Client().get(reverse("api_schema"), {"format": "json"}).json()
    return {**schema["components"]["schemas"]["Error"], "components": schema["components"]}


@pytest.fixture
def client(world: World) -> Client:
    client = in_english(Client(raise_request_exception=False))
    client.force_login(world.viewer)
    return client


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"on": "2026-13-01"}, "on"),
        ({"on": "31-12-2026"}, "on"),
        ({"on": "9999-12-31"}, "on"),
        ({"on": "0001-01-01"}, "on"),
        ({"ends_from": "2026-02-30"}, "ends_from"),
        ({"ends_from": "2026-01-01T00:00:00Z"}, "ends_from"),
        ({"person": 10**30}, "person"),
        ({"person": "1.5"}, "person"),
        ({"partnership": -1}, "partnership"),
        ({"partnership": "1e300"}, "partnership"),
    ],
)
def test_a_filter_value_it_cannot_use_is_refused_at_its_name(client, error_schema, params, field):
    body = refused(client.get(LIST, params), 400, "invalid", error_schema)
    assert list(messages(body)) == [field]


@pytest.mark.parametrize("param", ["on", "ends_from", "person", "partnership", "chain"])
def test_a_filter_without_a_value_is_refused(client, error_schema, param):
    body = refused(client.get(f"{LIST}?{param}="), 400, "invalid", error_schema)
    assert messages(body)[param] == ["Give a value, or leave this filter out."]


def test_an_id_past_the_column_and_a_write_are_answered_in_the_error_shape(client, error_schema):
    refused(client.get(f"{LIST}99999999999999999999/"), 404, "not_found", error_schema)
    refused(client.post(LIST, "{}", content_type="application/json"), 405, "method_not_allowed", error_schema)
