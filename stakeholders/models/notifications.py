from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ketenportaal.revisions import RevisionTokens

from .chains import Chain
from .people import Person

# A token per person that every write changing what their unread count says renews, so the count
# in every page's header can be kept (stakeholders/context_processors.py) instead of counted per page.
UNREAD_TOKENS = RevisionTokens("unread-notifications")


class NotificationQuerySet(models.QuerySet):
    """Every bulk write of notifications goes through here, and renews the tokens of the people it
    touches (single saves and deletes: the signals below)."""

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        UNREAD_TOKENS.bump(notification.person_id for notification in objs)
        return created

    def update(self, **kwargs) -> int:
        if not {"read_at", "person", "person_id"} & kwargs.keys():
            return super().update(**kwargs)  # what was mailed when: no count changes
        people = set(self.values_list("person_id", flat=True))
        updated = super().update(**kwargs)
        UNREAD_TOKENS.bump(people)
        return updated


class Notification(models.Model):
    """Something that waits for a person, shown in the portal (and mailed, see stakeholders/mail.py).

    ``key`` makes creating a notification idempotent: a retried task or a repeated
    action never notifies the same person twice about the same thing.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(_("message"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when a digest e-mail included it, so the next digest leaves it out (stakeholders/digest.py).
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="notification_once_per_key")]
        # The list page and the digest read one person's newest notifications.
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_person_newest"),
            # The digest looks for unread notifications no digest has mailed yet: few at any time.
            models.Index(
                fields=["person"],
                name="notification_to_mail",
                condition=models.Q(read_at__isnull=True, mailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, to be retried")


class DigestRun(models.Model):
    """One person's daily digest e-mail: the row for (person, day) is the idempotency key.

    The digest task claims the row before it mails (insert, or take over a failed one with a
    conditional UPDATE), and marks it sent afterwards; a failed send marks it failed, so a later
    run retries. The notifications a sent digest included get ``mailed_at``; ``until`` records when.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="digest_runs")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=DigestStatus, default=DigestStatus.CLAIMED)
    claimed_at = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    notification_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("digest e-mail")
        verbose_name_plural = _("digest e-mails")
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="digest_once_per_person_per_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day} {self.status}"


@receiver([post_save, post_delete], sender=Notification, dispatch_uid="notification_unread_tokens")
def _renew_unread_token(sender, instance: Notification, **kwargs) -> None:
    UNREAD_TOKENS.bump([instance.person_id])


@receiver(post_save, sender=Person, dispatch_uid="person_unread_token")
def _start_unread_token(sender, instance: Person, created: bool, **kwargs) -> None:
    """A new person starts with a token of their own: where ids come back (SQLite, a recreated
    database), a count kept for an earlier person with the same id must not be theirs."""
    if created:
        UNREAD_TOKENS.bump([instance.pk])
