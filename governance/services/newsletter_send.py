"""Sending an edition of the newsletter: exactly once per recipient, also when a worker dies.

Who receives it (``recipients``): the chain's members (people, active, not system accounts, who
have not opted out) and its confirmed subscribers; an address that is both gets one mail, as the
member.

1. ``start`` — the programme manager's send, one transaction: the edition goes from *draft* to
   *sending* by a conditional UPDATE (a second send, a double click, a stale page find it no longer
   a draft and change nothing), and one *pending* ``NewsletterDelivery`` per recipient is written
   with its own Message-ID. The task is enqueued after the commit.
2. ``send_pending`` — the task, any number of times, in any number of workers at once. Per row, in
   one transaction: lock the next pending row (``SKIP LOCKED`` on PostgreSQL: a second worker
   takes the next one; on SQLite the conditional UPDATE serialises them), mail it, mark it *sent*,
   commit. The row stays locked and uncommitted while the mail goes out.
3. When no row is pending any more, the edition becomes *sent*.

What a crash does:

- a worker killed before the mail server accepted the mail takes its uncommitted claim with it:
  the row is pending again and the task's redelivery (late acknowledgement, settings.py) mails
  it, once;
- a worker killed (or a database lost) *after* the mail server answered 250 and before the commit
  lands — a window of one COMMIT round trip, milliseconds — leaves the row pending although the
  mail went out: that one recipient is mailed a second time, with the same Message-ID. We chose
  this over the alternative (marking the row before mailing, which turns the same window into a
  recipient who silently never gets the edition): SMTP gives no way to ask whether a message was
  accepted, so one of the two must be possible, and a duplicate that mail clients and servers
  can recognise by its Message-ID does less harm than a lost edition nobody notices. At most one
  recipient per crashed worker is affected (each worker holds one row at a time).

A mail server that refuses one address marks that row *failed* (not retried: the address is
wrong); a server that is down leaves the row pending with the error counted, and the task retries
later with backoff. The programme manager's page shows the counts as they are
(``progress``).

The edition is rendered once per run (H2's ``render_edition``) with a placeholder for the
unsubscribe link, which each mail replaces with its recipient's own; a rendering without the
placeholder gets the link appended, so that no mail goes out without one. Every mail also carries
``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from stakeholders.models import Person
from stakeholders.models.people import normalise_email

from ..models.newsletters import Newsletter, NewsletterStatus
from ..models.subscribers import DeliveryStatus, NewsletterDelivery, NewsletterOptOut, Subscriber
from . import subscribers

logger = logging.getLogger(__name__)

PLACEHOLDER = "https://afmelden.invalid/ketenportaal-unsubscribe-link"


@dataclass(frozen=True)
class Recipient:
    email: str
    person_id: int | None = None
    subscriber_id: int | None = None


def recipients(newsletter: Newsletter) -> list[Recipient]:
    """Everyone the edition goes to, each address once (three queries)."""
    chain = newsletter.chain
    opted_out = NewsletterOptOut.objects.filter(chain=chain).values("person_id")
    members = (
        Person.objects.humans()
        .filter(is_active=True, memberships__chain=chain)
        .exclude(pk__in=opted_out)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email")
    )
    found: dict[str, Recipient] = {}
    for pk, address in members:
        address = normalise_email(address)
        found.setdefault(address, Recipient(address, person_id=pk))
    for pk, address in Subscriber.objects.confirmed().filter(chain=chain).order_by("pk").values_list("pk", "email"):
        found.setdefault(address, Recipient(address, subscriber_id=pk))
    return list(found.values())


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "ketenportaal.localhost"


def message_id() -> str:
    return make_msgid("nieuwsbrief", domain=_domain())


def start(newsletter: Newsletter, version: int | None = None) -> int | None:
    """Begin sending the draft: the number of recipients, or None when it is no longer a draft (sent
    or being sent already) or was changed since ``version`` was read (a stale page)."""
    from ..tasks_newsletter_send import send_newsletter

    with transaction.atomic():
        drafts = Newsletter.objects.filter(pk=newsletter.pk, status=NewsletterStatus.DRAFT)
        if version is not None:
            drafts = drafts.filter(version=version)
        if not drafts.update(status=NewsletterStatus.SENDING, sent_at=timezone.now(), version=F("version") + 1):
            return None
        rows = [
            NewsletterDelivery(
                newsletter=newsletter,
                email=r.email,
                person_id=r.person_id,
                subscriber_id=r.subscriber_id,
                message_id=message_id(),
            )
            for r in recipients(newsletter)
        ]
        NewsletterDelivery.objects.bulk_create(rows, batch_size=500)
        if not rows:
            Newsletter.objects.filter(pk=newsletter.pk).update(status=NewsletterStatus.SENT)
        else:
            send_newsletter.delay_on_commit(newsletter.pk)
    logger.info("newsletter %d: sending to %d recipient(s)", newsletter.pk, len(rows))
    return len(rows)


@dataclass
class SendCounts:
    sent: int = 0
    failed: int = 0
    stopped: str = ""  # the error that ended the run early (a mail server down), if any

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "stopped": self.stopped}


class MailServerDown(Exception):
    """The run stopped: the mail server did not take a mail for a reason not of the address."""


def _unsubscribe_token(newsletter: Newsletter, row: NewsletterDelivery, secrets: dict[int, str]) -> str | None:
    if row.person_id is not None:
        return subscribers.member_unsubscribe_token(newsletter.chain, Person(pk=row.person_id))
    if row.subscriber_id in secrets:
        return subscribers.subscriber_unsubscribe_token(
            Subscriber(pk=row.subscriber_id, secret=secrets[row.subscriber_id])
        )
    return None  # unsubscribed since the sending started: not mailed


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    # The whole mail as it goes over the wire, with placeholders for the address, Message-ID and
    # link (see ``_wire_template``); None when they would not survive the encoding verbatim.
    wire: bytes | None = None


def render(newsletter: Newsletter) -> Rendered:
    """The edition's mail with ``PLACEHOLDER`` where each recipient's unsubscribe link goes."""
    from .newsletter_render import render_edition

    subject, text, html = render_edition(newsletter, PLACEHOLDER)
    if PLACEHOLDER not in text:
        text += "\n\n" + _("Unsubscribe: %(link)s") % {"link": PLACEHOLDER} + "\n"
    if PLACEHOLDER not in html:
        footer = f'<p><a href="{PLACEHOLDER}">{escape(_("Unsubscribe from this newsletter"))}</a></p>'
        html = html.replace("</body>", footer + "</body>") if "</body>" in html else html + footer
    rendered = Rendered(subject, text, html)
    return Rendered(subject, text, html, _wire_template(newsletter, rendered))


TO_MARK = "ketenportaal-recipient@afmelden.invalid"
ID_MARK = "<ketenportaal-message-id@afmelden.invalid>"
LINK_ROOM = 300  # characters a real unsubscribe link may be longer than PLACEHOLDER


class _Wire:
    """A mail already in its wire form: what the SMTP backend sends (``as_bytes``); parsed only
    when something else asks (the test outbox)."""

    def __init__(self, data: bytes):
        self.data = data
        self._parsed = None

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self.data

    def _message(self):
        if self._parsed is None:
            self._parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        return self._parsed

    def __getitem__(self, name: str):
        return self._message()[name]

    def __getattr__(self, name: str):
        return getattr(self._message(), name)


class NewsletterMail(EmailMultiAlternatives):
    wire: bytes | None = None

    def message(self, *, policy=email.policy.default):
        if self.wire is not None:
            return _Wire(self.wire)
        # List-Unsubscribe must stay one plain <URL>: folded at 78 characters, Python's email
        # package would RFC 2047-encode the long address, which mail clients do not read as the
        # unsubscribe link (RFC 2369, RFC 8058). 998 is SMTP's own line limit.
        return super().message(policy=policy.clone(max_line_length=998))


def _wire_template(newsletter: Newsletter, rendered: Rendered) -> bytes | None:
    """The edition's mail serialised once per run with marks where each recipient's address,
    Message-ID and link go. Building a MIME message costs more than the rest of a mail's send
    together, and a thousand mails differ only there. None (each mail built on its own) when a
    mark does not come out verbatim, e.g. a body the policy had to encode."""
    row = NewsletterDelivery(email=TO_MARK, message_id=ID_MARK)
    data = build_message(newsletter, rendered, row, PLACEHOLDER).message(policy=email.policy.SMTP).as_bytes()
    marks = (data.count(TO_MARK.encode()), data.count(ID_MARK.encode()), data.count(PLACEHOLDER.encode()))
    if marks != (1, 1, 3) or b"Content-Transfer-Encoding: quoted-printable" in data or b"base64" in data:
        return None  # an encoded body would need the link encoded too
    # Each line keeps room for the longer real link within SMTP's 998 characters.
    mark = PLACEHOLDER.encode()
    if any(len(line) + LINK_ROOM * line.count(mark) > 998 for line in data.split(b"\r\n") if mark in line):
        return None
    return data


def build_message(newsletter: Newsletter, rendered: Rendered, row: NewsletterDelivery, link: str):
    message = NewsletterMail(
        subject=rendered.subject,
        body=rendered.text.replace(PLACEHOLDER, link),
        to=[row.email],
        headers={
            "Message-ID": row.message_id,
            "List-Id": f"<{newsletter.chain.slug}.nieuwsbrief.{_domain()}>",
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(rendered.html.replace(PLACEHOLDER, escape(link)), "text/html")
    if (
        rendered.wire is not None
        and row.email.isascii()
        and link == escape(link)
        and len(link) <= len(PLACEHOLDER) + LINK_ROOM
    ):
        message.wire = (
            rendered.wire.replace(TO_MARK.encode(), row.email.encode())
            .replace(ID_MARK.encode(), row.message_id.encode())
            .replace(PLACEHOLDER.encode(), link.encode())
        )
    return message


_CLAIM_SQL = """
UPDATE governance_newsletterdelivery SET attempts = attempts + 1
WHERE id = (
    SELECT id FROM governance_newsletterdelivery WHERE newsletter_id = %s AND status = %s
    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING id, email, person_id, subscriber_id, message_id
"""


def _next_row(newsletter: Newsletter) -> NewsletterDelivery | None:
    """Lock the next pending row of the edition, skipping those other senders hold; inside the
    caller's transaction, which holds the lock until it commits."""
    if connection.vendor == "postgresql":  # one round trip: the claim is most of a mail's cost
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, [newsletter.pk, DeliveryStatus.PENDING])
            found = cursor.fetchone()
        if found is None:
            return None
        pk, email, person_id, subscriber_id, message_id = found
        return NewsletterDelivery(
            pk=pk,
            newsletter=newsletter,
            email=email,
            person_id=person_id,
            subscriber_id=subscriber_id,
            message_id=message_id,
            status=DeliveryStatus.PENDING,
        )
    # SQLite has no row locks: the conditional UPDATE takes the database's write lock, and a
    # concurrent run that read the same row finds it no longer pending once it gets the lock.
    row = NewsletterDelivery.objects.filter(newsletter=newsletter, status=DeliveryStatus.PENDING).order_by("pk").first()
    if row is None:
        return None
    if NewsletterDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.PENDING).update(attempts=F("attempts") + 1):
        return row
    return _next_row(newsletter)


@dataclass
class _Run:
    """What the senders of one run share: the edition, its mail, and the counts."""

    newsletter: Newsletter
    rendered: Rendered
    secrets: dict[int, str]  # the edition's subscribers' link secrets, read once
    link_prefix: str  # the unsubscribe address without its token
    pause: Callable[[], None] | None
    counts: SendCounts = field(default_factory=SendCounts)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    failure: Exception | None = None

    def count(self, what: str) -> None:
        with self.lock:
            setattr(self.counts, what, getattr(self.counts, what) + 1)


def senders() -> int:
    """Senders per run: SMTP sessions in threads of their own, each with its own database
    connection. One on SQLite, which writes one transaction at a time anyway, and one when called
    inside a transaction, whose rows other connections cannot see."""
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        return 1
    return max(1, getattr(settings, "NEWSLETTER_SENDERS", 4))


def send_pending(newsletter_id: int, pause: Callable[[], None] | None = None) -> SendCounts:
    """Mail every pending row of the edition (see the module's docstring); a missing edition or a
    draft is no error. Raises ``MailServerDown`` after recording the error, for the task to retry."""
    newsletter = Newsletter.objects.select_related("chain").filter(pk=newsletter_id).first()
    if newsletter is None or newsletter.status == NewsletterStatus.DRAFT:
        return SendCounts()
    subscriber_ids = NewsletterDelivery.objects.filter(newsletter=newsletter, subscriber__isnull=False).values(
        "subscriber_id"
    )
    run = _Run(
        newsletter=newsletter,
        rendered=render(newsletter),
        secrets=dict(Subscriber.objects.filter(pk__in=subscriber_ids).values_list("pk", "secret")),
        link_prefix=subscribers.unsubscribe_url(newsletter.chain, "-").removesuffix("-/"),
        pause=pause,
    )
    count = senders()
    if count == 1:
        _sender(run)
    else:
        threads = [threading.Thread(target=_thread, args=(run,), name=f"newsletter-{n}") for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if run.failure is not None:
        run.counts.stopped = type(run.failure).__name__
        logger.warning("newsletter %d: mail server failed (%s); retried later", newsletter.pk, run.counts.stopped)
        raise MailServerDown(run.counts.stopped) from run.failure
    finish(newsletter)
    return run.counts


def _thread(run: _Run) -> None:
    try:
        _sender(run)
    finally:
        connection.close()  # this thread's own connection


def _sender(run: _Run) -> None:
    """Mail pending rows one at a time until none is left, the server fails, or another sender did."""
    newsletter = run.newsletter
    with mailers.default as smtp:  # one SMTP session per sender
        while not run.stop.is_set():
            failure: Exception | None = None
            with transaction.atomic():
                row = _next_row(newsletter)
                if row is None:
                    return
                token = _unsubscribe_token(newsletter, row, run.secrets)
                if token is None:  # the subscriber was deleted (unsubscribed) since the start
                    NewsletterDelivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SKIPPED)
                    continue
                if run.pause:
                    run.pause()
                message = build_message(newsletter, run.rendered, row, f"{run.link_prefix}{token}/")
                try:
                    smtp.send_messages([message])
                except smtplib.SMTPRecipientsRefused as error:
                    NewsletterDelivery.objects.filter(pk=row.pk).update(
                        status=DeliveryStatus.FAILED, error=_short(error)
                    )
                    run.count("failed")
                    continue
                except Exception as error:  # the server, not the address: leave it pending
                    failure = error
                    transaction.set_rollback(True)
                else:
                    NewsletterDelivery.objects.filter(pk=row.pk).update(
                        status=DeliveryStatus.SENT, sent_at=timezone.now(), error=""
                    )
                    run.count("sent")
            if failure is not None:
                NewsletterDelivery.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, error=_short(failure))
                with run.lock:
                    run.failure = run.failure or failure
                run.stop.set()
                return


def finish(newsletter: Newsletter) -> bool:
    """The edition is *sent* once none of its rows is pending."""
    if NewsletterDelivery.objects.filter(newsletter=newsletter, status=DeliveryStatus.PENDING).exists():
        return False
    return bool(
        Newsletter.objects.filter(pk=newsletter.pk, status=NewsletterStatus.SENDING).update(
            status=NewsletterStatus.SENT
        )
    )


def _short(error: Exception) -> str:
    # The error's kind and SMTP code only: no address or message text in the database.
    code = getattr(error, "smtp_code", "")
    return f"{type(error).__name__} {code}".strip()[:300]


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    skipped: int
    pending: int

    @property
    def done(self) -> bool:
        return self.total > 0 and self.pending == 0


def progress(newsletter: Newsletter) -> Progress:
    """How far the edition's sending is, counted from its rows (one query)."""
    counts = dict(
        NewsletterDelivery.objects.filter(newsletter=newsletter)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    sent = counts.get(DeliveryStatus.SENT, 0)
    failed = counts.get(DeliveryStatus.FAILED, 0)
    skipped = counts.get(DeliveryStatus.SKIPPED, 0)
    pending = counts.get(DeliveryStatus.PENDING, 0)
    return Progress(total=sent + failed + skipped + pending, sent=sent, failed=failed, skipped=skipped, pending=pending)
