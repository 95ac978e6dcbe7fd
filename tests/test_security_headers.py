"""Security headers: a strict nonce-based CSP on every page; HSTS and Secure cookies in production."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from stakeholders.models import ApiToken
from tests.conftest import World
from tests.test_settings import production_env

ROOT = Path(__file__).resolve().parent.parent
NONCE = re.compile(r"'nonce-([^']+)'")


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict_csp(response) -> None:
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = _directives(header)
    script_src = directives["script-src"]
    [nonce] = NONCE.findall(" ".join(script_src))
    assert "'self'" in script_src
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Every script on the page carries this response's nonce; none is inline without it.
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts, "the page should load htmx with a nonce"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    # Inline style attributes would be blocked by the CSP: pages must not rely on them.
    assert not re.search(r"<[^>]+\sstyle=", response.text)


def _assert_basic_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_sends_a_nonce_csp_and_safe_headers_on_the_login_page(client, db):
    response = client.get("/inloggen/")
    assert response.status_code == 200
    _assert_strict_csp(response)
    _assert_basic_headers(response)


def test_it_sends_a_nonce_csp_and_safe_headers_on_a_signed_in_page(world: World, client_for):
    response = client_for(world.viewer).get("/")
    assert response.status_code == 200
    _assert_strict_csp(response)
    _assert_basic_headers(response)


def test_it_uses_a_fresh_nonce_for_every_response(world: World, client_for):
    client = client_for(world.viewer)
    first = NONCE.findall(client.get("/").headers["Content-Security-Policy"])
    second = NONCE.findall(client.get("/").headers["Content-Security-Policy"])
    assert first and second and first != second


def _assert_private_no_store(response) -> None:
    directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, response.headers.get("Cache-Control")


def test_it_keeps_signed_in_pages_out_of_every_cache(world: World, client_for):
    client = client_for(world.viewer)
    for url in ("/", "/ketens/zsm/", "/ketens/zsm/organisaties/"):
        response = client.get(url)
        assert response.status_code == 200
        _assert_private_no_store(response)


def test_it_keeps_api_responses_out_of_every_cache(world: World, client_for):
    by_session = client_for(world.viewer).get("/api/chains/")
    assert by_session.status_code == 200
    _assert_private_no_store(by_session)
    _token, key = ApiToken.issue(world.lead_a, expires_at=None)
    by_token = Client().get("/api/chains/", HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.status_code == 200
    _assert_private_no_store(by_token)
    _assert_private_no_store(Client().get("/api/chains/"))  # refused, and still not cached


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_keeps_export_downloads_out_of_every_cache(measures, client_for, fmt):
    url = reverse("ambitions:indicator_export", args=[measures.world.chain.slug, measures.share.pk, fmt])
    response = client_for(measures.world.viewer).get(url)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    _assert_private_no_store(response)


def test_it_does_not_send_hsts_outside_production():
    # HSTS on a developer's localhost would pin it to HTTPS for a year.
    assert settings.SECURE_HSTS_SECONDS == 0


# Runs under real production settings in a fresh interpreter: settings are read once per
# process, so override_settings could not prove what KETENPORTAAL_ENV=production does.
PRODUCTION_PROBE = """
import json
import django

django.setup()
from django.core.management import call_command
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

# The manifest storage needs `collectstatic` (the Docker build runs it); static URLs are not under test here,
# and neither is the Redis cache (REDIS_URL is a stand-in nobody answers at).
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    SESSION_ENGINE="django.contrib.sessions.backends.db",
).enable()
call_command("migrate", verbosity=0, interactive=False)
from stakeholders.models import Person

password = "a long enough test password 42"
Person.objects.create_user("probe@example.nl", password, full_name="Probe")
host = "portal.example.nl"

plain = Client().get("/inloggen/", HTTP_HOST=host)
client = Client()
page = client.get("/inloggen/", secure=True, HTTP_HOST=host)
login = client.post("/inloggen/", {"username": "probe@example.nl", "password": password}, secure=True, HTTP_HOST=host)


def cookie(response, name):
    morsel = response.cookies.get(name)
    return None if morsel is None else {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}


print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "page_status": page.status_code,
    "hsts": page.headers.get("Strict-Transport-Security", ""),
    "csp": page.headers.get("Content-Security-Policy", ""),
    "csrf_cookie": cookie(page, "csrftoken"),
    "login_status": login.status_code,
    "session_cookie": cookie(login, "sessionid"),
    "login_csrf_cookie": cookie(login, "csrftoken"),
}))
"""


def test_it_sends_hsts_and_secure_cookies_under_production_settings():
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=production_env(DATABASE_URL="sqlite://:memory:", EMAIL_URL="consolemail://"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    # Plain HTTP is redirected to HTTPS.
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://portal.example.nl/")
    # Over HTTPS: HSTS for a year, with subdomains and preload.
    assert seen["page_status"] == 200
    hsts = seen["hsts"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts and "preload" in hsts
    assert "'nonce-" in seen["csp"] and "unsafe-inline" not in seen["csp"]
    # Cookies only travel over HTTPS; the session cookie is out of reach of scripts.
    assert seen["csrf_cookie"]["secure"] is True
    assert seen["login_status"] == 302
    assert seen["session_cookie"] == {"secure": True, "httponly": True}
    assert seen["login_csrf_cookie"]["secure"] is True
