import pytest
from django.core.cache.backends.locmem import LocMemCache

from ketenportaal.api import WriteThrottle
from tests.conftest import World


@pytest.fixture(autouse=True)
def _fresh_write_counts(monkeypatch):
    """Each test's writes count from zero: ids repeat between test runs and the write throttle's
    window is a minute, so the shared Redis would otherwise carry counts of writes made before.
    (tests/api/test_api_reliability.py counts in Redis itself.)"""
    monkeypatch.setattr(WriteThrottle, "cache", LocMemCache("write-throttle", {}))


@pytest.fixture
def world(shared_world: World, db) -> World:
    """The API tests only read (or change things inside their own savepoint), so they share
    one world per module instead of building it again, passwords and all, for every test."""
    return shared_world


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]
