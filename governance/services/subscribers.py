"""Signing up for a chain's newsletter (double opt-in) and unsubscribing from it, members included.

Sign-up (``sign_up``) answers the same whatever it finds, so that the page never tells whether an
address is subscribed: a new address gets an unconfirmed row and a confirmation mail; a known but
unconfirmed one gets a new confirmation mail (its secret renewed, so only the newest link works);
a confirmed one gets nothing; an address or IP over the throttle gets nothing either. The mail
goes out through a task after the commit, so the answer also takes as long either way.

Links are signed with SECRET_KEY (django.core.signing), each with a salt of its own:

- the confirmation link carries the subscriber's id and secret and lasts ``CONFIRM_DAYS``;
- the unsubscribe link of a subscriber carries its id and secret, of a member the chain and
  person; neither expires, for a newsletter read months later must still unsubscribe in one click.

Unsubscribing deletes a subscriber's row and records a member's opt-out. Both are idempotent: a
second click (or a mail client's RFC 8058 one-click POST after the person clicked) changes nothing.
Unconfirmed rows older than ``CONFIRM_DAYS`` are deleted at the next sign-up of the chain.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from stakeholders.mail import absolute_url
from stakeholders.models import Chain, Person
from stakeholders.models.people import normalise_email

from ..models.subscribers import NewsletterOptOut, Subscriber, new_secret

logger = logging.getLogger(__name__)

CONFIRM_DAYS = 7
CONFIRM_SALT = "governance.newsletter.confirm"
UNSUBSCRIBE_SALT = "governance.newsletter.unsubscribe"
# Sign-ups per hour: from one IP (an office behind one address signs up a few colleagues) and
# for one address (a confirmation mail is resent at most this often).
SIGNUPS_PER_IP = 20
SIGNUPS_PER_ADDRESS = 3
WINDOW_SECONDS = 60 * 60


# --- Tokens ----------------------------------------------------------------------------------


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.secret], salt=CONFIRM_SALT)


def subscriber_from_confirm_token(chain: Chain, token: str) -> Subscriber | None:
    """The subscriber a valid, unexpired confirmation link of this chain names, else None."""
    try:
        pk, secret = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=CONFIRM_DAYS))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscriber.objects.filter(chain=chain, pk=pk, secret=secret).first()


def subscriber_unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps(["s", subscriber.pk, subscriber.secret], salt=UNSUBSCRIBE_SALT)


def member_unsubscribe_token(chain: Chain, person: Person) -> str:
    return signing.dumps(["m", chain.pk, person.pk], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(chain: Chain, token: str) -> str:
    return absolute_url(reverse("mailing:unsubscribe", args=[chain.slug, token]))


@dataclass(frozen=True)
class Unsubscriber:
    """Whom a valid unsubscribe link names: a subscriber row (which may be gone already) or a member."""

    chain: Chain
    subscriber_id: int | None = None
    secret: str = ""
    person_id: int | None = None

    @property
    def is_member(self) -> bool:
        return self.person_id is not None

    def is_subscribed(self) -> bool:
        if self.is_member:
            return not NewsletterOptOut.objects.filter(chain=self.chain, person_id=self.person_id).exists()
        return Subscriber.objects.filter(pk=self.subscriber_id, chain=self.chain, secret=self.secret).exists()

    def unsubscribe(self) -> None:
        """No more newsletters; a second call changes nothing."""
        if self.is_member:
            NewsletterOptOut.objects.get_or_create(chain=self.chain, person_id=self.person_id)
        else:
            Subscriber.objects.filter(pk=self.subscriber_id, chain=self.chain, secret=self.secret).delete()
        logger.info("newsletter of chain %d: one recipient unsubscribed", self.chain.pk)

    def resubscribe(self) -> None:
        """A member who clicked by mistake takes it back (a subscriber signs up again instead)."""
        if self.is_member:
            NewsletterOptOut.objects.filter(chain=self.chain, person_id=self.person_id).delete()


def unsubscriber_from_token(chain: Chain, token: str) -> Unsubscriber | None:
    """Whom a valid unsubscribe link of this chain names, else None (a forged or foreign link)."""
    try:
        kind, *rest = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        if kind == "s":
            pk, secret = rest
            return Unsubscriber(chain=chain, subscriber_id=int(pk), secret=str(secret))
        if kind == "m":
            chain_id, person_id = rest
            if chain_id == chain.pk:
                return Unsubscriber(chain=chain, person_id=int(person_id))
    except (signing.BadSignature, ValueError, TypeError):
        pass
    return None


# --- Sign-up ---------------------------------------------------------------------------------


def throttle_key(kind: str, value: str) -> str:
    """This hour's counter for ``value`` (hashed: no addresses as keys in the cache)."""
    window = int(time.time() // WINDOW_SECONDS)
    return f"throttle:{kind}:{window}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _count(kind: str, value: str) -> int:
    """Add one to this hour's counter for ``value`` and return the new count."""
    key = throttle_key(kind, value)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def _client_ip(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address  # the same reading of the client's IP as sign-in

    return get_client_ip_address(request) or "unknown"


def allow_signup(request: HttpRequest, email: str) -> bool:
    """Whether a confirmation mail may go out now; every request counts, known address or not."""
    per_ip = _count("newsletter-signup-ip", _client_ip(request))
    per_address = _count("newsletter-signup-address", email)
    allowed = per_ip <= SIGNUPS_PER_IP and per_address <= SIGNUPS_PER_ADDRESS
    if not allowed:
        logger.warning(
            "newsletter sign-up throttled (this hour: %s from this IP, %s for this address)", per_ip, per_address
        )
    return allowed


def sign_up(chain: Chain, email: str, request: HttpRequest) -> None:
    """Start the double opt-in for ``email`` (see the module's docstring); returns nothing, so that
    no caller can tell the cases apart."""
    from ..tasks_newsletter_send import send_subscription_confirmation

    email = normalise_email(email)
    Subscriber.objects.filter(
        chain=chain, confirmed_at__isnull=True, created_at__lt=timezone.now() - timedelta(days=CONFIRM_DAYS)
    ).delete()
    if not allow_signup(request, email):
        return
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(chain=chain, email=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(chain=chain, email=email)
            except IntegrityError:
                return  # signed up a moment ago by a concurrent request, which mails
        elif subscriber.is_confirmed:
            return
        else:
            subscriber.secret = new_secret()  # the earlier link stops working
            subscriber.save(update_fields=["secret"])
        send_subscription_confirmation.delay_on_commit(subscriber.pk, subscriber.secret)


def send_confirmation(subscriber_id: int, secret: str) -> bool:
    """Mail the confirmation link (the task's body); False when the row is gone or renewed since."""
    from stakeholders.mail import send_templated_mail

    subscriber = Subscriber.objects.select_related("chain").filter(pk=subscriber_id, secret=secret).first()
    if subscriber is None or subscriber.is_confirmed:
        return False
    chain = subscriber.chain
    link = absolute_url(reverse("mailing:subscriber_confirm", args=[chain.slug, confirm_token(subscriber)]))
    send_templated_mail(
        "emails/newsletter_confirm",
        [subscriber.email],
        {"chain": chain, "link": link, "valid_days": CONFIRM_DAYS},
    )
    return True


def confirm(subscriber: Subscriber) -> None:
    """Make the sign-up count; confirming twice keeps the first time."""
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
