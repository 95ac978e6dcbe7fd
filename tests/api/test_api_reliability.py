"""What a partner's system relies on: tokens that expire, rotate and are revoked with a 401 that
says why; writes throttled per token (429 with Retry-After); problem details everywhere; and an
Idempotency-Key that replays a bulk write's answer instead of writing twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambitions.models import Figure, FigureChange
from ketenportaal.api import WriteThrottle
from stakeholders.models import ApiToken, IdempotentRequest
from stakeholders.views.api_tokens import create_connection
from tests.api.problems import row_messages
from tests.conftest import in_english
from tests.measures import Measures

FIGURES = reverse("ambitions-api:figure-list")
BULK = reverse("ambitions-api:figure-bulk")


def token_client(key: str) -> Client:
    return in_english(Client(headers={"Authorization": f"Token {key}"}))


def row(m: Measures, value=3, **extra) -> dict:
    return {"indicator": m.count.pk, "unit": m.world.unit_a.pk, "period": m.period.slug, "value": value, **extra}


def bulk(client: Client, rows: list, key: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(BULK, json.dumps(rows), content_type="application/json", headers=headers)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"tag:ketenportaal.nl,2026:problem:{code}")
    assert body["title"] and body["detail"]
    return body


@pytest.fixture
def connection(measures: Measures):
    person, key = create_connection(measures.world.chain, measures.world.org_a, "Systeem")
    token = ApiToken.objects.get(person=person)
    # Ids repeat in a new test database, the shared Redis does not forget: start this token's counts afresh.
    cache.delete_many([f"throttle_write_token-{token.pk}", f"throttle_user_{person.pk}", f"api-token-used:{token.pk}"])
    return person, key, token


# --- Tokens ------------------------------------------------------------------------------------


def test_an_expired_token_is_refused_with_a_401_that_says_so(connection):
    _person, key, token = connection
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    response = token_client(key).get(FIGURES)
    assert_problem(response, 401, "token_expired")
    assert response["WWW-Authenticate"] == "Token"
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_is_refused_with_a_401_that_says_so(connection):
    _person, key, token = connection
    assert token_client(key).get(FIGURES).status_code == 200
    token.revoke()
    assert "revoked" in assert_problem(token_client(key).get(FIGURES), 401, "token_revoked")["detail"]


def test_an_unknown_or_malformed_token_is_a_401_but_no_token_stays_a_403(measures):
    for header in ("Token nope", "Token", "Token a b", "Token \u00e9"):
        response = Client(headers={"Authorization": header}).get(FIGURES)
        assert_problem(response, 401, "token_invalid")
    assert_problem(Client().get(FIGURES), 403, "not_authenticated")


def test_last_use_is_written_at_most_once_a_minute(connection, django_assert_num_queries):
    _person, key, token = connection
    client = token_client(key)
    cache.delete(f"api-token-used:{token.pk}")
    client.get(FIGURES)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    client.get(FIGURES)  # within the minute: no write
    token.refresh_from_db()
    assert token.last_used_at is None
    cache.delete(f"api-token-used:{token.pk}")  # the minute is over
    client.get(FIGURES)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_rotation_keeps_the_old_token_working_for_the_grace_period_only(connection):
    person, old_key, old = connection
    new, new_key = ApiToken.issue(person, expires_at=timezone.now() + timedelta(days=30))
    old.retire(grace=timedelta(days=2), successor=new)
    assert token_client(old_key).get(FIGURES).status_code == 200
    assert token_client(new_key).get(FIGURES).status_code == 200
    old.refresh_from_db()
    assert old.replaced_by == new and old.expires_at < timezone.now() + timedelta(days=2, seconds=5)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now())  # the grace period is over
    assert_problem(token_client(old_key).get(FIGURES), 401, "token_expired")
    assert token_client(new_key).get(FIGURES).status_code == 200


def test_rest_frameworks_plain_tokens_become_hashes_and_keep_working(measures):
    from importlib import import_module

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    migration = import_module("stakeholders.migrations.0009_hash_rest_framework_tokens")
    plain = Token.objects.create(user=measures.world.contributor_a)
    migration.hash_tokens(apps, None)
    assert not Token.objects.exists()
    migrated = ApiToken.objects.get(person=measures.world.contributor_a)
    assert migrated.expires_at is None and plain.key not in migrated.key_hash
    assert token_client(plain.key).get(FIGURES).status_code == 200


# --- Throttling --------------------------------------------------------------------------------


def test_writes_are_throttled_per_token_with_a_429_and_retry_after(measures, connection, monkeypatch):
    person, key, _token = connection
    monkeypatch.setattr(WriteThrottle, "cache", cache)  # the shared Redis, as in production
    monkeypatch.setattr(WriteThrottle, "THROTTLE_RATES", {**WriteThrottle.THROTTLE_RATES, "write": "2/minute"})
    client = token_client(key)
    assert [client.post(FIGURES, row(measures), content_type="application/json").status_code for _ in "ab"] == [
        201,
        200,
    ]
    refused = client.post(FIGURES, row(measures, value=9), content_type="application/json")
    body = assert_problem(refused, 429, "throttled")
    assert 1 <= int(refused["Retry-After"]) <= 60 and body["detail"]
    assert Figure.objects.get().value == 3  # the refused write wrote nothing
    assert client.get(FIGURES).status_code == 200  # reads are not counted as writes
    other, other_key = ApiToken.issue(person, expires_at=None)  # another token counts on its own
    cache.delete(f"throttle_write_token-{other.pk}")
    assert token_client(other_key).post(FIGURES, row(measures), content_type="application/json").status_code == 200


# --- Problem details ---------------------------------------------------------------------------


def test_a_refused_bulk_row_points_at_its_row_and_field(measures, connection):
    _person, key, _token = connection
    response = bulk(token_client(key), [row(measures), row(measures, value="veel", unit=measures.world.unit_a.pk)])
    body = assert_problem(response, 400, "invalid")
    assert body["error_count"] == 1
    assert [e["pointer"] for e in body["errors"]] == ["/1/value"]
    assert list(row_messages(body)) == [1]


# --- Idempotency-Key -------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_answer_and_writes_once(measures, connection):
    _person, key, _token = connection
    client = token_client(key)
    first = bulk(client, [row(measures)], key="import-2026-03")
    assert first.status_code == 200
    changes = FigureChange.objects.count()
    again = bulk(client, [row(measures)], key="import-2026-03")
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (200, first.json(), "true")
    assert FigureChange.objects.count() == changes
    # A refusal the endpoint answers is replayed too, as it was.
    refused = bulk(client, [row(measures, value="x")], key="bad-1")
    assert bulk(client, [row(measures, value="x")], key="bad-1").json() == refused.json()


def test_the_same_key_with_another_body_is_refused(measures, connection):
    _person, key, _token = connection
    client = token_client(key)
    assert bulk(client, [row(measures)], key="k1").status_code == 200
    assert_problem(bulk(client, [row(measures, value=4)], key="k1"), 422, "idempotency_key_reused")
    assert Figure.objects.get().value == 3


def test_keys_are_per_account_and_kept_for_24_hours(measures, connection):
    _person, key, _token = connection
    other = in_english(Client())
    other.force_login(measures.world.contributor_a)
    assert bulk(token_client(key), [row(measures)], key="k").status_code == 200
    assert "Idempotent-Replayed" not in bulk(other, [row(measures, value=5)], key="k")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    after = bulk(token_client(key), [row(measures, value=6)], key="k")
    assert after.status_code == 200 and "Idempotent-Replayed" not in after
    assert Figure.objects.get().value == 6


@pytest.mark.parametrize("bad", ["", "x" * 256, "sleutel\u00e9"])
def test_a_bad_key_is_refused_at_the_header(measures, connection, bad):
    _person, key, _token = connection
    response = bulk(token_client(key), [row(measures)], key=bad)
    body = assert_problem(response, 400, "invalid")
    assert body["errors"][0]["header"] == "Idempotency-Key"
    assert not Figure.objects.exists()


def test_a_refusal_quoting_a_nul_character_is_stored_and_replayed(measures, connection):
    """jsonb refuses U+0000 in a string; the stored answer must not (the refusal names the odd field)."""
    _person, key, _token = connection
    rows = [{**row(measures), "\u0000odd": 1}]
    first = bulk(token_client(key), rows, key="nul")
    assert first.status_code == 400
    again = bulk(token_client(key), rows, key="nul")
    assert (again.json(), again["Idempotent-Replayed"]) == (first.json(), "true")


def test_the_one_statement_lookup_finds_what_the_orm_finds(connection):
    """find_token restates select_related("person").filter(key_hash=…) in SQL: both agree."""
    from stakeholders.authentication import find_token

    person, _key, token = connection
    found = find_token(token.key_hash)
    orm = ApiToken.objects.select_related("person").get(key_hash=token.key_hash)
    fields = [f.attname for f in ApiToken._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(orm, f) for f in fields]
    person_fields = [f.attname for f in type(person)._meta.concrete_fields]
    assert [getattr(found.person, f) for f in person_fields] == [getattr(orm.person, f) for f in person_fields]
    assert find_token("0" * 64) is None


def test_the_schema_documents_every_refusal_with_examples_the_key_and_the_429(measures):
    schema = Client().get(reverse("api_schema"), {"format": "json"}).json()
    bulk_post = schema["paths"]["/api/figures/bulk/"]["post"]
    assert [p["name"] for p in bulk_post["parameters"]] == ["Idempotency-Key"]
    assert [p["name"] for p in schema["paths"]["/api/bottlenecks/"]["post"]["parameters"]] == ["Idempotency-Key"]
    for status in ("400", "401", "403", "404", "409", "413", "415", "422", "429"):
        problem = bulk_post["responses"][status]["content"]["application/problem+json"]
        assert problem["schema"] == {"$ref": "#/components/schemas/Error"} and problem["examples"], status
    assert set(bulk_post["responses"]["401"]["content"]["application/problem+json"]["examples"]) == {
        "token_expired",
        "token_revoked",
        "token_invalid",
    }
    assert "Retry-After" in bulk_post["responses"]["429"]["headers"]
    for path in schema["paths"].values():
        for operation in path.values():
            refusals = [code for code in operation["responses"] if code.startswith("4")]
            assert all("application/problem+json" in operation["responses"][c]["content"] for c in refusals)
