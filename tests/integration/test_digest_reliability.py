"""A failing mail server: the digest is retried later and no notification is lost — with a real
Celery worker on Redis and a real (tiny) SMTP server that first refuses, then accepts.

The worker sends through Django's SMTP backend (EMAIL_URL smtp://127.0.0.1:<port>). The server
answers ``421 Service not available`` while ``refusing`` is set, as a mail server that is down for
maintenance does; afterwards it accepts and keeps each message.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest

from stakeholders.models import DigestRun, Notification
from stakeholders.models.notifications import DigestStatus
from stakeholders.notify import notify
from tests.conftest import build_world
from tests.integration.processes import Cluster, celery_cluster
from tests.services import requires_services

pytestmark = [pytest.mark.integration, requires_services(postgres=True, redis=True)]

REDIS_DB = 12  # this file's own broker database


class SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.refusing = True
        self.messages: list[str] = []


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        if self.server.refusing:
            self.reply("421 Service not available, closing transmission channel")
            return
        self.reply("220 test SMTP ready")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith("EHLO"):
                self.reply("250-test")
                self.reply("250 8BITMIME")
            elif command.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data.decode(errors="replace"))
                self.server.messages.append("".join(lines))
                self.reply("250 OK queued")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cluster(transactional_db, tmp_path, smtp) -> Iterator[Cluster]:
    mail = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.server_address[1]}", "EMAIL_TIMEOUT": "5"}
    with celery_cluster(tmp_path, REDIS_DB, drop=("EMAIL_",), **mail) as started:
        yield started


def test_a_failing_mail_server_is_retried_later_and_no_notification_is_lost(cluster: Cluster, smtp: SmtpServer):
    w = build_world()
    notify([w.lead_a], w.chain, "Cijfers van Politie over maart zijn te laat.", "/ketens/zsm/", key="late")
    cluster.worker()

    cluster.send("stakeholders.tasks.send_daily_digests")
    cluster.wait_for(
        lambda: DigestRun.objects.filter(person=w.lead_a, status=DigestStatus.FAILED).exists(), "a failed digest"
    )
    assert smtp.messages == []
    assert Notification.objects.get(key="late").read_at is None  # still waiting in the portal

    # The mail server is back; meanwhile another notification came. The next run mails both, once.
    smtp.refusing = False
    notify([w.lead_a], w.chain, "Uw instemming wordt gevraagd.", "/ketens/zsm/", key="consent")
    cluster.send("stakeholders.tasks.send_daily_digests")
    cluster.wait_for(
        lambda: DigestRun.objects.filter(person=w.lead_a, status=DigestStatus.SENT).exists(), "the digest sent"
    )
    assert len(smtp.messages) == 1
    assert "lead-a@example.nl" in smtp.messages[0]
    run = DigestRun.objects.get(person=w.lead_a)
    assert run.attempts == 2 and run.notification_count == 2

    # A third run the same day mails nothing more.
    cluster.send("stakeholders.tasks.send_daily_digests")
    cluster.wait_for(lambda: cluster.logs["worker"].read_text(errors="replace").count("digest: ") >= 3, "the third run")
    assert len(smtp.messages) == 1
