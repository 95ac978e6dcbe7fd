"""Every operation of the live OpenAPI schema, fed generated and hostile input by Schemathesis.

The schema is the one /api/schema/ serves; the requests go through the whole WSGI application
(middleware, authentication, throttling) on the test database, as a contributor's API connection
and as the programme manager's token. Each operation gets positive data (what the schema allows)
and negative data (what it forbids), and every answer must be no server error and exactly what the
schema documents: the status, the content type and the body; negative data must be refused.

Deterministic (Hypothesis derandomized, no example database) and bounded: EXAMPLES per operation
and mode. Schemathesis' own pytest plugin (``from_fixture``/``parametrize``) is not used: it
reaches into pytest internals that pytest 9 no longer has; plain Hypothesis over the schema's
strategies does the same.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache.backends.locmem import LocMemCache
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import UserRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from ambitions.models import ChainAggregate, Figure, IndicatorVersion, OrganisationAggregate
from ketenportaal.api import WriteThrottle
from ketenportaal.wsgi import application
from stakeholders.models import ApiToken, Membership
from tests.measures import Measures, build_measures, enter_count, enter_share

EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
METHODS = {"get", "post", "put", "patch", "delete"}


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, for the test ids; the test itself reads the live schema."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item if method in METHODS)


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def live_schema(django_db_blocker):
    """The schema as /api/schema/ serves it (public: it describes endpoints, not data)."""
    with django_db_blocker.unblock(), override_settings(ALLOWED_HOSTS=["localhost"]):
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _as_the_test_client_does(settings, monkeypatch):
    """Serve the raw WSGI application inside the test's transaction, as Django's test client does."""
    # Schemathesis' WSGI client addresses the application as localhost.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # A finished request closes the database connection, and with it the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # The throttles run as always, but count in a fresh cache: not the requests of earlier runs.
    monkeypatch.setattr(UserRateThrottle, "cache", LocMemCache("schemathesis", {}))
    monkeypatch.setattr(WriteThrottle, "cache", LocMemCache("schemathesis-writes", {}))
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def shared(shared_world, django_db_blocker):
    """Indicators and figures for the whole module, in shared_world's transaction (each test runs in
    a savepoint inside it, so what a test's requests write is undone before the next)."""
    with django_db_blocker.unblock():
        m = build_measures(shared_world)
        for months_ago in range(3):
            period = m.period.shifted(-months_ago)
            enter_count(m, shared_world.unit_a, period, str(10 + months_ago))
            enter_share(m, shared_world.unit_b, period, "3", "4")
        return m, known_objects(m)


def known_objects(m: Measures) -> dict[str, tuple[str, list]]:
    """Per detail operation the ids of real objects (in the persona's chain and in the other one),
    and real rows for a figure: random ids alone would only ever be answered 404."""
    w = m.world
    ids = {
        "indicators": [m.share.pk, m.count.pk, m.other_indicator.pk],
        "indicator-versions": list(IndicatorVersion.objects.values_list("pk", flat=True)),
        "figures": list(Figure.objects.values_list("pk", flat=True)),
        "aggregates/chain": list(ChainAggregate.objects.values_list("pk", flat=True)),
        "aggregates/organisations": list(OrganisationAggregate.objects.values_list("pk", flat=True)),
        "organisations": [w.org_a.pk, w.org_b.pk, w.org_c.pk],
        "units": [w.unit_a.pk, w.unit_b.pk, w.unit_c.pk],
        "partnerships": [w.partner_a.pk, w.partner_b.pk, w.partner_c.pk],
        "memberships": list(Membership.objects.values_list("pk", flat=True)),
        **governance_objects(w),
    }
    found = {f"/api/{name}/{{id}}/": ("id", values) for name, values in ids.items()}
    found["/api/chains/{slug}/"] = ("slug", ["zsm", "jeugd"])
    found["row"] = ("", [(m.count.pk, w.unit_a.pk), (m.share.pk, w.unit_b.pk), (m.count.pk, w.unit_c.pk)])
    found["period"] = ("", [m.period.slug, m.period.previous.slug])
    return found


def governance_objects(w) -> dict[str, list[int]]:
    """A body in each chain with a member, a held meeting with an agenda item and attendance, a
    decision with a position and an action (tests/governance/action_fixtures.py)."""
    from governance.models import Attendance, AttendanceStatus, DecisionPosition, PositionKind
    from tests.governance import action_fixtures as make

    found: dict[str, list[int]] = {"bodies": [], "meetings": [], "decisions": [], "actions": []}
    for chain, person, partnership in ((w.chain, w.lead_a, w.partner_a), (w.other_chain, w.outsider, w.partner_c)):
        body = make.body(chain, "Stuurgroep")
        seat = make.seat(body, person, partnership)
        meeting = make.meeting(body, status="held")
        make.agenda_item(meeting)
        Attendance.objects.create(meeting=meeting, member=seat, status=AttendanceStatus.PRESENT)
        decision = make.decision(body, person)
        DecisionPosition.objects.create(
            decision=decision, partnership=partnership, kind=PositionKind.CONSENT, recorded_by=person
        )
        action = make.action(body, person, decision=decision)
        for name, obj in (("bodies", body), ("meetings", meeting), ("decisions", decision), ("actions", action)):
            found[name].append(obj.pk)
    return found


@pytest.fixture(params=["contributor", "manager"])
def token(request, shared, db) -> str:
    """An API token of a contributor of one partner, or of the chain's programme manager."""
    w = shared[0].world
    person = {"contributor": w.contributor_a, "manager": w.manager}[request.param]
    return ApiToken.issue(person, expires_at=None)[1]


@pytest.fixture
def known(shared) -> dict[str, tuple[str, list]]:
    return shared[1]


def with_real_ids(strategy, known: dict[str, tuple[str, list]]):
    """Positive cases where, two times in three, the path names a real object or the figure a real
    indicator, unit and open period (which then reaches save_cell's rules, not just the 404)."""

    def substitute(drawn):
        case, pick = drawn
        if pick == 0:
            return case
        if case.path in known:
            name, values = known[case.path]
            case.path_parameters[name] = values[pick % len(values)]
        rows = case.body if isinstance(case.body, list) else [case.body]
        for row in rows:
            if isinstance(row, dict):
                row["indicator"], row["unit"] = known["row"][1][pick % len(known["row"][1])]
                row["period"] = known["period"][1][pick % 2]
        return case

    return st.tuples(strategy, st.integers(min_value=0, max_value=5)).map(substitute)


def test_it_tests_every_operation_of_the_live_schema(live_schema):
    live = sorted((op.ok().method.upper(), op.ok().path) for op in live_schema.get_all_operations())
    assert live == OPERATIONS
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda mode: mode.value)
def test_it_answers_as_documented_and_never_with_a_server_error(live_schema, token, known, method, path, mode):
    operation = live_schema[path][method]
    headers = {"Authorization": f"Token {token}"}
    cases = operation.as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:
        cases = with_real_ids(cases, known)  # negative cases stay as generated: what they break is the point

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers_as_documented()


# Every operation with an expired and a revoked token; every write past its rate (reads are not write-throttled).
REFUSALS = [
    (refusal, method, path)
    for refusal in ("expired", "revoked", "throttled")
    for method, path in OPERATIONS
    if refusal != "throttled" or method != "GET"
]


@pytest.mark.parametrize(("refusal", "method", "path"), REFUSALS, ids=[f"{r}-{m} {p}" for r, m, p in REFUSALS])
def test_a_refused_token_or_a_throttled_write_is_answered_as_documented(
    live_schema, shared, known, db, method, path, refusal, monkeypatch
):
    """The refusals a partner's system meets besides bad input: an expired or revoked token (401)
    and a write past its rate (429 with Retry-After), each a documented problem details answer."""
    token, key = ApiToken.issue(shared[0].world.contributor_a, expires_at=None)
    if refusal == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif refusal == "revoked":
        token.revoke()
    else:
        monkeypatch.setattr(WriteThrottle, "THROTTLE_RATES", {**WriteThrottle.THROTTLE_RATES, "write": "0/minute"})
    operation = live_schema[path][method]
    expected = {"expired": 401, "revoked": 401, "throttled": 429}[refusal]

    @given(case=with_real_ids(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), known))
    @settings(max_examples=2, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    def refused_as_documented(case):
        response = case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)
        assert response.status_code == expected, response.text
        headers = {name.lower(): values for name, values in response.headers.items()}
        assert headers["content-type"] == ["application/problem+json"]
        if expected == 429:
            assert int(headers["retry-after"][0]) >= 1, headers

    refused_as_documented()
