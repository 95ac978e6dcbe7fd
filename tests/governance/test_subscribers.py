"""Signing up for a chain's newsletter (double opt-in), confirming and unsubscribing, for
subscribers and members (governance/views/subscribers.py, governance/services/subscribers.py)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from governance import tasks_newsletter_send
from governance.models.subscribers import NewsletterOptOut, Subscriber
from governance.services import subscribers as service


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the real cache (Redis on the PostgreSQL leg): start from zero."""
    for kind, value in [("newsletter-signup-ip", "127.0.0.1")] + [
        ("newsletter-signup-address", f"{name}@example.nl") for name in ("ann", "bob", "Ann", "eve")
    ]:
        cache.delete(service.throttle_key(kind, value))
    yield


def signup_url(slug: str = "zsm") -> str:
    return reverse("mailing:subscriber_signup", args=[slug])


@pytest.fixture
def eager(monkeypatch):
    """The confirmation task runs in-process when enqueued."""
    monkeypatch.setattr(
        tasks_newsletter_send.send_subscription_confirmation,
        "delay_on_commit",
        lambda *args: tasks_newsletter_send.send_subscription_confirmation(*args),
    )


def confirm_link(message) -> str:
    """The confirmation link's path (the mail's link starts with the portal's address)."""
    return urlsplit(next(line for line in message.body.splitlines() if "/bevestigen/" in line).strip()).path


def test_it_signs_up_with_a_confirmation_mail_and_confirms_by_post(client, world, mailoutbox, eager):
    response = client.post(signup_url(), {"email": " Ann@Example.nl "})
    assert response.status_code == 302
    assert response["Location"] == reverse("mailing:subscriber_signup_sent", args=["zsm"])
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ann@example.nl" and subscriber.confirmed_at is None
    (message,) = mailoutbox
    assert message.to == ["ann@example.nl"] and "ZSM" in message.subject
    path = confirm_link(message)

    # Opening the link (as a mail scanner does) confirms nothing; the button does.
    page = client.get(path)
    assert page.status_code == 200 and b"<form" in page.content
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert client.post(path).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.is_confirmed
    assert b'id="confirmed"' in client.get(path).content


def test_it_refuses_an_invalid_address_at_the_field_and_saves_nothing(client, world, mailoutbox, eager):
    response = client.post(signup_url(), {"email": "not-an-address"})
    assert response.status_code == 422
    assert response.context["form"].errors["email"]
    assert not Subscriber.objects.exists() and mailoutbox == []


def test_a_second_signup_makes_no_duplicate_and_answers_the_same(client, world, mailoutbox, eager):
    first = client.post(signup_url(), {"email": "ann@example.nl"})
    second = client.post(signup_url(), {"email": "ANN@example.nl"})
    unknown = client.post(signup_url(), {"email": "bob@example.nl"})
    assert first["Location"] == second["Location"] == unknown["Location"]
    assert Subscriber.objects.filter(email="ann@example.nl").count() == 1
    # The second mail's link replaces the first's: only the newest works.
    old, new = (confirm_link(m) for m in mailoutbox if m.to == ["ann@example.nl"])
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200

    # Once confirmed, signing up again mails nothing, and the page says the same as for anyone.
    Subscriber.objects.filter(email="ann@example.nl").update(confirmed_at=timezone.now())
    before = len(mailoutbox)
    again = client.post(signup_url(), {"email": "ann@example.nl"})
    assert again["Location"] == unknown["Location"] and len(mailoutbox) == before
    sent_page = client.get(again["Location"])
    assert b"ann@example.nl" not in sent_page.content


def test_it_throttles_signups_per_address_without_saying_so(client, world, mailoutbox, eager):
    answers = {client.post(signup_url(), {"email": "eve@example.nl"})["Location"] for _ in range(5)}
    assert len(answers) == 1
    assert len(mailoutbox) == service.SIGNUPS_PER_ADDRESS


def test_an_unconfirmed_signup_expires(client, world, mailoutbox, eager):
    Subscriber.objects.create(chain=world.chain, email="old@example.nl")
    Subscriber.objects.update(created_at=timezone.now() - timedelta(days=service.CONFIRM_DAYS + 1))
    client.post(signup_url(), {"email": "bob@example.nl"})
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["bob@example.nl"]


def test_a_confirm_link_of_another_chain_or_forged_is_not_found(client, world):
    subscriber = Subscriber.objects.create(chain=world.chain, email="ann@example.nl")
    token = service.confirm_token(subscriber)
    assert client.get(reverse("mailing:subscriber_confirm", args=["jeugd", token])).status_code == 404
    assert client.get(reverse("mailing:subscriber_confirm", args=["zsm", token + "x"])).status_code == 404
    assert client.post(reverse("mailing:subscriber_confirm", args=["zsm", "forged"])).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_a_subscriber_unsubscribes_in_one_click_and_the_address_is_deleted(client, world):
    subscriber = Subscriber.objects.create(chain=world.chain, email="ann@example.nl", confirmed_at=timezone.now())
    url = reverse("mailing:unsubscribe", args=["zsm", service.subscriber_unsubscribe_token(subscriber)])
    assert client.get(url).status_code == 200
    assert Subscriber.objects.exists()  # opening the link changes nothing
    # RFC 8058: the mail client's POST, without cookie or CSRF token, answered directly.
    strict = client.__class__(enforce_csrf_checks=True)
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b'id="unsubscribed"' in response.content
    assert not Subscriber.objects.exists()
    assert strict.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # again: no error


def test_a_member_opts_out_and_back_in(client, world):
    url = reverse("mailing:unsubscribe", args=["zsm", service.member_unsubscribe_token(world.chain, world.lead_a)])
    assert client.post(url).status_code == 302
    assert NewsletterOptOut.objects.filter(chain=world.chain, person=world.lead_a).exists()
    assert b'id="unsubscribed"' in client.get(url).content
    assert client.post(url, {"action": "resubscribe"}).status_code == 302
    assert not NewsletterOptOut.objects.exists()


def test_a_member_link_of_another_chain_is_not_found(client, world):
    token = service.member_unsubscribe_token(world.other_chain, world.outsider)
    assert client.post(reverse("mailing:unsubscribe", args=["zsm", token])).status_code == 404
    assert not NewsletterOptOut.objects.exists()
