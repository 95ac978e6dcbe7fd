"""The real processes — gunicorn, a Celery worker and Celery beat — against PostgreSQL and Redis.

The commands are read from docker-compose.yml, so this test runs exactly what a deployment runs.
"""

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from stakeholders.models import Invitation, Role
from stakeholders.models.people import InvitationStatus
from tests.factories import ChainFactory, PersonFactory
from tests.integration.processes import BIN, ROOT, process_env, stop
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

COMPOSE_BIND = "0.0.0.0:8000"
STARTUP_SECONDS = 30


def compose_command(service: str) -> list[str]:
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]["command"]
    assert isinstance(command, list), f"{service}: write the command as a list"
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Processes:
    port: int
    logs: dict[str, Path] = field(default_factory=dict)
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def output(self) -> str:
        return "\n".join(
            f"----- {name} -----\n{path.read_text(errors='replace')[-6000:]}" for name, path in self.logs.items()
        )

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}\n{self.output()}")


@pytest.fixture
def processes(transactional_db, tmp_path) -> Iterator[Processes]:
    """Start web, worker and beat on the test database; always stop them, and show their output."""
    port = free_port()
    env = process_env(
        REDIS_URL=settings.REDIS_URL,
        HOUSEKEEPING_INTERVAL_SECONDS="2",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "celerybeat-schedule"),
    )
    started = Processes(port=port)
    commands = {
        "web": [arg.replace(COMPOSE_BIND, f"127.0.0.1:{port}") for arg in compose_command("web")],
        "worker": compose_command("worker"),
        "beat": compose_command("beat"),
    }
    assert f"127.0.0.1:{port}" in commands["web"], "the web command should bind 0.0.0.0:8000 in docker-compose.yml"
    try:
        for name, command in commands.items():
            log = tmp_path / f"{name}.log"
            started.logs[name] = log
            with log.open("wb") as out:
                started.running[name] = subprocess.Popen(
                    [str(BIN / command[0]), *command[1:]],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        yield started
    finally:
        for process in started.running.values():
            stop(process)
        # Shown by pytest only when the test failed.
        print(started.output())


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local http URL we built)
        return response.status


def test_it_serves_health_and_runs_housekeeping_on_schedule(processes: Processes):
    chain = ChainFactory(slug="integratie")
    manager = PersonFactory()
    invitation, _token = Invitation.issue(chain=chain, email="late@example.nl", role=Role.VIEWER, by=manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    deadline = time.monotonic() + STARTUP_SECONDS
    health = None
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            health = _get(f"http://127.0.0.1:{processes.port}/health/")
            break
        except OSError:
            time.sleep(0.3)
    assert health == 200, f"gunicorn did not answer /health/ within {STARTUP_SECONDS}s\n{processes.output()}"

    # Beat sends run-housekeeping every 2 s; the worker runs it against the test database.
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.status == InvitationStatus.EXPIRED:
            break
        processes.check_alive()
        time.sleep(0.5)
    assert invitation.status == InvitationStatus.EXPIRED, (
        f"housekeeping did not expire the invitation within {STARTUP_SECONDS}s\n{processes.output()}"
    )
    assert "stakeholders.tasks.run_housekeeping" in processes.logs["worker"].read_text()
