from django.db import models
from django.utils.translation import gettext_lazy as _

from .chains import Chain
from .people import Person


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


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

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="notification_once_per_key")]

    def __str__(self) -> str:
        return self.text
