"""``newsletter_send_1000``: one edition to 1,000 recipients through a real local SMTP server
(aiosmtpd in a thread of this process, keeping every message), on the 1m set's first benchmark chain.

The measurement is the programme manager's send (``newsletter_send.start``: the recipients read,
one pending row each written, one transaction) plus the send task's run (``send_pending``: one
transaction per recipient that locks its row, mails it over the run's one SMTP session and marks
it sent), in this process, as a worker runs it. The recipients are the chain's members plus as many
confirmed subscribers as make 1,000; the edition, its rows and the subscribers are removed
afterwards, so the set stays as it was. The floor is the same 1,000 messages, built once, sent over
one smtplib session to the same server without the database: what the mail server and the
network cost by themselves.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
from datetime import date

from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone

from bench.timing import Result
from governance.models.newsletters import Newsletter
from governance.models.subscribers import DeliveryStatus, NewsletterDelivery, Subscriber
from governance.services import newsletter_send as sending
from governance.tasks_newsletter_send import send_newsletter
from stakeholders.models import Chain

RECIPIENTS = 1000
QUARTER = date(1999, 10, 1)  # a quarter no edition of the data set has


class _Keeper:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK queued"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _mailer(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }


def newsletter_send(chain: Chain) -> list[Result]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    keeper = _Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=_port())
    controller.start()
    edition = Newsletter.objects.create(chain=chain, quarter=QUARTER, introduction="Benchmark")
    try:
        members = len(sending.recipients(edition))
        Subscriber.objects.bulk_create(
            Subscriber(chain=chain, email=f"bench-lezer-{n}@example.nl", confirmed_at=timezone.now())
            for n in range(max(RECIPIENTS - members, 0))
        )
        # A worker has loaded its templates and catalogues long before: the first rendering in a
        # fresh process (several seconds on a busy machine) is measured on its own.
        began = time.perf_counter()
        sending.render(edition)
        cold_render = time.perf_counter() - began
        original = send_newsletter.delay_on_commit
        send_newsletter.delay_on_commit = lambda *args: None  # run below, in this process
        try:
            with override_settings(MAILERS=_mailer(controller.port)):
                began = time.perf_counter()
                total = sending.start(edition)
                counts = sending.send_pending(edition.pk)
                seconds = time.perf_counter() - began
                floor = _floor(controller.port, edition, total)
        finally:
            send_newsletter.delay_on_commit = original
        assert counts.sent == total == RECIPIENTS, (counts, total)
        assert NewsletterDelivery.objects.filter(newsletter=edition, status=DeliveryStatus.SENT).count() == total
    finally:
        Subscriber.objects.filter(chain=chain, email__startswith="bench-lezer-").delete()
        edition.delete()
        controller.stop()
    return [
        Result("newsletter_send_1000", round(seconds, 2), "s"),
        Result("newsletter_send_1000_floor", round(floor, 2), "s"),
        Result("newsletter_first_render_cold", round(cold_render, 2), "s"),
    ]


def _floor(port: int, edition: Newsletter, total: int) -> float:
    """The same number of the same messages over one smtplib session, without the database."""
    rendered = sending.render(edition)
    row = NewsletterDelivery.objects.filter(newsletter=edition).first()
    message = sending.build_message(edition, rendered, row, sending.PLACEHOLDER).message()
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as server:
        for n in range(total):
            server.sendmail("noreply@ketenportaal.localhost", [f"floor-{n}@example.nl"], data)
    return time.perf_counter() - began
