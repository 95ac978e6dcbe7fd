"""Gunicorn as docker-compose.yml starts it (``gunicorn ketenportaal.wsgi --config gunicorn.conf.py``),
on a local port, for the load stage; and the CPU time its processes have used."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[psutil.Process]:
    """The web service with ``env`` on 127.0.0.1:``port`` until the block ends; yields its master."""
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(GUNICORN), "ketenportaal.wsgi", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(port, process)
        yield psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit {process.returncode}); see its log")
        health = f"http://127.0.0.1:{port}/health/"
        with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=10) as answer:  # noqa: S310
            if answer.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer /health/ within {timeout:.0f} s")


def cpu_seconds(master: psutil.Process) -> float:
    """User + system CPU of gunicorn: the master, its live workers, and the workers it has
    replaced (--max-requests) and reaped, whose time the kernel adds to the master's children."""
    times = master.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for worker in master.children():
        with contextlib.suppress(psutil.NoSuchProcess):
            own = worker.cpu_times()
            total += own.user + own.system
    return total
