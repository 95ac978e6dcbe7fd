"""Hostile input to the API: every request is answered as JSON in the one documented error shape
(the ``Error`` schema of /api/schema/), never with a server error or an HTML page.

Each case here was a 500, an HTML answer or an undocumented body before ketenportaal/api.py.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from django.test import Client
from django.urls import reverse

from ambitions.models import Figure
from ketenportaal.api import exception_handler
from stakeholders.models import ApiToken
from tests.api.problems import messages, row_messages
from tests.conftest import in_english, sign_in
from tests.measures import Measures, enter_count

FIGURES = reverse("ambitions-api:figure-list")
BULK = reverse("ambitions-api:figure-bulk")
PARTNERSHIPS = reverse("stakeholders-api:partnership-list")
CHAINS = reverse("stakeholders-api:chain-list")
UNITS = reverse("stakeholders-api:unit-list")


@pytest.fixture
def client(measures) -> Client:
    """The contributor's API connection; a server error is answered, not raised, as in production."""
    _token, key = ApiToken.issue(measures.world.contributor_a, expires_at=None)
    return in_english(Client(raise_request_exception=False, headers={"Authorization": f"Token {key}"}))


@pytest.fixture
def error_schema(measures) -> dict:
    schema = Client().get(reverse("api_schema"), {"format": "json"}).json()
    return {**schema["components"]["schemas"]["Error"], "components": schema["components"]}


def refused(response, status: int, code: str, error_schema: dict) -> dict:
    """The response is a JSON refusal with this status and code, in the documented error shape."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json", response.content[:500]
    body = response.json()
    jsonschema.validate(body, error_schema)
    assert body["code"] == code, body
    return body


def post(client: Client, url: str, body: str | bytes, content_type: str = "application/json", **extra):
    return client.post(url, body, content_type=content_type, **extra)


def count_row(m: Measures, **extra) -> dict:
    return {"indicator": m.count.pk, "unit": m.world.unit_a.pk, "period": m.period.slug, "value": 3, **extra}


# --- Bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FIGURES, BULK])
def test_it_refuses_a_body_nested_100000_deep_as_a_parse_error(client, error_schema, url):
    body = refused(post(client, url, "[" * 100_000), 400, "parse_error", error_schema)
    assert body["detail"] == "The JSON is nested too deeply."


@pytest.mark.parametrize("url", [FIGURES, BULK])
@pytest.mark.parametrize("text", ["[{", "NaN", "[1e999999999", b"\xff\xfe{"])
def test_it_refuses_what_is_not_json_in_the_error_shape(client, error_schema, url, text):
    body = refused(post(client, url, text), 400, "parse_error", error_schema)
    assert body["detail"].startswith("JSON parse error") or "nested" in body["detail"]


def test_a_bulk_body_that_is_not_a_list_is_refused_in_the_error_shape(client, error_schema):
    body = refused(post(client, BULK, json.dumps({"rows": []})), 400, "parse_error", error_schema)
    assert "list" in body["detail"]


def test_it_refuses_a_20_mb_single_body_with_a_json_413(client, error_schema):
    body = refused(post(client, FIGURES, json.dumps({"comment": "x" * 20_000_000})), 413, "too_large", error_schema)
    assert "at most 5 MB" in body["detail"]
    assert not Figure.objects.exists()


def test_it_refuses_a_20_mb_form_body_of_a_signed_in_person_as_json(measures, error_schema):
    """Once parsed by DRF's form parser through request.body: Django's RequestDataTooBig, an HTML 400."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client = sign_in(in_english(client), measures.world.contributor_a)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    response = post(client, FIGURES, "comment=" + "x" * 20_000_000, "application/x-www-form-urlencoded")
    refused(response, 415, "unsupported_media_type", error_schema)


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [(RequestDataTooBig(), 413, "too_large"), (TooManyFieldsSent(), 400, "parse_error"), (Http404(), 404, "not_found")],
)
def test_djangos_refusals_inside_a_view_get_the_error_shape(error_schema, exception, status, code):
    response = exception_handler(exception, {})
    assert response.status_code == status
    jsonschema.validate(response.data, error_schema)
    assert response.data["code"] == code


def test_it_refuses_a_bulk_body_past_its_own_limit_before_reading_it(client, error_schema, monkeypatch):
    monkeypatch.setattr("ambitions.api.views.BulkJSONParser.max_bytes", 100)
    refused(post(client, BULK, json.dumps([{"comment": "x" * 200}])), 413, "too_large", error_schema)


def test_it_refuses_another_content_type_in_the_error_shape(client, error_schema):
    refused(post(client, FIGURES, "value=3", "text/plain"), 415, "unsupported_media_type", error_schema)


# --- Integers bounded to their column ---------------------------------------------------------


def test_a_bulk_revision_of_10_to_the_30_is_refused_at_its_row(measures, client, error_schema):
    response = post(client, BULK, json.dumps([count_row(measures, revision=10**30)]))
    body = refused(response, 400, "invalid", error_schema)
    assert body["error_count"] == 1
    assert list(row_messages(body)[0]) == ["revision"]
    assert not Figure.objects.exists()


def test_a_revision_past_the_column_is_refused_for_an_existing_figure_too(measures, client, error_schema):
    enter_count(measures, measures.world.unit_a, measures.period, "2")
    for revision in (2**31, 10**30):
        response = post(client, FIGURES, json.dumps(count_row(measures, revision=revision)))
        body = refused(response, 400, "invalid", error_schema)
        assert "revision" in messages(body)
        stale = post(client, FIGURES, json.dumps(count_row(measures)), HTTP_IF_MATCH=f'"{revision}"')
        assert "If-Match" in messages(refused(stale, 400, "invalid", error_schema))
    assert Figure.objects.get().value == 2


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (FIGURES, {"indicator": 10**30}, "indicator"),
        (FIGURES, {"unit": "99999999999999999999"}, "unit"),
        (FIGURES, {"organisation": "1.5"}, "organisation"),
        (UNITS, {"parent": -1}, "parent"),
        (FIGURES, {"page_size": 10**30}, "page_size"),
        (FIGURES, {"page_size": 0}, "page_size"),
        (CHAINS, {"page": 0}, "page"),
        (CHAINS, {"page": "x"}, "page"),
        (UNITS, {"top_level": "7"}, "top_level"),
        ("/api/benefits/", {"partner": "-6.196872879695067e+279"}, "partner"),
        ("/api/benefits/", {"organisation": "4.1e-24"}, "organisation"),
        ("/api/contributions/", {"partner": "1e300"}, "partner"),
        ("/api/contributions/", {"organisation": 10**30}, "organisation"),
    ],
)
def test_it_refuses_a_number_a_column_cannot_hold_in_a_query(client, error_schema, url, params, field):
    body = refused(client.get(url, params), 400, "invalid", error_schema)
    assert list(body) == ["type", "title", "status", "detail", "code", "errors"]
    assert list(messages(body)) == [field]


def test_a_page_past_the_last_is_a_404_in_the_error_shape(client, error_schema):
    refused(client.get(CHAINS, {"page": 99}), 404, "not_found", error_schema)


def test_an_id_in_a_url_past_the_column_is_a_404_in_the_error_shape(client, error_schema):
    body = refused(client.get(f"{FIGURES}99999999999999999999/"), 404, "not_found", error_schema)
    assert body["detail"] == "Not found."  # not "No Figure matches the given query."


# --- Dates, moments and periods -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("2026-01-01T00:00:00+23:59", "offset between -14:00 and +14:00"),
        ("2026-01-01T00:00:00-15:00", "offset between -14:00 and +14:00"),
        ("9999-12-31T23:59:59-12:00", "between the years 1 and 9999"),
        ("0001-01-01T00:00:00+01:00", "between the years 1 and 9999"),
    ],
)
def test_it_refuses_a_moment_past_what_the_database_holds(client, error_schema, moment, message):
    body = refused(client.get(FIGURES, {"updated_since": moment}), 400, "invalid", error_schema)
    assert message in messages(body)["updated_since"][0]


def test_it_takes_a_moment_with_any_real_offset(measures, client):
    enter_count(measures, measures.world.unit_a, measures.period, "2")
    for moment in ("2000-01-01T00:00:00+14:00", "2000-01-01T00:00:00-12:00", "2000-01-01T00:00:00Z"):
        response = client.get(FIGURES, {"updated_since": moment})
        assert response.status_code == 200 and len(response.json()["results"]) == 1


@pytest.mark.parametrize("param", ["period", "period_from", "period_to"])
@pytest.mark.parametrize("value", ["9999-K4", "0001-01", "9999-12-31", "2026-13"])
def test_it_refuses_a_period_filter_outside_the_range(client, error_schema, param, value):
    body = refused(client.get(FIGURES, {param: value}), 400, "invalid", error_schema)
    assert param in messages(body)


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "9999-12-01"])
def test_it_refuses_a_figure_for_a_period_outside_the_range(measures, client, error_schema, period):
    single = post(client, FIGURES, json.dumps(count_row(measures, period=period)))
    assert "period" in messages(refused(single, 400, "invalid", error_schema))
    rows = post(client, BULK, json.dumps([count_row(measures, period=period)]))
    assert list(row_messages(refused(rows, 400, "invalid", error_schema))[0]) == ["period"]
    assert not Figure.objects.exists()


# --- Filters and addresses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "param"),
    [(PARTNERSHIPS, "status"), (PARTNERSHIPS, "chain"), (FIGURES, "follow_up"), (FIGURES, "period"), (UNITS, "parent")],
)
def test_it_refuses_a_filter_without_a_value(client, error_schema, url, param):
    body = refused(client.get(f"{url}?{param}="), 400, "invalid", error_schema)
    assert messages(body)[param] == ["Give a value, or leave this filter out."]


def test_it_refuses_an_empty_cursor_rather_than_reading_the_first_page(client, error_schema):
    body = refused(client.get(f"{FIGURES}?cursor="), 400, "invalid", error_schema)
    assert messages(body)["cursor"] == ["Give the cursor of a next or previous link, or leave it out."]


def test_an_unknown_address_under_the_api_is_a_json_404(measures, error_schema):
    for client in (Client(), in_english(Client(headers={"Authorization": "Token x"}))):
        refused(client.get("/api/nothing-here/"), 404, "not_found", error_schema)
        refused(client.get("/api/chains/a%0Ab/"), 404, "not_found", error_schema)


def test_field_errors_keep_their_names_next_to_detail_and_code(measures, client, error_schema):
    response = post(client, FIGURES, json.dumps(count_row(measures, follow_up="yes")))
    body = refused(response, 400, "invalid", error_schema)
    assert "follow_up" in messages(body) and body["detail"]
