"""Gunicorn started as docker-compose.yml starts it, and a browser-like client with cookies, for the
integration tests of connections and scale-out (test_connections.py, test_scale_out.py).

Not a test module itself.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.integration.processes import BIN, ROOT, stop

COMPOSE_BIND = "0.0.0.0:8000"
STARTUP_SECONDS = 60
REQUEST_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def web_command(port: int) -> list[str]:
    """The web service's command from docker-compose.yml, bound to 127.0.0.1:port."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    bound = [arg.replace(COMPOSE_BIND, f"127.0.0.1:{port}") for arg in command]
    assert f"127.0.0.1:{port}" in bound, "the web command should bind 0.0.0.0:8000 in docker-compose.yml"
    return [str(BIN / bound[0]), *bound[1:]]


def usable_password(person, password: str) -> None:
    """Give ``person`` a password the portal's own processes can check. The test process hashes
    with MD5 for speed (tests/conftest.py), which gunicorn's settings do not accept; a PBKDF2 hash
    with few iterations is accepted (and upgraded on the first sign-in)."""
    person.password = PBKDF2PasswordHasher().encode(password, "scaleoutsalt", iterations=1000)
    person.save(update_fields=["password"])


@dataclass
class Web:
    """One gunicorn (master and workers) on its own port, with its log."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return f"----- {self.name} -----\n{self.log.read_text(errors='replace')[-6000:]}"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.process.returncode}\n{self.output()}")

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        pytest.fail(f"{self.name} did not answer /health/ within {STARTUP_SECONDS}s\n{self.output()}")


@dataclass
class Webs:
    """The gunicorns a test started; all stopped afterwards."""

    tmp: Path
    env: dict[str, str]
    running: list[Web] = field(default_factory=list)

    def start(self, name: str, **extra_env: str) -> Web:
        port = free_port()
        log = self.tmp / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                web_command(port),
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        web = Web(name=name, port=port, log=log, process=process)
        self.running.append(web)
        web.wait_until_healthy()
        return web

    def stop_all(self) -> None:
        for web in self.running:
            stop(web.process)

    def output(self) -> str:
        return "\n".join(web.output() for web in self.running)


@dataclass
class Answer:
    status: int
    text: str
    url: str


class Browser:
    """Cookies kept across requests and across servers (the same host, 127.0.0.1, on another
    port gets the same cookies, as a browser behind one load balancer would send them)."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def request(self, url: str, data: dict | None = None, headers: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        if body is not None:
            # What Django's CSRF check wants besides the token: a Referer of the same origin is
            # only checked over HTTPS, so the token (cookie + field) is all a plain-HTTP post needs.
            request.add_header("X-CSRFToken", self.cookie("csrftoken"))
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as response:
                return Answer(response.status, response.read().decode(), response.url)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(errors="replace"), error.url)

    def get(self, url: str, headers: dict | None = None) -> Answer:
        return self.request(url, headers=headers)

    def post(self, url: str, data: dict, headers: dict | None = None) -> Answer:
        """A form post with the page's CSRF token, as the browser would send it."""
        return self.request(url, {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}, headers)

    def sign_in(self, base_url: str, email: str, password: str, then: str = "/") -> Answer:
        """Sign in through the form, then go to ``then`` (a path), as ``?next=`` does."""
        page = self.get(f"{base_url}/inloggen/?next={urllib.parse.quote(then)}")
        assert page.status == 200, page.text[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "the sign-in page has no CSRF token"
        answer = self.request(
            f"{base_url}/inloggen/",
            {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password, "next": then},
        )
        assert answer.status == 200 and "/inloggen/" not in answer.url, f"sign-in failed: {answer.text[:2000]}"
        assert self.cookie("sessionid"), "no session cookie after signing in"
        return answer
