"""pytest plugin (loaded with -p, before Django starts): pick the real services.

Tests use PostgreSQL and Redis on 127.0.0.1 whenever they answer. Without them
the suite falls back to SQLite and in-process fakes and says so in the header;
with CI=true an unreachable service is an error, never a silent fallback.
"""

import os
import socket

import pytest

CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/1"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _choose() -> dict[str, str]:
    chosen = {}
    if "DATABASE_URL" not in os.environ and _answers("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = POSTGRES_URL
    if "REDIS_URL" not in os.environ and _answers("127.0.0.1", 6379):
        os.environ["REDIS_URL"] = REDIS_URL
    chosen["database"] = os.environ.get("DATABASE_URL", "")
    chosen["redis"] = os.environ.get("REDIS_URL", "")
    return chosen


SERVICES = _choose()
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("TWO_FACTOR_REQUIRED", "true")


def have_postgres() -> bool:
    return SERVICES["database"].startswith("postgres")


def have_redis() -> bool:
    return bool(SERVICES["redis"])


def pytest_configure(config: pytest.Config) -> None:
    if CI and not (have_postgres() and have_redis()):
        raise pytest.UsageError(
            "CI=true but PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not reachable: "
            "the suite must run against the real services in CI."
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = "PostgreSQL" if have_postgres() else "SQLite (fallback: PostgreSQL not reachable)"
    redis = "Redis" if have_redis() else "none (fallback: Redis not reachable; Redis tests are skipped)"
    return [f"ketenportaal services: database={database}; broker/cache={redis}"]


def requires_services(*, postgres: bool = False, redis: bool = False) -> pytest.MarkDecorator:
    """Skip outside CI when a service is missing (CI already failed above if it was)."""
    missing = [
        n
        for n, need, have in (("PostgreSQL", postgres, have_postgres()), ("Redis", redis, have_redis()))
        if need and not have
    ]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} on 127.0.0.1")
