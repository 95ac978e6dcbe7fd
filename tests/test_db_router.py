"""The replica router's choices (ketenportaal/db_router.py), not a replica: which alias each read
and write would use, and that the settings switch it on only with DATABASE_REPLICA_URL."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.test import override_settings
from django.urls import reverse

from ambitions.services import data_revision
from ambitions.views import dashboard as dashboard_view
from ketenportaal.db_router import (
    PIN_COOKIE,
    PRIMARY_APPS,
    REPLICA,
    ReplicaRouter,
    reads_from_replica,
    replica_caught_up,
    replica_reads_active,
)
from tests.services import requires_services

ROOT = Path(__file__).resolve().parent.parent


def model(label: str):
    return apps.get_model(label)


# --- The router on its own ---------------------------------------------------------------------


def test_reads_go_to_the_primary_outside_the_replica_views():
    router = ReplicaRouter()
    for label in ("ambitions.Figure", "stakeholders.Chain", "sessions.Session"):
        assert router.db_for_read(model(label)) == DEFAULT_DB_ALIAS


def test_inside_a_replica_view_the_data_is_read_from_the_replica_but_sessions_and_sign_in_state_are_not():
    router = ReplicaRouter()
    with reads_from_replica():
        assert replica_reads_active()
        for label in ("ambitions.Figure", "ambitions.Indicator", "stakeholders.Chain", "governance.Body"):
            assert router.db_for_read(model(label)) == REPLICA, label
        for label in ("sessions.Session", "auth.Group", "contenttypes.ContentType", "axes.AccessAttempt"):
            assert router.db_for_read(model(label)) == DEFAULT_DB_ALIAS, label
        assert router.db_for_read(model("otp_totp.TOTPDevice")) == DEFAULT_DB_ALIAS
        assert router.db_for_read(model("authtoken.Token")) == DEFAULT_DB_ALIAS
    assert not replica_reads_active()


def test_no_write_ever_goes_to_the_replica():
    router = ReplicaRouter()
    every_model = apps.get_models(include_auto_created=True)
    assert len(every_model) > 50
    for active in (False, True):
        if active:
            with reads_from_replica():
                chosen = {router.db_for_write(m) for m in every_model}
        else:
            chosen = {router.db_for_write(m) for m in every_model}
        assert chosen == {DEFAULT_DB_ALIAS}


def test_only_the_primary_is_migrated_and_rows_of_both_may_relate():
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "ambitions", "figure")
    assert not router.allow_migrate(REPLICA, "ambitions", "figure")
    assert not router.allow_migrate(REPLICA, "sessions")
    assert router.allow_relation(object(), object())


def test_every_app_kept_on_the_primary_exists():
    # A renamed app label would silently send its reads to the replica.
    labels = {config.label for config in apps.get_app_configs()}
    assert labels >= PRIMARY_APPS


# --- The router in a request: the middleware decides when the replica is read -------------------


class RecordingRouter(ReplicaRouter):
    """The replica router's choices, recorded; every query still runs on the test database."""

    reads: list[tuple[str, str]] = []
    writes: list[tuple[str, str]] = []
    replica_is_caught_up = True

    def caught_up(self) -> bool:
        return self.replica_is_caught_up

    def db_for_read(self, model, **hints):
        self.reads.append((model._meta.label, super().db_for_read(model, **hints)))
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        self.writes.append((model._meta.label, super().db_for_write(model, **hints)))
        return DEFAULT_DB_ALIAS


@pytest.fixture
def recorded():
    """The replica's middleware and a recording router switched on, as DATABASE_REPLICA_URL would."""
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("axes.middleware.AxesMiddleware"), "ketenportaal.db_router.ReplicaReadsMiddleware"
    )
    RecordingRouter.reads, RecordingRouter.writes, RecordingRouter.replica_is_caught_up = [], [], True
    with override_settings(MIDDLEWARE=middleware, DATABASE_ROUTERS=[f"{__name__}.RecordingRouter"]):
        yield RecordingRouter
    assert not replica_reads_active(), "the replica stayed switched on after the request"


def aliases(choices: list[tuple[str, str]], app: str) -> set[str]:
    return {alias for label, alias in choices if label.startswith(f"{app}.")}


def dashboard_reads(client, world, recorded) -> list[tuple[str, str]]:
    recorded.reads.clear()
    data_revision.bump([world.chain.pk])  # no cached rendering: the dashboard reads its data
    response = client.get(reverse("ambitions:chain_dashboard", args=[world.chain.slug]))
    assert response.status_code == 200
    return list(recorded.reads)


def test_the_dashboard_reads_its_data_from_the_replica_and_the_session_from_the_primary(
    world, client_for, recorded, measures
):
    client = client_for(world.viewer)
    reads = dashboard_reads(client, world, recorded)

    assert aliases(reads, "ambitions") == {REPLICA}
    assert aliases(reads, "sessions") <= {DEFAULT_DB_ALIAS}
    assert {alias for _label, alias in recorded.writes} <= {DEFAULT_DB_ALIAS}
    head = client.head(reverse("ambitions:chain_dashboard", args=[world.chain.slug]))
    assert head.status_code == 200


def test_other_pages_read_from_the_primary(world, client_for, recorded, measures):
    client = client_for(world.viewer)
    response = client.get(reverse("ambitions:indicator_detail", args=[world.chain.slug, measures.count.pk]))
    assert response.status_code == 200
    assert {alias for _label, alias in recorded.reads} == {DEFAULT_DB_ALIAS}


def test_after_a_write_the_writer_reads_the_dashboard_from_the_primary_until_the_pin_ends(
    world, client_for, recorded, measures
):
    client = client_for(world.viewer)
    posted = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert posted.status_code == 302
    pin = posted.cookies[PIN_COOKIE]
    assert pin["httponly"] and int(pin["max-age"]) == settings.DATABASE_REPLICA_PIN_SECONDS
    assert float(pin.value) > time.time()

    # Read-your-writes: what they just saved is on the primary, and so is every read of theirs.
    assert {alias for _label, alias in dashboard_reads(client, world, recorded)} == {DEFAULT_DB_ALIAS}

    client.cookies[PIN_COOKIE] = f"{time.time() - 1:.0f}"  # the pin has ended
    assert aliases(dashboard_reads(client, world, recorded), "ambitions") == {REPLICA}
    client.cookies[PIN_COOKIE] = "not a time"  # a mangled cookie pins nothing
    assert aliases(dashboard_reads(client, world, recorded), "ambitions") == {REPLICA}


def test_a_replica_that_lags_or_fails_leaves_the_whole_request_on_the_primary(world, client_for, recorded, measures):
    recorded.replica_is_caught_up = False
    reads = dashboard_reads(client_for(world.viewer), world, recorded)
    assert aliases(reads, "ambitions") == {DEFAULT_DB_ALIAS}
    assert {alias for _label, alias in reads} == {DEFAULT_DB_ALIAS}


def test_a_write_committed_after_the_first_check_sends_the_rest_of_the_dashboard_to_the_primary(
    world, client_for, recorded, measures, monkeypatch
):
    class CacheReadBeforeAWriteTheReplicaHasNotReplayed:
        """The chain's revision is read (with the kept part, in one round trip); a write is
        committed on the primary right after, which the replica has not replayed."""

        def get_many(self, keys):
            found = cache.get_many(keys)
            recorded.replica_is_caught_up = False
            return found

        def __getattr__(self, name):
            return getattr(cache, name)

    monkeypatch.setattr(dashboard_view, "cache", CacheReadBeforeAWriteTheReplicaHasNotReplayed())
    client = client_for(world.viewer)
    recorded.reads.clear()
    data_revision.bump([world.chain.pk])
    assert client.get(reverse("ambitions:chain_dashboard", args=[world.chain.slug])).status_code == 200
    # The chain was looked up on the replica; everything rendered under the revision, on the primary.
    assert ("stakeholders.Chain", REPLICA) in recorded.reads
    assert aliases(recorded.reads, "ambitions") == {DEFAULT_DB_ALIAS}


def test_a_router_check_happens_once_per_request_and_only_inside_a_replica_view():
    calls = []

    class Counting(ReplicaRouter):
        def caught_up(self) -> bool:
            calls.append(1)
            return True

    router = Counting()
    assert router.db_for_read(model("ambitions.Figure")) == DEFAULT_DB_ALIAS
    with reads_from_replica(checked=False):
        assert router.db_for_read(model("sessions.Session")) == DEFAULT_DB_ALIAS
        assert not calls  # a session read decides nothing
        for _ in range(3):
            assert router.db_for_read(model("ambitions.Figure")) == REPLICA
    assert len(calls) == 1
    assert not replica_reads_active()


@requires_services(postgres=True)
def test_a_server_that_is_not_a_streaming_replica_counts_as_caught_up(db):
    # The test database is a primary: its replay position is NULL, and it is not in recovery.
    assert replica_caught_up(DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS)


# --- Settings: off by default ------------------------------------------------------------------

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS, "
    "'middleware': [m for m in s.MIDDLEWARE if 'db_router' in m], "
    "'replica': s.DATABASES.get('replica', {}).get('HOST'), "
    "'test': s.DATABASES.get('replica', {}).get('TEST'), 'pin': s.DATABASE_REPLICA_PIN_SECONDS}))"
)


def settings_with(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="ketenportaal.settings", KETENPORTAAL_ENV="development", **extra)
    result = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_replica_url_there_is_no_second_alias_and_no_router():
    shown = settings_with()
    assert shown["aliases"] == ["default"]
    assert shown["routers"] == [] and shown["middleware"] == []


def test_a_replica_url_adds_the_alias_the_router_and_its_middleware():
    shown = settings_with(
        DATABASE_URL="postgres://kp@primary.invalid:5432/kp",
        DATABASE_REPLICA_URL="postgres://kp@replica.invalid:5432/kp",
        DATABASE_REPLICA_PIN_SECONDS="15",
    )
    assert shown["aliases"] == ["default", "replica"]
    assert shown["replica"] == "replica.invalid"
    assert shown["test"]["MIRROR"] == "default"
    assert shown["routers"] == ["ketenportaal.db_router.ReplicaRouter"]
    assert shown["middleware"] == ["ketenportaal.db_router.ReplicaReadsMiddleware"]
    assert shown["pin"] == 15
