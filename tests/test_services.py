"""The suite runs on the services its header names (tests/services.py): a leg that chose the
embedded default must not quietly run on PostgreSQL or Redis, nor the real leg on SQLite."""

from django.conf import settings
from django.db import connection

from tests.services import embedded, have_postgres, have_redis


def test_it_runs_on_the_database_the_header_names(db):
    assert (connection.vendor == "postgresql") == have_postgres()
    if embedded():
        assert connection.vendor == "sqlite"


def test_it_uses_redis_only_when_the_header_says_so():
    assert bool(settings.REDIS_URL) == have_redis()
    backend = settings.CACHES["default"]["BACKEND"]
    assert ("redis" in backend.lower()) == have_redis()
    if embedded():
        assert not settings.REDIS_URL
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
