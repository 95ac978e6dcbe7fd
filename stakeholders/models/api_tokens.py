"""Tokens of API connections (a partner's system) and the bulk writes' idempotency keys.

Only a SHA-256 hash of a token's key is stored: the key is shown once, on creation, and a leaked
database does not leak working keys. A plain hash (not a slow password hash) is enough because the
key is 32 random bytes, and it keeps authentication to one indexed lookup.

A token is usable until it expires or is revoked. Rotating makes a new token and shortens the old
one's life to a grace period the user chooses, so the partner's system can switch without a gap.
Nothing is deleted: the connection's page shows every token it ever had (its history).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "kp_"
# last_used_at is written at most once per this many seconds per token (a cache flag, not a write per request).
LAST_USED_EVERY = 60
IDEMPOTENCY_HOURS = 24


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class TokenState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, at: datetime | None = None) -> ApiTokenQuerySet:
        at = at or timezone.now()
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        return self.filter(unexpired, revoked_at__isnull=True)


class ApiToken(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("account")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, to tell tokens apart in the history without storing the key.
    prefix = models.CharField(_("begins with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Empty only for tokens from before expiry dates existed (migrated from REST framework's tokens).
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Rotation: the token that replaced this one (several tokens in their grace period may share one).
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces", editable=False
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, person, *, expires_at: datetime | None, by=None) -> tuple[ApiToken, str]:
        """A new token and its key; the key is never stored, so the caller shows it now or never."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            person=person, key_hash=hash_key(key), prefix=key[:10], expires_at=expires_at, created_by=by
        )
        return token, key

    def state(self, at: datetime | None = None) -> TokenState:
        at = at or timezone.now()
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= at:
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def retire(self, *, grace: timedelta, successor: ApiToken) -> None:
        """Rotation: ``successor`` replaces this token, which keeps working for ``grace`` (never
        longer than it would have), so the system can switch without a gap."""
        end = timezone.now() + grace
        if self.expires_at is None or end < self.expires_at:
            self.expires_at = end
        self.replaced_by = successor
        self.save(update_fields=["expires_at", "replaced_by"])

    def revoke(self, *, by=None) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])

    def touch(self) -> None:
        """Record a use, at most once a minute: ``cache.add`` is one SET NX (Redis) that only the first
        request of the minute wins; the others skip the write."""
        if cache.add(f"api-token-used:{self.pk}", 1, LAST_USED_EVERY):
            now = timezone.now()
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class IdempotentRequest(models.Model):
    """A bulk write's ``Idempotency-Key`` per account: its body's fingerprint and the stored answer.

    The unique constraint is the lock: a concurrent duplicate's insert waits for the first request's
    transaction and then finds its answer, so two requests with one key never both write.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    # Empty while the first request runs (in the same transaction as its write, so never seen so by others).
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="idempotent_request_unique_key")]

    def __str__(self) -> str:
        return self.key

    @classmethod
    def expired(cls) -> models.QuerySet:
        return cls.objects.filter(created_at__lt=timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS))
