"""/health/: the database and Redis, each on its own, as JSON; 503 when one of them does not answer."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.services import requires_services

URL = "/health/"


def closed_port() -> int:
    """A port on this machine that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@requires_services(redis=True)
def test_it_reports_the_database_and_redis_as_ok(db):
    response = Client().get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert response["Content-Type"] == "application/json"


def test_it_says_redis_is_not_used_in_the_embedded_default(db, settings):
    settings.REDIS_URL = ""
    response = Client().get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not used"}


def test_it_answers_503_naming_redis_when_redis_does_not_answer(db, settings, caplog):
    settings.REDIS_URL = f"redis://:secret-password@127.0.0.1:{closed_port()}/0"
    response = Client().get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
    assert "Redis does not answer" in caplog.text
    assert "secret-password" not in caplog.text + response.text  # the kind of failure, not the address


def test_it_answers_503_naming_the_database_when_the_database_does_not_answer(db, settings, monkeypatch, mailoutbox):
    settings.REDIS_URL = ""

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)
        response = Client().get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "redis": "not used"}
    settings.ADMINS = ["ops@example.nl"]
    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)
        Client().get(URL)
    assert mailoutbox == []  # monitoring watches /health/; no mail every time it is asked


@pytest.mark.django_db(transaction=True)
def test_it_needs_no_transaction_to_answer(settings, django_assert_max_num_queries):
    # ATOMIC_REQUESTS would open a transaction (and so need the database) before the check ran.
    settings.REDIS_URL = ""
    with django_assert_max_num_queries(1):
        assert Client().get(URL).status_code == 200


def test_it_answers_signed_out_and_only_to_get(db):
    assert Client().post(URL).status_code == 405
