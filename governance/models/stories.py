"""Success stories (succesverhalen): what went well, told by a member, published when every
partner involved has agreed.

A ``Story`` is written by any member of the chain (title, Markdown body rendered safely by
``ketenportaal.markdown``, an optional photo with required alt text) and names the partners
involved. Each involved partner's lead approves with one click (a ``StoryApproval`` row per
partner); when every involved partner has approved, the story is published to the chain
(``published_at`` set, status ``published``). When the story's content changes after approvals,
the approvals are reset and a published story goes back to awaiting approval: partners agreed to
a text, not to whatever it becomes (governance/services/stories.py).

``Story.objects.published()`` is what the newsletter (issue 14 point 2) and the public page
(point 4) read: ``Story.objects.published().filter(chain=…, published_at__range=…)``.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from stakeholders.models import Chain, Partnership, Person

from .decisions import Decision


class StoryStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting approval")
    PUBLISHED = "published", _("Published")


class StoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> StoryQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))

    def published(self) -> StoryQuerySet:
        return self.filter(published_at__isnull=False)

    def awaiting(self) -> StoryQuerySet:
        return self.filter(published_at__isnull=True)


def story_photo_path(story: Story, filename: str) -> str:
    # The photo is always re-encoded as JPEG (governance/forms/stories.py); the name is not the uploader's.
    return f"stories/{story.chain_id}/{filename}"


class Story(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="stories", verbose_name=_("chain"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("story"), help_text=_("Markdown: *italic*, **bold**, lists and links."))
    photo = models.ImageField(_("photo"), upload_to=story_photo_path, blank=True, max_length=200)
    photo_alt = models.CharField(
        _("photo description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    partners = models.ManyToManyField(
        Partnership, related_name="stories", verbose_name=_("partners involved"), blank=False
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="stories", verbose_name=_("linked indicators"), blank=True
    )
    decisions = models.ManyToManyField(Decision, related_name="stories", verbose_name=_("linked decisions"), blank=True)
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("written at"), db_default=Now(), editable=False)
    updated_at = models.DateTimeField(_("changed at"), db_default=Now(), editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=StoryStatus, default=StoryStatus.AWAITING, editable=False
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = [models.F("published_at").desc(nulls_first=True), "-created_at", "-pk"]
        verbose_name = _("success story")
        verbose_name_plural = _("success stories")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(photo="") | ~models.Q(photo_alt=""),
                name="story_photo_has_alt",
                violation_error_message=_("Describe the photo (alt text)."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="published", published_at__isnull=False)
                | models.Q(status="awaiting", published_at__isnull=True),
                name="story_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["chain", "published_at"], name="story_chain_published")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance-stories:story_detail", args=[self.chain.slug, self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class StoryApproval(models.Model):
    """One involved partner's consent to publish the story as it reads now."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("story"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="story_approvals", verbose_name=_("partner")
    )
    approved_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), db_default=Now(), editable=False)

    class Meta:
        ordering = ["approved_at", "pk"]
        verbose_name = _("story approval")
        verbose_name_plural = _("story approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["story", "partnership"],
                name="story_approval_once_per_partner",
                violation_error_message=_("This partner has already approved the story."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} → {self.story}"
