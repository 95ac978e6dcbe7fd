"""An API connection's page: its tokens' history, rotating with a grace period, revoking one token."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import ApiToken, TokenState
from stakeholders.views.api_tokens import create_connection, revoke_connection
from tests.conftest import World

UNTIL = (date.today() + timedelta(days=60)).isoformat()


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def connection(world: World):
    person, _key = create_connection(world.chain, world.org_a, "Zaaksysteem")
    return person


def url(name: str, person, *extra) -> str:
    return reverse(f"stakeholders:{name}", args=["zsm", person.pk, *extra])


def test_rotating_shows_the_new_key_once_and_keeps_the_old_one_for_the_grace_period(world, client_for, connection):
    old = ApiToken.objects.get(person=connection)
    data = {"grace_days": 3, "expires_on": UNTIL}
    response = client_for(world.lead_a).post(url("api_connection_rotate", connection), data)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = re.search(r'<code class="kp-token">([^<]+)</code>', response.text).group(1)
    new = ApiToken.objects.get(person=connection, replaced_by=None)
    old.refresh_from_db()
    assert old.replaced_by == new and old.state() == TokenState.ACTIVE
    assert timezone.now() + timedelta(days=2) < old.expires_at <= timezone.now() + timedelta(days=3)
    assert new.key_hash != old.key_hash and key.startswith(new.prefix)
    history = client_for(world.lead_a).get(url("api_connection_detail", connection))
    assert new.prefix in history.text and old.prefix in history.text and key not in history.text
    assert "grace period" in history.text


def test_a_grace_period_of_0_stops_the_old_token_at_once(world, client_for, connection):
    old = ApiToken.objects.get(person=connection)
    client_for(world.manager).post(url("api_connection_rotate", connection), {"grace_days": 0, "expires_on": UNTIL})
    old.refresh_from_db()
    assert old.state() == TokenState.EXPIRED


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"grace_days": 31, "expires_on": UNTIL}, "grace_days", "from 0 to 30 days"),
        ({"grace_days": -1, "expires_on": UNTIL}, "grace_days", "from 0 to 30 days"),
        ({"grace_days": "veel", "expires_on": UNTIL}, "grace_days", "whole number"),
        ({"grace_days": 3, "expires_on": date.today().isoformat()}, "expires_on", "after today"),
        ({"grace_days": 3, "expires_on": "2020-01-01"}, "expires_on", "after today"),
        ({"grace_days": 3, "expires_on": (date.today() + timedelta(days=800)).isoformat()}, "expires_on", "two years"),
        ({"grace_days": 3, "expires_on": "31-02-2027"}, "expires_on", "valid date"),
    ],
)
def test_bad_rotation_input_is_refused_at_the_field_and_changes_nothing(
    world, client_for, connection, data, field, message
):
    response = client_for(world.lead_a).post(url("api_connection_rotate", connection), data)
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors[field])
    assert ApiToken.objects.filter(person=connection).count() == 1
    assert ApiToken.objects.get(person=connection).replaced_by is None


@pytest.mark.parametrize(
    "expires_on, message",
    [("2020-01-01", "after today"), ((date.today() + timedelta(days=800)).isoformat(), "two years")],
)
def test_a_new_connection_needs_an_expiry_in_range(world, client_for, expires_on, message):
    create = reverse("stakeholders:api_connection_create", args=["zsm"])
    response = client_for(world.lead_a).post(
        create, {"organisation": world.org_a.pk, "name": "Systeem", "expires_on": expires_on}
    )
    assert response.status_code == 422
    assert any(message in error for error in response.context["form"].errors["expires_on"])
    assert not ApiToken.objects.exists()


def test_revoking_one_token_stops_it_and_keeps_the_connection(world, client_for, connection):
    first = ApiToken.objects.get(person=connection)
    second, _ = ApiToken.issue(connection, expires_at=None)
    assert client_for(world.lead_b).post(url("api_token_revoke", connection, first.pk)).status_code == 403
    response = client_for(world.lead_a).post(url("api_token_revoke", connection, first.pk))
    assert response.status_code == 302 and response["Location"] == url("api_connection_detail", connection)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state(), first.revoked_by, second.state()) == (TokenState.REVOKED, world.lead_a, TokenState.ACTIVE)
    connection.refresh_from_db()
    assert connection.is_active


def test_another_connections_token_is_not_found(world, client_for, connection):
    other, _ = create_connection(world.chain, world.org_a, "Ander systeem")
    foreign = ApiToken.objects.get(person=other)
    assert client_for(world.lead_a).post(url("api_token_revoke", connection, foreign.pk)).status_code == 404
    assert foreign.state() == TokenState.ACTIVE


def test_a_revoked_connection_cannot_be_rotated(world, client_for, connection):
    revoke_connection(connection)
    assert client_for(world.lead_a).get(url("api_connection_rotate", connection)).status_code == 403
    assert "has been revoked" in client_for(world.lead_a).get(url("api_connection_detail", connection)).text


def test_the_history_takes_a_constant_number_of_queries(world, client_for, connection, django_assert_max_num_queries):
    client = client_for(world.manager)
    with django_assert_max_num_queries(30) as few:
        client.get(url("api_connection_detail", connection))
    for _ in range(5):
        token, _key = ApiToken.issue(connection, expires_at=None, by=world.manager)
        token.revoke(by=world.lead_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("api_connection_detail", connection)).status_code == 200
