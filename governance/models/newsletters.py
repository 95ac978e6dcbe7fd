"""The chain's quarterly newsletter (nieuwsbrief): one edition per chain and quarter.

A scheduled task drafts the edition after each quarter (governance/services/newsletters.py): its
``NewsletterItem`` rows are *copies* of what happened that quarter (a published story, an indicator
that improved, a milestone reached, a decision taken, an agreement signed, a new partner, an event
coming up), so the edition reads the same later even when the source changes or is removed. The
programme manager writes the introduction, reorders items and drops or restores them while the
edition is a draft; sending it (H3, governance/services/newsletter_send.py) makes it ``sent`` and
freezes it. Every edition has a login-free web page at ``/nieuwsbrief/<public_token>/``: the token
is a random UUID, so the address cannot be guessed from the chain or the quarter.

Texts are stored as plain text and always escaped when shown (web page, PDF, e-mail), never as HTML.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain

INTRODUCTION_MAX = 4000


class NewsletterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Sending has started (H3's send task): no more edits, deliveries still going out.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class ItemKind(models.TextChoices):
    STORY = "story", _("Success story")
    INDICATOR = "indicator", _("Indicator improved")
    MILESTONE = "milestone", _("Milestone reached")
    DECISION = "decision", _("Decision taken")
    AGREEMENT = "agreement", _("Agreement signed")
    PARTNER = "partner", _("New partner")
    EVENT = "event", _("Coming up")


def quarter_start(day: date) -> date:
    """The first day of the quarter ``day`` falls in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: date) -> date:
    """The last day of the quarter that starts on ``start``."""
    if start.month == 10:
        return date(start.year, 12, 31)
    return date(start.year, start.month + 3, 1) - timedelta(days=1)


def previous_quarter(day: date) -> date:
    """The first day of the quarter before the one ``day`` falls in."""
    start = quarter_start(day)
    return date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)


class NewsletterQuerySet(models.QuerySet):
    def visible_to(self, user) -> NewsletterQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def sent(self) -> NewsletterQuerySet:
        return self.filter(status=NewsletterStatus.SENT)

    def drafts(self) -> NewsletterQuerySet:
        return self.filter(status=NewsletterStatus.DRAFT)


class Newsletter(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="newsletters", verbose_name=_("chain"))
    # The quarter's first day (1 January, 1 April, 1 July or 1 October).
    quarter = models.DateField(_("quarter"))
    status = models.CharField(
        _("status"), max_length=7, choices=NewsletterStatus, default=NewsletterStatus.DRAFT, editable=False
    )
    introduction = models.TextField(_("introduction"), blank=True, max_length=INTRODUCTION_MAX)
    public_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    drafted_at = models.DateTimeField(_("drafted at"), db_default=Now(), editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    # Raised by every edit of the introduction or the items: a stale edit page is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter", "pk"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "quarter"],
                name="newsletter_once_per_quarter",
                violation_error_message=_("The chain already has a newsletter for this quarter."),
            ),
        ]
        indexes = [models.Index(fields=["chain", "status", "-quarter"], name="newsletter_archive")]

    def __str__(self) -> str:
        return gettext("Newsletter %(chain)s %(quarter)s") % {"chain": self.chain, "quarter": self.quarter_label}

    def get_absolute_url(self) -> str:
        """The edition's own web page (found once it is sent)."""
        return self.get_public_url()

    def clean(self) -> None:
        if self.quarter and self.quarter != quarter_start(self.quarter):
            raise ValidationError({"quarter": _("A quarter starts on 1 January, 1 April, 1 July or 1 October.")})

    @property
    def quarter_label(self) -> str:
        """ "Q3 2026" (the same in Dutch: K3 would be unusual in print)."""
        return f"Q{(self.quarter.month - 1) // 3 + 1} {self.quarter.year}" if self.quarter else ""

    @property
    def quarter_last_day(self) -> date:
        return quarter_end(self.quarter)

    @property
    def is_draft(self) -> bool:
        return self.status == NewsletterStatus.DRAFT

    def get_public_url(self) -> str:
        return reverse("governance-newsletters-public:newsletter_public", args=[self.public_token])

    def get_pdf_url(self) -> str:
        return reverse("governance-newsletters-public:newsletter_public_pdf", args=[self.public_token])


class NewsletterItemQuerySet(models.QuerySet):
    def included(self) -> NewsletterItemQuerySet:
        return self.filter(included=True)


class NewsletterItem(models.Model):
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="items", verbose_name=_("newsletter")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind)
    position = models.PositiveSmallIntegerField(_("position"))
    included = models.BooleanField(_("included"), default=True)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True, max_length=2000)
    # A path in the portal (members only) or empty; never shown as HTML.
    link = models.CharField(_("link"), max_length=500, blank=True)

    objects = NewsletterItemQuerySet.as_manager()

    class Meta:
        ordering = ["newsletter", "position", "pk"]
        verbose_name = _("newsletter item")
        verbose_name_plural = _("newsletter items")

    def __str__(self) -> str:
        return self.title
