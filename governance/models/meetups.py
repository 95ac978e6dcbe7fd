"""Relationship events (ontmoetingen): informal meetings of the chain's people outside the meeting
room, a borrel or a working visit, hosted by the partners in turn.

A ``Meetup`` belongs to one chain and has a host partner (the core partners take turns:
governance/services/meetups.py), a place and a time. Every member answers whether they come
(``MeetupRsvp``: one answer per person, changed as often as they like). Afterwards the programme
manager writes a short report, optionally with a photo (resized and stripped of its metadata on
upload, governance/services/photos.py; a photo always has its alt text, the database holds that).

``Meetup.objects.upcoming(chain, after)`` is what the quarterly newsletter lists.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Chain, Partnership


class MeetupKind(models.TextChoices):
    BORREL = "borrel", _("Drinks")
    WORKING_VISIT = "working_visit", _("Working visit")


class RsvpAnswer(models.TextChoices):
    YES = "yes", _("Yes, I'm coming")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No, I can't come")


def meetup_photo_path(meetup: Meetup, filename: str) -> str:
    # The photo is always re-encoded as JPEG under a name of our own (governance/services/photos.py).
    return f"meetups/{meetup.chain_id}/{filename}"


class MeetupQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetupQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def upcoming(self, chain: Chain, after: datetime) -> MeetupQuerySet:
        """The chain's meetups that end after ``after``, soonest first (for the newsletter: ``after``
        is the moment it is drafted or sent)."""
        return (
            self.filter(chain=chain, ends_at__gt=after)
            .select_related("chain", "host__organisation")
            .order_by("starts_at", "pk")
        )

    def past(self, chain: Chain, before: datetime) -> MeetupQuerySet:
        """The chain's meetups that ended by ``before``, latest first."""
        return (
            self.filter(chain=chain, ends_at__lte=before)
            .select_related("host__organisation")
            .order_by("-starts_at", "-pk")
        )


class Meetup(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="meetups", verbose_name=_("chain"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetupKind.choices, default=MeetupKind.BORREL)
    title = models.CharField(_("title"), max_length=200)
    host = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_meetups",
        verbose_name=_("host partner"),
    )
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    description = models.TextField(_("description"), blank=True, max_length=2000)
    report = models.TextField(_("report"), blank=True, max_length=5000)
    report_photo = models.ImageField(_("photo"), upload_to=meetup_photo_path, blank=True, max_length=200)
    report_photo_alt = models.CharField(
        _("photo description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    reported_at = models.DateTimeField(_("report written at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetupQuerySet.as_manager()

    class Meta:
        verbose_name = _("meetup")
        verbose_name_plural = _("meetups")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["chain", "starts_at"], name="meetup_chain_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meetup_ends_after_start",
                violation_error_message=_("A meetup cannot end before it starts."),
            ),
            # A photo never goes without its text alternative.
            models.CheckConstraint(
                condition=Q(report_photo="") | ~Q(report_photo_alt=""),
                name="meetup_photo_has_alt",
                violation_error_message=_("Describe the photo (alt text)."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance-meetups:meetup_detail", args=[self.chain.slug, self.pk])

    def has_started(self, now: datetime) -> bool:
        """A report can be written once the meetup has begun."""
        return self.starts_at <= now

    def is_over(self, now: datetime) -> bool:
        return self.ends_at <= now


class MeetupRsvp(models.Model):
    """One person's answer to one meetup; a new answer replaces the old one."""

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meetup_rsvps")
    answer = models.CharField(_("answer"), max_length=10, choices=RsvpAnswer.choices)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer to a meetup")
        verbose_name_plural = _("answers to meetups")
        constraints = [models.UniqueConstraint(fields=["meetup", "person"], name="meetup_rsvp_once_per_person")]

    def __str__(self) -> str:
        return f"{self.meetup_id}: {self.person_id} {self.answer}"
