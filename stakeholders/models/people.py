import hashlib
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chains import Chain, Partnership
from .organisations import Organisation


class Role(models.TextChoices):
    """What a person may do in one chain (see stakeholders/permissions.py)."""

    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    PARTNER_LEAD = "partner_lead", _("Partner lead")
    CONTRIBUTOR = "contributor", _("Contributor")
    STEERING_MEMBER = "steering_member", _("Steering group member")
    VIEWER = "viewer", _("Viewer")

    @classmethod
    def partner_roles(cls) -> set[str]:
        """Roles that act for the person's own organisation, which must be a partner."""
        return {cls.PARTNER_LEAD, cls.CONTRIBUTOR}


class MailPreference(models.TextChoices):
    """How a person hears about notifications besides the portal's list."""

    DIGEST = "digest", _("A daily digest e-mail")
    NONE = "none", _("No e-mail (only in the portal)")


def normalise_email(address: str | None) -> str:
    """The one spelling of an e-mail address: what is stored, looked up and throttled on.

    Sign-in ignores letter case, so everything that counts or compares addresses (the unique
    constraint, django-axes' lockout, the password-reset throttle, invitations) must see the same
    text, or "Alice@x.nl" and "alice@x.nl" would be two people to one and the same to another.
    """
    return unicodedata.normalize("NFKC", address or "").strip().lower()


class PersonQuerySet(models.QuerySet):
    def humans(self) -> "PersonQuerySet":
        """People, not system accounts (API connections): who is listed, reminded and mailed."""
        return self.filter(is_system=False)

    def system_accounts(self) -> "PersonQuerySet":
        return self.filter(is_system=True)


class PersonManager(BaseUserManager.from_queryset(PersonQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return normalise_email(email)

    def create_user(self, email: str, password: str | None = None, **extra) -> "Person":
        if not email:
            raise ValueError("A person needs an e-mail address")
        person = self.model(email=self.normalize_email(email), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "Person":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> "Person":
        return self.get(email=normalise_email(username))


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Belongs to one organisation, holds roles in several chains."""

    email = models.EmailField(
        _("e-mail address"),
        unique=True,
        error_messages={"unique": _("Someone with this e-mail address already has an account.")},
    )
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform administrator"), default=False, help_text=_("May use the administration site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    mail_preference = models.CharField(
        _("e-mail about notifications"), max_length=10, choices=MailPreference, default=MailPreference.DIGEST
    )
    # A partner's system that uses the API (stakeholders/views/api_tokens.py), not a person: it has
    # no mailbox and no usable password, so it is never listed, reminded or mailed as one.
    is_system = models.BooleanField(
        _("system account"), default=False, editable=False, help_text=_("An API connection, not a person.")
    )

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="person_email_unique_ci")]

    def __str__(self) -> str:
        return self.full_name or self.email

    @classmethod
    def normalize_username(cls, username: str) -> str:
        # AbstractBaseUser.clean() calls this, so every form and the admin store one spelling.
        return normalise_email(username)

    def save(self, *args, **kwargs) -> None:
        # Also for code that builds a Person without a form (API connections, invitations, demo).
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_constraints(self):
        # The address is lower-case by the time validate_unique() runs (clean() normalises it), so
        # the field's own unique check is the case-insensitive one, and it names the field. The
        # constraint on lower(email) stays as the database's backstop; validating it here too would
        # only add an anonymous copy of that message to the form's general errors.
        return [
            (model, [c for c in constraints if c.name != "person_email_unique_ci"])
            for model, constraints in super().get_constraints()
        ]

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.is_superuser or self.is_staff)


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MembershipQuerySet":
        from .chains import Chain  # chains.py imports this module

        return self.filter(chain__in=Chain.objects.visible_to(user))

    def of_humans(self) -> "MembershipQuerySet":
        """Roles held by people, not by system accounts (PersonQuerySet.humans)."""
        return self.filter(person__is_system=False)


class Membership(models.Model):
    """A person's role in one chain."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person"))
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("chain"))
    role = models.CharField(_("role"), max_length=30, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "person__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "chain"],
                name="membership_one_role_per_chain",
                violation_error_message=_("This person already has a role in this chain."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} ({self.chain})"

    def clean(self) -> None:
        super().clean()
        validate_partner_role(self.chain, self.role, self.person.organisation if self.person_id else None)


def validate_partner_role(chain: Chain, role: str, organisation: Organisation | None, field: str = "role") -> None:
    """Partner leads and contributors act for their organisation, so it must be a partner."""
    if role not in Role.partner_roles():
        return
    if organisation is None:
        raise ValidationError({field: _("This role acts for an organisation: choose the organisation.")})
    if not Partnership.objects.filter(chain=chain, organisation=organisation).exists():
        raise ValidationError({field: _("%(org)s is not a partner in this chain.") % {"org": organisation}})


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(status=InvitationStatus.PENDING, expires_at__gt=timezone.now())

    def overdue(self) -> "InvitationQuerySet":
        """Still marked pending, but past their expiry moment."""
        return self.filter(status=InvitationStatus.PENDING, expires_at__lte=timezone.now())

    def visible_to(self, user) -> "InvitationQuerySet":
        from .chains import Chain  # chains.py imports this module

        return self.filter(chain__in=Chain.objects.visible_to(user))


class InvitationError(ValidationError):
    pass


class Invitation(models.Model):
    """A single-use, expiring invitation into a chain with a role.

    Only a hash of the token is stored, so a database leak does not leak usable links.
    """

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("chain"))
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organisation")
    )
    invited_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus, default=InvitationStatus.PENDING)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.chain}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, chain: Chain, email: str, role: str, by: Person, organisation=None, full_name: str = ""
    ) -> tuple["Invitation", str]:
        """Create an invitation; returns it with the raw token for the link (shown only once)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            chain=chain,
            email=normalise_email(email),
            full_name=full_name,
            role=role,
            organisation=organisation,
            invited_by=by,
            token_hash=cls.hash_token(token),
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        return invitation, token

    @property
    def is_usable(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()

    def check_usable(self) -> None:
        if self.status == InvitationStatus.ACCEPTED:
            raise InvitationError(_("This invitation has already been used. Sign in with your password instead."))
        if self.status == InvitationStatus.REVOKED:
            raise InvitationError(_("This invitation has been withdrawn. Ask the programme manager for a new one."))
        if self.status == InvitationStatus.EXPIRED or self.expires_at <= timezone.now():
            raise InvitationError(_("This invitation has expired. Ask the programme manager for a new one."))

    def revoke(self) -> None:
        self.check_usable()
        self.status = InvitationStatus.REVOKED
        self.answered_at = timezone.now()
        self.save(update_fields=["status", "answered_at"])
