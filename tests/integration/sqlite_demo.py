"""The demo configuration as `make demo` runs it, for tests that must see SQLite under load: a
fresh SQLite file, `migrate` and `load_demo`, and Django's threaded development server
(scripts/run-demo) as a process of its own, plus a small HTTP client that signs in and saves
grid cells as the page's htmx does.

The rest of the suite runs on PostgreSQL; these tests target SQLite on purpose, because the
embedded default is what a first user meets (issue 8: a month typed at full speed lost 14 of 20
figures to "database is locked"). Shared by tests/integration and tests/browser; not a test
module itself.
"""

from __future__ import annotations

import atexit
import http.cookiejar
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stakeholders.demo import DEMO_PASSWORD
from tests.integration.processes import BIN, ROOT, process_env, stop

STARTUP_SECONDS = 30


@dataclass
class DemoServer:
    url: str
    database: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], log: Path, *args: str) -> None:
    with log.open("ab") as out:
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode:
        output = log.read_text(errors="replace")[-6000:]
        pytest.fail(f"manage.py {' '.join(args)} exited with {done.returncode}\n{output}")


def _demo_env(database: Path) -> dict[str, str]:
    return process_env(
        drop=("REDIS_",),
        DATABASE_URL=f"sqlite:///{database}",
        TWO_FACTOR_REQUIRED="false",
        CELERY_BROKER_URL="memory://",
    )


_prepared: dict[str, Path] = {}


def _prepare(database: Path, log: Path) -> None:
    """``migrate`` and ``load_demo`` into ``database``: once per test session, then a copy."""
    if "template" not in _prepared:
        folder = tempfile.mkdtemp(prefix="kp-sqlite-demo-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Path(folder) / "template.sqlite3"
        env = _demo_env(template)
        _manage(env, log, "migrate", "--noinput")
        _manage(env, log, "load_demo")
        _prepared["template"] = template
    shutil.copyfile(_prepared["template"], database)


@contextmanager
def sqlite_demo_server(tmp: Path) -> Iterator[DemoServer]:
    """`make demo` on a SQLite file in ``tmp``: migrate, load_demo, and runserver (threaded, as
    scripts/run-demo starts it, without the autoreloader; DEBUG off, static files by WhiteNoise).
    Celery's broker is in memory: the demo's worker is not what these tests are about, and var/
    is shared with a developer's demo."""
    database = tmp / "demo.sqlite3"
    log = tmp / "demo-server.log"
    port = _free_port()
    env = _demo_env(database)
    _prepare(database, log)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "python"), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DemoServer(url=f"http://127.0.0.1:{port}", database=database, log=log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"runserver exited with {process.returncode}\n{server.output()}")
            try:
                with urllib.request.urlopen(f"{server.url}/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"runserver did not answer within {STARTUP_SECONDS}s\n{server.output()}")
            time.sleep(0.3)
        yield server
    finally:
        stop(process)
        print(server.output())  # shown by pytest only when a test failed


# ---------------------------------------------------------------------------------------------
# A browser's requests, without the browser


@dataclass
class GridCellInputs:
    """One editable cell of the grid page: its row id, where htmx posts it, and its inputs."""

    key: str
    url: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def has_value(self) -> bool:
        return any(value for name, value in self.fields.items() if name.endswith(("-value", "-numerator")))

    @property
    def ids(self) -> tuple[str, str]:
        _, indicator, unit = self.key.split("-")
        return indicator, unit


class _GridParser(HTMLParser):
    """The rows that can be entered, as static/js/entry-grid.js finds them: a row of a tbody with
    data-kp-save (where it posts) that has a number text box."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[GridCellInputs] = []
        self._row: GridCellInputs | None = None
        self._save = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tbody":
            self._save = attributes.get("data-kp-save") or ""
        elif tag == "tr":
            self._row = None
            if "data-kp-cell" in attributes and (attributes.get("hx-post") or self._save):
                self._row = GridCellInputs(key=attributes["id"] or "", url=attributes.get("hx-post") or self._save)
        elif tag == "input" and self._row is not None and attributes.get("type") in {"hidden", "text", None}:
            self._row.fields[attributes.get("name") or ""] = attributes.get("value") or ""
            textbox = attributes.get("inputmode") == "decimal"  # a number text box (views/grid_rows.py)
            if textbox and not (self.cells and self.cells[-1] is self._row):
                self.cells.append(self._row)


class DemoClient:
    """Signs in through the login form and posts cells as htmx does (HX-Request, X-CSRFToken)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.read().decode()

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        page = self.get("/inloggen/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        data = {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password}
        request = urllib.request.Request(
            self.base_url + "/inloggen/",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base_url + "/inloggen/"},
        )
        with self.opener.open(request, timeout=30) as response:
            assert "/inloggen/" not in response.url, f"{email} could not sign in"

    def editable_cells(self, path: str) -> list[GridCellInputs]:
        parser = _GridParser()
        parser.feed(self.get(path))
        return parser.cells

    def empty_month(self, cells: int, chain: str = "zsm") -> tuple[str, list[GridCellInputs]]:
        """The first period on the entry page whose grid has ``cells`` empty editable cells:
        its path and those cells."""
        index = self.get(f"/ketens/{chain}/invoer/")
        for path in dict.fromkeys(re.findall(rf'href="(/ketens/{chain}/invoer/\d{{4}}-\d{{2}}/)"', index)):
            empty = [cell for cell in self.editable_cells(path) if not cell.has_value]
            if len(empty) >= cells:
                return path, empty[:cells]
        pytest.fail(f"the demo has no month with {cells} empty cells for this person")

    def post_cell(self, cell: GridCellInputs, values: dict[str, str]) -> tuple[int, str]:
        """Post the cell's inputs with ``values`` (by input name) filled in: (status, body)."""
        indicator, unit = cell.ids
        data = {**cell.fields, **values, "indicator": indicator, "unit": unit}
        csrf = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        request = urllib.request.Request(
            self.base_url + cell.url,
            data=urllib.parse.urlencode(data).encode(),
            headers={"HX-Request": "true", "X-CSRFToken": csrf or "", "Referer": self.base_url + "/"},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
