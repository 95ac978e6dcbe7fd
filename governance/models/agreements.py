"""Agreements (afspraken) between the partners of a chain, their versions and the signatures.

An ``Agreement`` has parties (partner organisations, each required to sign or only participating;
a partner of the chain is never required to sign), a validity and an evaluation date, and
``AgreementVersion``s: a Markdown text and/or an attached PDF, fixed by the SHA-256 fingerprint of
that exact content (``fingerprint_of``). Status: draft → for signature → in force (every required
party signed the current version) → expired (the scheduled task, after the end date) or ended.

A ``Signature`` is evidence: who signed for which organisation, on which mandate (and its validity
then), the fingerprint of what they signed, when, from which IP address and browser. Nobody
changes or deletes one — not the pages, the API, the admin, the model (``save``/``delete``), nor a
plain SQL statement (a database trigger, migration 0004). A new version does not touch the old
signatures: they stay, answering the version they name, and count no longer (``is_void``).

A version's content cannot change once it has signatures: ``AgreementVersion.save()`` refuses it
(``VersionSignedError``) behind the forms, API and admin, and a trigger refuses it in SQL.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Mandate, Organisation, Partnership, PartnershipStatus, Person


class AgreementKind(models.TextChoices):
    COVENANT = "covenant", _("Covenant")
    CHAIN_PLAN = "chain_plan", _("Chain plan")
    COMMITMENT = "commitment", _("Commitment declaration")
    SERVICE = "service", _("Service agreement")
    WORKING = "working", _("Working agreement")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FOR_SIGNATURE = "for_signature", _("For signature")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    ENDED = "ended", _("Ended")

    @classmethod
    def open_for_changes(cls) -> frozenset[str]:
        """Statuses in which parties and versions may still change (a new version asks again)."""
        return frozenset({cls.DRAFT, cls.FOR_SIGNATURE, cls.IN_FORCE})


class PartyRole(models.TextChoices):
    SIGNS = "signs", _("Required to sign")
    PARTICIPATES = "participates", _("Participating (does not sign)")


class SignatureLockedError(Exception):
    """A change to or deletion of a signature: never allowed."""


class VersionSignedError(Exception):
    """A change to the content of a version that has signatures."""


def fingerprint_of(text: str, pdf: bytes | None) -> str:
    """The SHA-256 of a version's exact content, hex. Text and PDF are framed with their lengths
    (``text:<n>:`` + UTF-8 text, ``pdf:<n>:`` + the PDF's bytes), so no text and PDF pair can
    give the bytes of another pair; an absent PDF is ``pdf:0:``. Anyone can recompute it."""
    encoded = text.encode("utf-8")
    pdf = pdf or b""
    digest = hashlib.sha256()
    digest.update(b"text:%d:" % len(encoded))
    digest.update(encoded)
    digest.update(b"pdf:%d:" % len(pdf))
    digest.update(pdf)
    return digest.hexdigest()


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AgreementQuerySet:
        return self.filter(chain__in=Chain.objects.visible_to(user))


class Agreement(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("chain"))
    kind = models.CharField(_("kind"), max_length=12, choices=AgreementKind)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    valid_from = models.DateField(_("valid from"), validators=[validate_in_range])
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        validators=[validate_in_range],
        help_text=_("Leave empty for no end date."),
    )
    evaluate_on = models.DateField(_("evaluation date"), null=True, blank=True, validators=[validate_in_range])
    status = models.CharField(
        _("status"), max_length=14, choices=AgreementStatus, default=AgreementStatus.DRAFT, editable=False
    )
    in_force_since = models.DateTimeField(_("in force since"), null=True, blank=True, editable=False)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    end_reason = models.TextField(_("reason for ending"), blank=True, editable=False)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # A service agreement's delivery terms (issue 15): ambitions' calendar follows them while this
    # agreement is in force (services/delivery.py keeps their state in step with this status).
    delivery_terms = models.OneToOneField(
        "ambitions.DeliveryTerms",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="agreement",
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [
            models.Index(fields=["chain", "status"], name="agreement_chain_status"),
            models.Index(fields=["status", "valid_until"], name="agreement_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:agreement_detail", args=[self.chain.slug, self.pk])

    @property
    def status_label(self) -> str:
        return str(AgreementStatus(self.status).label)

    @property
    def kind_label(self) -> str:
        return str(AgreementKind(self.kind).label)

    @property
    def is_open_for_changes(self) -> bool:
        return self.status in AgreementStatus.open_for_changes()

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("An agreement cannot end before it starts.")
        if self.evaluate_on and self.valid_from and self.evaluate_on < self.valid_from:
            errors["evaluate_on"] = _("The evaluation date falls within the validity, not before it.")
        elif self.evaluate_on and self.valid_until and self.evaluate_on > self.valid_until:
            errors["evaluate_on"] = _("The evaluation date falls within the validity, not after its end.")
        if errors:
            raise ValidationError(errors)


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="agreement_parties", verbose_name=_("partner")
    )
    role = models.CharField(_("role"), max_length=12, choices=PartyRole, default=PartyRole.SIGNS)

    class Meta:
        ordering = ["agreement", "partnership__organisation__name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partnership"],
                name="agreement_party_once",
                violation_error_message=_("This partner is already a party to the agreement."),
            )
        ]

    def __str__(self) -> str:
        return str(self.partnership.organisation)

    @property
    def signs(self) -> bool:
        return self.role == PartyRole.SIGNS

    @property
    def role_label(self) -> str:
        return str(PartyRole(self.role).label)

    def clean(self) -> None:
        super().clean()
        if not self.partnership_id:
            return
        if self.agreement_id and self.partnership.chain_id != self.agreement.chain_id:
            raise ValidationError({"partnership": _("Choose a partner of this chain.")})
        # The one rule of the chain (PartnershipStatus, Partnership.is_bound): only a bound partner
        # can be required to sign; a partner of the chain or an observer participates.
        if self.role == PartyRole.SIGNS and not self.partnership.is_bound:
            raise ValidationError(
                {
                    "role": _(
                        "%(org)s is a %(status)s: it is not bound by the chain and can never be required to sign. "
                        "List it as participating."
                    )
                    % {
                        "org": self.partnership.organisation,
                        "status": str(PartnershipStatus(self.partnership.status).label).lower(),
                    }
                }
            )


def attachment_path(version: AgreementVersion, filename: str) -> str:
    # The name the person uploaded is only a label (kept in attachment_name); the stored name is ours.
    return f"agreements/{version.agreement_id}/v{version.number}.pdf"


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(editable=False)
    text = models.TextField(_("text (Markdown)"), blank=True, max_length=200_000)
    attachment = models.FileField(_("attached PDF"), upload_to=attachment_path, blank=True, max_length=200)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, editable=False)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "-number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_once"),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(attachment=""),
                name="agreement_version_has_content",
                violation_error_message=_("Give the text, attach a PDF, or both."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s, version %(number)s") % {"title": self.agreement.title, "number": self.number}

    def save(self, *args, **kwargs) -> None:
        # The last line behind forms, API and admin (a database trigger is the one after it).
        if self._content_changed() and self.has_signatures():
            raise VersionSignedError(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.has_signatures():
            raise VersionSignedError(self.pk)
        return super().delete(*args, **kwargs)

    @property
    def short_fingerprint(self) -> str:
        return f"{self.fingerprint[:12]}…{self.fingerprint[-12:]}" if self.fingerprint else ""

    def has_signatures(self) -> bool:
        return self.pk is not None and Signature.objects.filter(version_id=self.pk).exists()

    def clean(self) -> None:
        super().clean()
        if not self.text.strip() and not self.attachment:
            raise ValidationError(_("Give the text, attach a PDF, or both."))
        if self._content_changed() and self.has_signatures():
            raise ValidationError(
                _("This version has signatures: its content is fixed. Make a new version to change it.")
            )

    def _content_changed(self) -> bool:
        if self.pk is None:
            return False
        saved = AgreementVersion.objects.filter(pk=self.pk).values("text", "attachment", "fingerprint").first()
        if saved is None:
            return False
        return (saved["text"], saved["attachment"] or "", saved["fingerprint"]) != (
            self.text,
            self.attachment.name or "",
            self.fingerprint,
        )


class SignatureQuerySet(models.QuerySet):
    def delete(self):
        raise SignatureLockedError("signatures are never deleted")

    def update(self, **kwargs):
        raise SignatureLockedError("signatures are never changed")


class Signature(models.Model):
    """One party's signature under one version; evidence, so written once and never changed."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"))
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+", verbose_name=_("mandate"))
    # The mandate's validity as it was when signing (a mandate can be changed or ended later).
    mandate_valid_from = models.DateField(_("mandate valid from"))
    mandate_valid_until = models.DateField(_("mandate valid until"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint signed (SHA-256)"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["version", "organisation__name"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "partnership"],
                name="signature_once_per_party_per_version",
                violation_error_message=_("This party has already signed this version."),
            )
        ]

    def __str__(self) -> str:
        return _("%(org)s under version %(number)s") % {
            "org": self.organisation,
            "number": self.version.number,
        }

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise SignatureLockedError(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignatureLockedError(self.pk)

    def is_void(self, current_version_id: int | None) -> bool:
        """Signed under an earlier version: kept in the history, no longer counted."""
        return self.version_id != current_version_id

    def matches(self, fingerprint: str) -> bool:
        return self.fingerprint == fingerprint
