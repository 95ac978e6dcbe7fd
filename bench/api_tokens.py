"""``api_token_auth_p95``: what authenticating a token and throttling cost one API request (issue 12).

Measured on the 1m set with the bench Redis (the cache is Redis whenever REDIS_URL is set): for a
POST (a write, so both throttles count it), the milliseconds from the Authorization header to
"allowed" — ``ApiTokenAuthentication.authenticate`` (the key's SHA-256, one indexed SELECT of the
token with its account, the once-a-minute last-use flag: one Redis SET NX) and the two throttles
(``UserRateThrottle`` and ``WriteThrottle``: a Redis GET and SET of the request history each).
The view itself is not in it: that is what the overhead sits on top of.

Each round uses a fresh token (made in a transaction that is rolled back, throttle histories
cleared) and times 100 requests after 10 untimed ones — under the default write rate (120 a
minute), so none is refused and the histories grow as a busy client's do. p95 per round, the
median of 5 rounds. ``api_token_auth_floor_p95``: the SELECT alone (the database's part).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection, transaction
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import UserRateThrottle

from bench.timing import Result, p95_of_rounds
from ketenportaal.api import WriteThrottle
from stakeholders.authentication import ApiTokenAuthentication
from stakeholders.models import ApiToken, Chain, Person
from stakeholders.models.api_tokens import hash_key

WARMUP, RUNS = 10, 100


class _Rollback(Exception):
    pass


def _round(person: Person, floor: bool) -> list[float]:
    samples: list[float] = []
    try:
        with transaction.atomic():
            token, key = ApiToken.issue(person, expires_at=None)
            cache.delete_many([f"throttle_user_{person.pk}", f"throttle_write_token-{token.pk}"])
            factory, auth = APIRequestFactory(), ApiTokenAuthentication()
            for n in range(WARMUP + RUNS):
                django_request = factory.post("/api/figures/bulk/", HTTP_AUTHORIZATION=f"Token {key}")
                start = time.perf_counter()
                if floor:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT t.*, p.* FROM stakeholders_apitoken t JOIN stakeholders_person p "
                            "ON p.id = t.person_id WHERE t.key_hash = %s",
                            [hash_key(key)],
                        )
                        cursor.fetchall()
                else:
                    request = Request(django_request, authenticators=[auth])
                    assert request.user == person
                    assert UserRateThrottle().allow_request(request, None)
                    assert WriteThrottle().allow_request(request, None)
                if n >= WARMUP:
                    samples.append((time.perf_counter() - start) * 1000)
            raise _Rollback
    except _Rollback:
        pass
    return samples


def api_tokens(chain: Chain) -> list[Result]:
    person = Person.objects.filter(memberships__chain=chain, is_active=True).order_by("pk").first()
    return [
        Result("api_token_auth_p95", p95_of_rounds("api_token_auth", lambda: _round(person, False)), "ms"),
        Result("api_token_auth_floor_p95", p95_of_rounds("api_token_auth_floor", lambda: _round(person, True)), "ms"),
    ]
