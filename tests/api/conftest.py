import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import UserRateThrottle

from ketenportaal.api import WriteThrottle
from tests.conftest import World


@pytest.fixture(autouse=True)
def _fresh_write_counts(monkeypatch):
    """Each test's requests count from zero: ids repeat between tests (SQLite reuses them after a
    rollback) and the throttles' windows are a minute and an hour, so a shared cache would carry
    the counts of requests made before — to a token or person with the same id. A LocMemCache of a
    given name is one store per process, hence the clear(). (tests/api/test_api_reliability.py
    counts in Redis itself.)"""
    for throttle, name in ((WriteThrottle, "write-throttle"), (UserRateThrottle, "user-throttle")):
        cache = LocMemCache(name, {})
        cache.clear()
        monkeypatch.setattr(throttle, "cache", cache)


@pytest.fixture
def world(shared_world: World, db) -> World:
    """The API tests only read (or change things inside their own savepoint), so they share
    one world per module instead of building it again, passwords and all, for every test."""
    return shared_world


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]
