"""Who receives a chain's newsletter besides its members, who of the members does not, and every
mail of every edition.

- ``Subscriber``: someone outside the portal who asked for the newsletter (double opt-in). The row
  is made at sign-up, unconfirmed; only ``confirmed_at`` makes it a recipient. Unsubscribing
  deletes the row: the address is no longer kept. The links in the mails are signed with
  SECRET_KEY and carry the row's ``secret``, which a new sign-up of an unconfirmed address renews
  (governance/services/subscribers.py).
- ``NewsletterOptOut``: a member of the chain who unsubscribed. Members receive the newsletter by
  default; this row is their one-click "no more".
- ``NewsletterDelivery``: one edition to one address, the exactly-once key of sending
  (governance/services/newsletter_send.py). Unique per edition and address, whoever it is for.

Addresses are stored in the one spelling of ``normalise_email``, as people's are.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain, Person

from .newsletters import Newsletter


def new_secret() -> str:
    return secrets.token_urlsafe(16)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(confirmed_at__isnull=False)


class Subscriber(models.Model):
    chain = models.ForeignKey(
        Chain, on_delete=models.CASCADE, related_name="newsletter_subscribers", verbose_name=_("chain")
    )
    email = models.EmailField(_("e-mail address"))
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Part of every signed link to this row: renewing it voids the links mailed before.
    secret = models.CharField(max_length=32, default=new_secret, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "email"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        constraints = [
            models.UniqueConstraint(fields=["chain", "email"], name="subscriber_once_per_chain"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_id} · {self.pk}"  # no address in logs or error reports

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class NewsletterOptOut(models.Model):
    """A member who wants no more newsletters of this chain (one click in any edition)."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="newsletter_opt_outs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter opt-out")
        verbose_name_plural = _("newsletter opt-outs")
        constraints = [models.UniqueConstraint(fields=["chain", "person"], name="newsletter_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.chain_id} · {self.person_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Unsubscribed after the sending started and before their turn: not mailed.
    SKIPPED = "skipped", _("Unsubscribed meanwhile")


class NewsletterDelivery(models.Model):
    """One edition to one address. Written as *pending* when the edition's sending starts; the
    send task marks it *sent* in the same transaction that held the row while the mail went out."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    # Whom the address belongs to (one of the two), for the unsubscribe link; either may be gone later.
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=7, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The mail's Message-ID, the same on every attempt: a receiving system that sees the one
    # possible duplicate (see newsletter_send.py) can recognise it.
    message_id = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints = [models.UniqueConstraint(fields=["newsletter", "email"], name="newsletter_delivery_once")]
        indexes = [models.Index(fields=["newsletter", "status"], name="newsletter_delivery_status")]

    def __str__(self) -> str:
        return f"{self.newsletter_id} · {self.pk} · {self.status}"
