"""Errors reach the operators: a server error is mailed to ADMINS and, when SENTRY_DSN is set, sent to
Sentry — neither with form data, query values, cookies, local variables, names or the URL's values."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ketenportaal.urls import *  # noqa: F403 (the error handlers)
from ketenportaal.urls import urlpatterns as project_urlpatterns
from tests.conftest import World
from tests.test_settings import ROOT, production_env

SECRET_TOKEN = "tok-7f3a9c2e"
PRIVATE = ["geheim@example.nl", "Vertrouwelijk123", SECRET_TOKEN, "cookie-waarde-42", "zoekterm-99", "203.0.113.9"]


@login_not_required
@csrf_exempt  # the Sentry probe posts straight to the WSGI application
def fail(request: HttpRequest, token: str) -> HttpResponse:
    address = request.POST.get("email", "")  # a local variable holding personal data
    raise RuntimeError(f"a fault the portal did not foresee ({len(address)} characters)")


urlpatterns = [path("test-fout/geheim/<str:token>/", fail), *project_urlpatterns]


def send_failing_request(client: Client) -> HttpResponse:
    client.cookies["voorkeur"] = "cookie-waarde-42"
    return client.post(
        f"/test-fout/geheim/{SECRET_TOKEN}/?q=zoekterm-99",
        {"email": "geheim@example.nl", "password": "Vertrouwelijk123"},
        REMOTE_ADDR="203.0.113.9",
    )


@pytest.mark.urls(__name__)
def test_it_mails_a_server_error_to_the_admins_without_personal_data(world: World, settings, mailoutbox):
    settings.ADMINS = ["beheer@example.nl"]
    client = Client(raise_request_exception=False)
    client.force_login(world.lead_a)

    response = send_failing_request(client)

    assert response.status_code == 500
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["beheer@example.nl"]
    assert mail.subject.startswith("[Ketenportaal] ERROR")
    assert "/test-fout/geheim/<str:token>/" in mail.subject
    assert "RuntimeError at /test-fout/geheim/<str:token>/" in mail.body  # enough to find the fault
    assert "a fault the portal did not foresee" in mail.body and 'raise RuntimeError(f"a fault' in mail.body
    assert f"person {world.lead_a.pk}" in mail.body
    for private in [*PRIVATE, world.lead_a.full_name, world.lead_a.email, "sessionid="]:
        assert private not in mail.subject + mail.body, private


@pytest.mark.urls(__name__)
def test_it_mails_nobody_without_admins(db, settings, mailoutbox):
    settings.ADMINS = []
    assert send_failing_request(Client(raise_request_exception=False)).status_code == 500
    assert mailoutbox == []


def test_it_mails_a_failed_background_task_to_the_admins(db, settings, mailoutbox):
    import logging

    settings.ADMINS = ["beheer@example.nl"]
    try:
        raise ValueError("report 12 could not be drafted")
    except ValueError:
        logging.getLogger("celery.app.trace").error("Task ambitions.tasks.draft_chain_report[x] raised", exc_info=True)
    assert len(mailoutbox) == 1
    assert "report 12 could not be drafted" in mailoutbox[0].body


# Sentry in a fresh interpreter: its Django integration patches Django for the whole process.
SENTRY_PROBE = """
import json
import django

django.setup()
import sentry_sdk
from sentry_sdk.transport import Transport

events = []


class Capture(Transport):
    def capture_envelope(self, envelope):
        events.extend(item.payload.json for item in envelope.items if item.type == "event")


client = sentry_sdk.get_client()
client.transport = Capture(client.options)
options = {k: client.options[k] for k in ("send_default_pii", "max_request_body_size", "include_local_variables")}

import io
import sys
from urllib.parse import urlencode

from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

from tests.test_error_reports import SECRET_TOKEN

# Through the WSGI application, as gunicorn calls it (the SDK hooks in there).
body = urlencode({"email": "geheim@example.nl", "password": "Vertrouwelijk123"}).encode()
environ = {
    "REQUEST_METHOD": "POST",
    "PATH_INFO": f"/test-fout/geheim/{SECRET_TOKEN}/",
    "QUERY_STRING": "q=zoekterm-99",
    "SERVER_NAME": "testserver",
    "SERVER_PORT": "80",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "testserver",
    "HTTP_COOKIE": "voorkeur=cookie-waarde-42",
    "REMOTE_ADDR": "203.0.113.9",
    "CONTENT_TYPE": "application/x-www-form-urlencoded",
    "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body),
    "wsgi.errors": sys.stderr,
    "wsgi.url_scheme": "http",
}
answers = []
with override_settings(ROOT_URLCONF="tests.test_error_reports", ALLOWED_HOSTS=["testserver"]):
    b"".join(get_wsgi_application()(environ, lambda status, headers, exc_info=None: answers.append(status)))
status = int(answers[0].split()[0])
sentry_sdk.flush()
print(json.dumps({"active": client.is_active(), "options": options, "status": status, "events": events}))
"""


def run_sentry_probe(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SENTRY_PROBE],
        cwd=ROOT,
        env=production_env(
            KETENPORTAAL_ENV="development",
            DATABASE_URL="sqlite://:memory:",
            EMAIL_URL="consolemail://",
            ADMINS="",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_sends_errors_to_sentry_without_personal_data_when_configured():
    seen = run_sentry_probe(SENTRY_DSN="https://public@sentry.invalid/1")

    assert seen["active"] is True
    assert seen["options"] == {
        "send_default_pii": False,
        "max_request_body_size": "never",
        "include_local_variables": False,
    }
    assert seen["status"] == 500
    (event,) = [e for e in seen["events"] if e.get("exception")]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["request"]["url"] == "http://testserver/test-fout/geheim/<str:token>/"
    sent = json.dumps(event)
    for private in PRIVATE:
        assert private not in sent, private
    assert all("vars" not in frame for value in event["exception"]["values"] for frame in value["stacktrace"]["frames"])


def test_it_sends_nothing_to_sentry_unless_configured():
    seen = run_sentry_probe(SENTRY_DSN="")
    assert seen["active"] is False
    assert seen["events"] == []
