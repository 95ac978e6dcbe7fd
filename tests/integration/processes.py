"""Running the portal's real processes in integration tests: the environment they get, stopping
them, and a Celery cluster (workers and beat on a Redis database of the test's own).

Shared by tests/integration/test_*.py; not a test module itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WAIT_SECONDS = 60


def database_url() -> str:
    """The test database, as DATABASE_URL for a process of its own."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def process_env(drop: tuple[str, ...] = (), **values: str) -> dict[str, str]:
    """This environment without Django's and Celery's variables (and those starting with ``drop``),
    plus the settings every process of the portal needs against the test database, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", *drop))}
    env.update(
        DJANGO_SETTINGS_MODULE="ketenportaal.settings",
        KETENPORTAAL_ENV="development",
        DEBUG="false",
        DATABASE_URL=database_url(),
        LOG_LEVEL="INFO",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    env.update(values)
    return env


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # Each process leads its own group: this also reaches gunicorn's and celery's child processes.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def broker_url(redis_db: int) -> str:
    """A Redis database of the test module's own, so that other test runs' workers never take its tasks."""
    host = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1").rsplit("/", 1)[0]
    return f"{host}/{redis_db}"


@dataclass
class Cluster:
    """Celery workers and beats started by a test, with their logs, and a client to send tasks."""

    tmp: Path
    env: dict
    sender: Celery
    running: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def start(self, name: str, *args: str, **extra_env: str) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        self.logs[name] = log
        with log.open("ab") as out:
            process = subprocess.Popen(
                [str(BIN / "celery"), "-A", "ketenportaal", *args, "--loglevel=INFO"],
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def worker(self, name: str = "worker", concurrency: int = 1, **extra_env: str) -> subprocess.Popen:
        process = self.start(
            name, "worker", f"--concurrency={concurrency}", "--pool=prefork", f"--hostname={name}@%h", **extra_env
        )
        self.wait_for(lambda: "ready." in self.logs[name].read_text(errors="replace"), f"{name} ready")
        return process

    def send(self, task: str, *args) -> None:
        self.sender.send_task(task, args=list(args))

    def output(self) -> str:
        return "\n".join(
            f"----- {name} -----\n{path.read_text(errors='replace')[-5000:]}" for name, path in self.logs.items()
        )

    def wait_for(self, condition, what: str, seconds: float = WAIT_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}\n{self.output()}")


@contextmanager
def celery_cluster(tmp: Path, redis_db: int, drop: tuple[str, ...] = (), **env: str) -> Iterator[Cluster]:
    """A Cluster on a flushed Redis database ``redis_db``; every process it started is stopped
    afterwards, and their output printed (pytest shows it when the test failed)."""
    url = broker_url(redis_db)
    redis.Redis.from_url(url).flushdb()
    sender = Celery("sender", broker=url)
    sender.conf.broker_transport_options = {"visibility_timeout": 3600}
    cluster = Cluster(tmp=tmp, env=process_env(drop, REDIS_URL=url, CELERY_BROKER_URL=url, **env), sender=sender)
    try:
        yield cluster
    finally:
        for process in cluster.running.values():
            stop(process)
        sender.close()
        redis.Redis.from_url(url).flushdb()
        print(cluster.output())
