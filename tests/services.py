"""pytest plugin (loaded with -p, before Django starts): pick the services the suite runs on.

By default (``KETENPORTAAL_TEST_SERVICES=auto``) tests use PostgreSQL and Redis on 127.0.0.1
whenever they answer. Without them the suite falls back to SQLite and in-process fakes and says
so in the header; with CI=true an unreachable service is an error, never a silent fallback.

``KETENPORTAAL_TEST_SERVICES=embedded`` runs the suite on the README's embedded default on
purpose: SQLite and no Redis, even when both answer and also with CI=true (CI's SQLite leg,
``make test-sqlite``). It is a stated choice, so CI honours it.
"""

import os
import socket

import pytest

CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/1"
REDIS_CHOSEN = "KETENPORTAAL_TEST_REDIS_CHOSEN"  # set when this plugin, not the user, chose REDIS_URL
CHOICES = ("auto", "embedded")
CHOICE = os.environ.get("KETENPORTAAL_TEST_SERVICES", "").strip().lower() or "auto"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _choose_embedded() -> str:
    """SQLite (the settings' default file, or the DATABASE_URL given, which must be SQLite) and
    no Redis: settings read an empty REDIS_URL as none (locmem cache, database sessions,
    filesystem broker). Returns what contradicts the choice, if anything."""
    database = os.environ.get("DATABASE_URL", "")
    if database and not database.startswith("sqlite"):
        return f"KETENPORTAAL_TEST_SERVICES=embedded runs on SQLite, but DATABASE_URL={database}"
    if os.environ.get("REDIS_URL"):
        return "KETENPORTAAL_TEST_SERVICES=embedded runs without Redis, but REDIS_URL is set"
    os.environ["REDIS_URL"] = ""
    return ""


def _redis_for_this_process() -> str:
    """Each pytest-xdist worker (``gw0``, ``gw1``, …) gets a Redis database of its own, as it gets
    a test database of its own from pytest-django: caches, throttles and locks of two workers'
    tests never meet. A run without workers uses database 1."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return REDIS_URL
    return f"{REDIS_URL.rsplit('/', 1)[0]}/{10 + int(worker[2:])}"


def _choose() -> dict[str, str]:
    if CHOICE not in CHOICES:
        return {"problem": f"KETENPORTAAL_TEST_SERVICES must be one of {', '.join(CHOICES)}, not {CHOICE!r}"}
    if CHOICE == "embedded":
        problem = _choose_embedded()
        database = os.environ.get("DATABASE_URL", "")  # unset: the settings' SQLite file
        return {"database": database, "redis": "", "problem": problem}
    if "DATABASE_URL" not in os.environ and _answers("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = POSTGRES_URL
    # A worker inherits the controller's choice: it then takes its own database of that Redis.
    chosen_here = "REDIS_URL" not in os.environ or os.environ.get(REDIS_CHOSEN) == "1"
    if chosen_here and _answers("127.0.0.1", 6379):
        os.environ["REDIS_URL"] = _redis_for_this_process()
        os.environ[REDIS_CHOSEN] = "1"
    return {"database": os.environ.get("DATABASE_URL", ""), "redis": os.environ.get("REDIS_URL", ""), "problem": ""}


SERVICES = _choose()
# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("TWO_FACTOR_REQUIRED", "true")


def have_postgres() -> bool:
    return SERVICES.get("database", "").startswith("postgres")


def have_redis() -> bool:
    return bool(SERVICES.get("redis"))


def embedded() -> bool:
    """The suite runs on the embedded default because it was asked to, not as a fallback."""
    return CHOICE == "embedded"


def pytest_configure(config: pytest.Config) -> None:
    if SERVICES["problem"]:
        raise pytest.UsageError(SERVICES["problem"])
    if CI and not embedded() and not (have_postgres() and have_redis()):
        raise pytest.UsageError(
            "CI=true but PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not reachable: "
            "the suite must run against the real services in CI "
            "(or choose SQLite without Redis on purpose: KETENPORTAAL_TEST_SERVICES=embedded)."
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    if embedded():
        chosen = "chosen: KETENPORTAAL_TEST_SERVICES=embedded"
        database, redis = f"SQLite ({chosen})", f"none ({chosen}; Redis tests are skipped)"
    else:
        database = "PostgreSQL" if have_postgres() else "SQLite (fallback: PostgreSQL not reachable)"
        redis = "Redis" if have_redis() else "none (fallback: Redis not reachable; Redis tests are skipped)"
    return [f"ketenportaal services: database={database}; broker/cache={redis}"]


def requires_services(*, postgres: bool = False, redis: bool = False) -> pytest.MarkDecorator:
    """Skip when a service is missing: outside CI, or in a leg that chose the embedded default
    (CI otherwise already failed above)."""
    missing = [
        n
        for n, need, have in (("PostgreSQL", postgres, have_postgres()), ("Redis", redis, have_redis()))
        if need and not have
    ]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} on 127.0.0.1")
