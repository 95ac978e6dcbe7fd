"""Sending an edition: to whom, exactly once, with the unsubscribe link and headers, the
programme manager's confirm step and progress (governance/services/newsletter_send.py,
governance/views/newsletter_send.py). With a real worker killed mid-send and a real SMTP server:
tests/integration/test_newsletter_send_reliability.py."""

from __future__ import annotations

import email.policy
import smtplib
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.models.newsletters import Newsletter, NewsletterStatus
from governance.models.subscribers import DeliveryStatus, NewsletterDelivery, NewsletterOptOut, Subscriber
from governance.services import newsletter_render
from governance.services import newsletter_send as sending
from tests.conftest import enqueued


@pytest.fixture
def rendered(monkeypatch):
    """The edition's body as H2's renderer gives it, reduced to what sending relies on: the
    unsubscribe address wherever the renderer puts it (tests/governance/test_newsletter_render*
    test the real one)."""

    def render_edition(newsletter, unsubscribe_url):
        return (
            f"Nieuwsbrief {newsletter.quarter_label}",
            f"Tekst\nAfmelden: {unsubscribe_url}\n",
            f'<html><body><p>HTML</p><a href="{unsubscribe_url}">Afmelden</a></body></html>',
        )

    monkeypatch.setattr(newsletter_render, "render_edition", render_edition)


@pytest.fixture
def edition(world) -> Newsletter:
    return Newsletter.objects.create(chain=world.chain, quarter=date(2026, 7, 1))


def confirmed(chain, address: str) -> Subscriber:
    return Subscriber.objects.create(chain=chain, email=address, confirmed_at=timezone.now())


def members_of(world) -> set[str]:
    return {p.email for p in (world.viewer, world.contributor_a, world.lead_a, world.lead_b, world.manager)}


def test_it_goes_to_members_and_confirmed_subscribers_each_address_once(world, edition):
    confirmed(world.chain, "reader@example.nl")
    confirmed(world.chain, world.lead_a.email)  # a member who also subscribed: one mail
    Subscriber.objects.create(chain=world.chain, email="unconfirmed@example.nl")
    confirmed(world.other_chain, "elsewhere@example.nl")
    NewsletterOptOut.objects.create(chain=world.chain, person=world.viewer)

    found = {r.email: r for r in sending.recipients(edition)}
    assert set(found) == (members_of(world) - {world.viewer.email}) | {"reader@example.nl"}
    assert found[world.lead_a.email].person_id == world.lead_a.pk


def test_it_starts_once_and_refuses_a_second_send(world, edition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sending.start(edition) == len(members_of(world))
    assert len(enqueued(callbacks)) == 1
    assert sending.start(edition) is None
    edition.refresh_from_db()
    assert edition.status == NewsletterStatus.SENDING
    assert NewsletterDelivery.objects.filter(newsletter=edition, status=DeliveryStatus.PENDING).count() == 5
    assert len(set(NewsletterDelivery.objects.values_list("message_id", flat=True))) == 5


def test_every_mail_carries_its_own_unsubscribe_link_and_the_rfc_8058_headers(
    world, edition, rendered, mailoutbox, client
):
    reader = confirmed(world.chain, "reader@example.nl")
    assert sending.render(edition).wire is not None  # the mails are made from one serialised template
    sending.start(edition)
    counts = sending.send_pending(edition.pk)
    assert counts.sent == 6 and len(mailoutbox) == 6
    edition.refresh_from_db()
    assert edition.status == NewsletterStatus.SENT

    links = set()
    for message in mailoutbox:
        row = NewsletterDelivery.objects.get(newsletter=edition, email=message.to[0])
        assert row.status == DeliveryStatus.SENT and row.sent_at
        headers = message.message()
        assert headers["Message-ID"] == row.message_id
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = headers["List-Unsubscribe"].strip("<>")
        # As it goes over the wire: one plain <URL>, not folded into RFC 2047 encoded words.
        assert f"List-Unsubscribe: <{link}>\r\n".encode() in message.message(policy=email.policy.SMTP).as_bytes()
        assert link in message.body and link in message.alternatives[0].content
        links.add(link)
    assert len(links) == 6

    # The subscriber's link unsubscribes in one click; running the task again mails nobody.
    message = next(m for m in mailoutbox if m.to == [reader.email])
    assert client.post(urlsplit(message.message()["List-Unsubscribe"].strip("<>")).path).status_code == 302
    assert not Subscriber.objects.filter(pk=reader.pk).exists()
    assert sending.send_pending(edition.pk).sent == 0 and len(mailoutbox) == 6


def test_a_rendering_without_the_link_gets_it_appended(world, edition, monkeypatch, mailoutbox):
    monkeypatch.setattr(newsletter_render, "render_edition", lambda n, url: ("S", "tekst", "<p>html</p>"))
    sending.start(edition)
    sending.send_pending(edition.pk)
    for message in mailoutbox:
        link = message.message()["List-Unsubscribe"].strip("<>")
        assert link in message.body and link in message.alternatives[0].content


def test_a_refused_address_fails_and_a_server_down_leaves_the_rest_waiting(world, edition, rendered, monkeypatch):
    sending.start(edition)
    backend = type(mail.mailers.default)
    calls = []

    def refuse_one_then_go_down(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 1:
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such user")})
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(backend, "send_messages", refuse_one_then_go_down)
    with pytest.raises(sending.MailServerDown):
        sending.send_pending(edition.pk)
    progress = sending.progress(edition)
    assert (progress.failed, progress.sent, progress.pending) == (1, 0, 4)
    waiting = NewsletterDelivery.objects.get(email=calls[1])
    assert waiting.status == DeliveryStatus.PENDING and waiting.attempts == 1
    assert "SMTPServerDisconnected" in waiting.error
    edition.refresh_from_db()
    assert edition.status == NewsletterStatus.SENDING  # not finished: the task retries

    monkeypatch.undo()
    monkeypatch.setattr(backend, "send_messages", lambda self, messages: len(messages))
    assert sending.send_pending(edition.pk).sent == 4
    edition.refresh_from_db()
    assert edition.status == NewsletterStatus.SENT


def test_someone_who_unsubscribes_while_it_goes_out_is_skipped(world, edition, rendered, mailoutbox):
    reader = confirmed(world.chain, "reader@example.nl")
    sending.start(edition)
    reader.delete()
    sending.send_pending(edition.pk)
    assert "reader@example.nl" not in {m.to[0] for m in mailoutbox}
    assert sending.progress(edition).skipped == 1


# --- The programme manager's page ---------------------------------------------------------


def send_url(edition: Newsletter) -> str:
    return reverse("mailing:newsletter_send", args=["zsm", edition.pk])


def test_the_confirm_step_counts_the_recipients_and_sends_once(
    world, edition, client_for, django_capture_on_commit_callbacks
):
    confirmed(world.chain, "reader@example.nl")
    client = client_for(world.manager)
    page = client.get(send_url(edition))
    assert page.status_code == 200
    assert page.context["members"] == 5 and page.context["subscribers"] == 1

    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(send_url(edition), {"version": edition.version}).status_code == 302
        again = client.post(send_url(edition), {"version": edition.version})
    assert again.status_code == 409 and b'id="send-refused"' in again.content
    assert NewsletterDelivery.objects.filter(newsletter=edition).count() == 6


def test_a_stale_confirm_page_sends_nothing(world, edition, client_for):
    client = client_for(world.manager)
    Newsletter.objects.filter(pk=edition.pk).update(introduction="Nieuw", version=edition.version + 1)
    response = client.post(send_url(edition), {"version": edition.version})
    assert response.status_code == 409
    edition.refresh_from_db()
    assert edition.status == NewsletterStatus.DRAFT and not NewsletterDelivery.objects.exists()


def test_the_progress_counts_what_the_rows_say(world, edition, client_for, max_page_queries, rendered):
    sending.start(edition)
    NewsletterDelivery.objects.filter(pk=NewsletterDelivery.objects.order_by("pk")[0].pk).update(
        status=DeliveryStatus.SENT
    )
    client = client_for(world.manager)
    # The chain layout (person, device, chain, roles, notifications, a savepoint pair) plus the
    # edition and one count of its rows by status; SQLite may count one more.
    with max_page_queries(10):
        page = client.get(send_url(edition))
    progress = page.context["progress"]
    assert (progress.sent, progress.pending, progress.total) == (1, 4, 5)
    assert b"hx-trigger" in page.content  # refreshes itself while rows wait
    sending.send_pending(edition.pk)
    done = client.get(send_url(edition))
    assert b"hx-trigger" not in done.content and done.context["progress"].done


def test_only_the_programme_manager_sends(world, edition, client_for):
    for person in (world.lead_a, world.viewer):
        assert client_for(person).post(send_url(edition), {"version": edition.version}).status_code == 403
    assert Newsletter.objects.get(pk=edition.pk).status == NewsletterStatus.DRAFT


def test_a_body_the_policy_must_encode_is_built_per_mail_and_still_carries_the_link(
    world, edition, monkeypatch, mailoutbox
):
    long_line = "x" * 1200  # over SMTP's 998: quoted-printable, so the marks would not survive verbatim
    monkeypatch.setattr(
        newsletter_render,
        "render_edition",
        lambda n, url: ("S", f"{long_line} {url}\n", f'<p>{long_line} <a href="{url}">af</a></p>'),
    )
    assert sending.render(edition).wire is None
    sending.start(edition)
    sending.send_pending(edition.pk)
    for message in mailoutbox:
        link = message.message()["List-Unsubscribe"].strip("<>")
        assert link in message.body and link in message.alternatives[0].content
