"""Agreements: drawing one up with its parties and first version, new versions, sending it for
signature, signing by mandate, ending, the scheduled expiry and reminders, and verification.

Who may take a step is governance/policy.py's rule: ``may_manage_agreements`` (programme managers:
everything but signing), ``sign_refusal`` / ``signers_for`` (signing for a party by a usable
mandate to sign agreements). This module adds the agreement's own rules, for pages, API and tasks:

- **Versions.** Each version is fixed by the SHA-256 fingerprint of its exact content
  (``fingerprint_of``: the text and the PDF's bytes as read back from storage). A new version while
  the agreement is for signature or in force puts it back to *for signature*: every required party
  is asked again, and the old version's signatures stay in the history, answering the version they
  name (``Signature.is_void``).
- **Signing.** Only the current version, only while the agreement is for signature, only with the
  fingerprint the signer was shown (a version changed meanwhile is refused), once per party and
  version (a unique constraint; the agreement's row lock makes two signers of one party wait for
  each other, and the second gets "already signed"). The signature records person, organisation,
  mandate and its validity, fingerprint, time, IP address and browser. When every required party
  signed the current version the agreement is *in force*.
- **Expiry and reminders** (``sweep``): an agreement in force past its end date is *expired* (one
  conditional UPDATE: safe with two beats, a duplicate delivery or a killed worker); the programme
  managers and the parties' leads are told once per agreement and date before the evaluation and
  the end date (the notification's unique key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    PartyRole,
    Signature,
)
from governance.policy import may_manage_agreements, sign_refusal, signers_by_partner, signers_for
from governance.services import delivery, governance_revision
from governance.services.agreement_content import stored_fingerprint
from stakeholders import my_work_roles
from stakeholders.models import Mandate, MandateScope, Membership, Partnership, Person, Role
from stakeholders.notify import notify


class AgreementRefused(Exception):
    """The step is refused; the message says why and ``field`` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def current_version(agreement: Agreement) -> AgreementVersion | None:
    return agreement.versions.order_by("-number").first()


def _locked(agreement: Agreement) -> Agreement:
    # of=self: the agreement's row only, not its chain's (joined for the slug).
    return Agreement.objects.select_for_update(of=("self",)).select_related("chain").get(pk=agreement.pk)


def _require_manager(person: Person, agreement_or_chain) -> None:
    chain = getattr(agreement_or_chain, "chain", agreement_or_chain)
    if not may_manage_agreements(person, chain):
        raise PermissionDenied


# --- Drawing up ---------------------------------------------------------------------------------


def _new_version(person: Person, agreement: Agreement, number: int, text: str, pdf: bytes | None, note: str, name: str):
    version = AgreementVersion(agreement=agreement, number=number, text=text, note=note, created_by=person)
    if pdf is not None:
        # Stored through the default storage; the fingerprint is of the bytes read back from it.
        version.attachment.save(f"v{number}.pdf", ContentFile(pdf), save=False)
        version.attachment_name = (name or f"v{number}.pdf").rsplit("/", 1)[-1][:200]
        version.attachment_size = len(pdf)
    version.fingerprint = stored_fingerprint(version)
    version.save()
    return version


def set_parties(agreement: Agreement, roles: dict[Partnership, str | None]) -> None:
    """Make the parties these: partner → role (None: not a party). Runs each party's clean()."""
    keep = {partnership.pk: role for partnership, role in roles.items() if role}
    AgreementParty.objects.filter(agreement=agreement).exclude(partnership_id__in=keep).delete()
    existing = {party.partnership_id: party for party in agreement.parties.all()}
    for partnership, role in roles.items():
        if not role:
            continue
        party = existing.get(partnership.pk) or AgreementParty(agreement=agreement, partnership=partnership)
        party.partnership = partnership
        party.role = role
        party.full_clean(exclude=["agreement"])
        party.save()


@transaction.atomic
def draw_up(
    person: Person,
    agreement: Agreement,
    roles: dict[Partnership, str | None],
    *,
    text: str,
    pdf: bytes | None,
    pdf_name: str = "",
) -> Agreement:
    """A new agreement (draft) with its parties and its first version."""
    _require_manager(person, agreement.chain)
    agreement.created_by = person
    agreement.status = AgreementStatus.DRAFT
    agreement.save()
    set_parties(agreement, roles)
    _new_version(person, agreement, 1, text, pdf, "", pdf_name)
    return agreement


@transaction.atomic
def add_version(
    person: Person, agreement: Agreement, *, text: str, pdf: bytes | None, pdf_name: str = "", note: str = ""
) -> AgreementVersion:
    """A new version. For signature or in force: back to for signature, every required party asked
    again (the old signatures stay in the history, no longer counted)."""
    _require_manager(person, agreement)
    locked = _locked(agreement)
    if not locked.is_open_for_changes:
        raise AgreementRefused(_("This agreement has %(status)s: it takes no new version.") % _status(locked))
    previous = current_version(locked)
    number = (previous.number if previous else 0) + 1
    version = _new_version(person, locked, number, text, pdf, note, pdf_name)
    if locked.status in (AgreementStatus.FOR_SIGNATURE, AgreementStatus.IN_FORCE):
        locked.status, locked.in_force_since = AgreementStatus.FOR_SIGNATURE, None
        locked.save(update_fields=["status", "in_force_since"])
        delivery.follow(locked)
        transaction.on_commit(lambda: ask_signers(locked, version))
    return version


def _status(agreement: Agreement) -> dict:
    return {"status": agreement.status_label.lower()}


@transaction.atomic
def send_for_signature(person: Person, agreement: Agreement) -> Agreement:
    _require_manager(person, agreement)
    locked = _locked(agreement)
    if locked.status != AgreementStatus.DRAFT:
        raise AgreementRefused(_("Only a draft can be sent for signature; this one is %(status)s.") % _status(locked))
    if not locked.parties.filter(role=PartyRole.SIGNS).exists():
        raise AgreementRefused(_("Name at least one party that is required to sign."))
    version = current_version(locked)
    locked.status = AgreementStatus.FOR_SIGNATURE
    locked.save(update_fields=["status"])
    delivery.follow(locked)
    transaction.on_commit(lambda: ask_signers(locked, version))
    return locked


def ask_signers(agreement: Agreement, version: AgreementVersion) -> int:
    """Tell everyone who may sign for a required party that version waits for them (once per version)."""
    url = reverse("governance:agreement_detail", args=[agreement.chain.slug, agreement.pk])
    with translation.override(settings.LANGUAGE_CODE):
        text = _("“%(title)s” (version %(number)s) waits for your signature.") % {
            "title": agreement.title,
            "number": version.number,
        }
    told = 0
    for party in agreement.parties.filter(role=PartyRole.SIGNS).select_related("partnership"):
        told += len(
            notify(signers_for(party.partnership), agreement.chain, text, url, key=f"agreement-sign:{version.pk}")
        )
    return told


@transaction.atomic
def end(person: Person, agreement: Agreement, reason: str) -> Agreement:
    _require_manager(person, agreement)
    locked = _locked(agreement)
    if locked.status not in (AgreementStatus.FOR_SIGNATURE, AgreementStatus.IN_FORCE):
        raise AgreementRefused(_("This agreement has %(status)s: it cannot be ended.") % _status(locked))
    if not reason.strip():
        raise AgreementRefused(_("Say why the agreement ends."), "reason")
    locked.status, locked.end_reason, locked.ended_on = AgreementStatus.ENDED, reason.strip(), timezone.localdate()
    locked.save(update_fields=["status", "end_reason", "ended_on"])
    delivery.follow(locked)
    return locked


# --- Signing ------------------------------------------------------------------------------------


def party_of(person: Person, agreement: Agreement) -> AgreementParty | None:
    """The party the person could sign for: the one of their own organisation."""
    if not person.is_authenticated or person.organisation_id is None:
        return None
    return (
        agreement.parties.filter(partnership__organisation_id=person.organisation_id)
        .select_related("partnership__organisation", "partnership__chain")
        .first()
    )


def sign(
    person: Person,
    agreement: Agreement,
    *,
    version_id: int,
    fingerprint: str,
    ip_address: str | None,
    user_agent: str,
    on: date | None = None,
) -> Signature:
    """Sign the current version for the person's party (see the module's rules)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _locked(agreement)
        version = current_version(locked)
        if locked.status != AgreementStatus.FOR_SIGNATURE or version is None:
            raise AgreementRefused(_("This agreement is not for signature (it is %(status)s).") % _status(locked))
        if version.pk != version_id:
            raise AgreementRefused(
                _("You are signing a version that is not the one for signature: version %(number)s is. Read it first.")
                % {"number": version.number}
            )
        if fingerprint != version.fingerprint:
            raise AgreementRefused(_("The version changed since you opened it: read it again before you sign."))
        party = party_of(person, locked)
        if party is None:
            raise PermissionDenied
        refusal = sign_refusal(person, party, on)
        if refusal is not None:
            raise AgreementRefused(refusal)
        already = Signature.objects.filter(version=version, partnership=party.partnership).select_related("person")
        if (done := already.first()) is not None:
            raise _already_signed(party, version, done)
        mandate = (
            Mandate.objects.usable_on(on)
            .filter(person=person, partnership=party.partnership, scope=MandateScope.SIGN_AGREEMENTS)
            .order_by("-valid_from", "pk")
            .first()
        )
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    agreement=locked,
                    version=version,
                    partnership=party.partnership,
                    organisation_id=party.partnership.organisation_id,
                    person=person,
                    mandate=mandate,
                    mandate_valid_from=mandate.valid_from,
                    mandate_valid_until=mandate.valid_until,
                    fingerprint=version.fingerprint,
                    signed_at=timezone.now(),
                    ip_address=ip_address or None,
                    user_agent=(user_agent or "")[:500],
                )
        except IntegrityError:
            done = Signature.objects.filter(version=version, partnership=party.partnership).first()
            raise _already_signed(party, version, done) from None
        _put_in_force_when_complete(locked, version)
    return signature


def _already_signed(party: AgreementParty, version: AgreementVersion, done: Signature | None) -> AgreementRefused:
    if done is None:
        return AgreementRefused(_("%(org)s has already signed this version.") % {"org": party.partnership.organisation})
    return AgreementRefused(
        _("%(org)s has already signed version %(number)s: %(name)s did, on %(when)s.")
        % {
            "org": party.partnership.organisation,
            "number": version.number,
            "name": done.person.full_name,
            "when": timezone.localtime(done.signed_at).strftime("%d-%m-%Y %H:%M"),
        }
    )


def _put_in_force_when_complete(agreement: Agreement, version: AgreementVersion) -> None:
    required = set(agreement.parties.filter(role=PartyRole.SIGNS).values_list("partnership_id", flat=True))
    signed = set(Signature.objects.filter(version=version).values_list("partnership_id", flat=True))
    if required and required <= signed:
        agreement.status, agreement.in_force_since = AgreementStatus.IN_FORCE, timezone.now()
        agreement.save(update_fields=["status", "in_force_since"])
        delivery.follow(agreement)


# --- The page: parties, verification, history ---------------------------------------------------


@dataclass
class PartyStanding:
    """A party and its signature under the current version (if any), and who may sign for it."""

    party: AgreementParty
    signature: Signature | None
    signers: list[Person]
    matches: bool | None  # the signed fingerprint against the stored content now


@dataclass
class Verification:
    version: AgreementVersion
    recorded: str  # the fingerprint recorded when the version was made
    recomputed: str  # computed now from the stored content

    @property
    def intact(self) -> bool:
        return self.recorded == self.recomputed


def verify(version: AgreementVersion) -> Verification:
    """Recompute the fingerprint of the version's stored content (text and PDF read back)."""
    return Verification(version, version.fingerprint, stored_fingerprint(version))


def standings(
    agreement: Agreement, version: AgreementVersion | None, signatures: Iterable[Signature], recomputed: str | None
) -> list[PartyStanding]:
    parties = list(
        agreement.parties.select_related("partnership__organisation").order_by("partnership__organisation__name")
    )
    current = {s.partnership_id: s for s in signatures if version is not None and s.version_id == version.pk}
    open_for_signing = agreement.status == AgreementStatus.FOR_SIGNATURE
    unsigned = [p.partnership for p in parties if p.signs and p.partnership_id not in current]
    signers = signers_by_partner(unsigned) if open_for_signing and unsigned else {}
    return [
        PartyStanding(
            party,
            current.get(party.partnership_id),
            signers.get(party.partnership_id, []),
            None
            if current.get(party.partnership_id) is None or recomputed is None
            else current[party.partnership_id].matches(recomputed),
        )
        for party in parties
    ]


def history_entries(agreement: Agreement) -> QuerySet[LogEntry]:
    """The audit trail's entries of the agreement, its parties, versions and signatures."""
    types = ContentType.objects.get_for_models(Agreement, AgreementParty, AgreementVersion, Signature)
    party_ids = list(AgreementParty.objects.filter(agreement=agreement).values_list("pk", flat=True))
    version_ids = list(AgreementVersion.objects.filter(agreement=agreement).values_list("pk", flat=True))
    signature_ids = list(Signature.objects.filter(agreement=agreement).values_list("pk", flat=True))
    return LogEntry.objects.filter(
        Q(content_type=types[Agreement], object_id=agreement.pk)
        | Q(content_type=types[AgreementParty], object_id__in=party_ids)
        | Q(content_type=types[AgreementVersion], object_id__in=version_ids)
        | Q(content_type=types[Signature], object_id__in=signature_ids)
    )


def listed(chain) -> list[Agreement]:
    """The chain's agreements for its list, each with ``current_number`` (its newest version),
    ``required`` (parties required to sign) and ``signed`` (their signatures under that version):
    one query."""
    newest = AgreementVersion.objects.filter(agreement=OuterRef("pk")).order_by("-number")
    signed = (
        Signature.objects.filter(agreement=OuterRef("pk"), version__number=OuterRef("current_number"))
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Agreement.objects.filter(chain=chain)
        .annotate(
            current_number=Subquery(newest.values("number")[:1]),
            required=Count("parties", filter=Q(parties__role=PartyRole.SIGNS), distinct=True),
        )
        .annotate(signed=Coalesce(Subquery(signed), 0))
        .order_by("status", "-valid_from", "title")
    )


# --- My work ------------------------------------------------------------------------------------


def waiting_for_signature(user, today: date | None = None) -> list[AgreementParty]:
    """The parties of agreements for signature that ``user`` may sign for (a usable mandate to sign
    agreements for that partner) and that have not signed the current version: one query, and
    none inside My work for someone who may sign for no partner (the page lends the person's
    mandates, read once: stakeholders/my_work_roles.py)."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    roles = my_work_roles.lent(user, today)
    if roles is None:
        usable = Mandate.objects.usable_on(today).filter(person=user, scope=MandateScope.SIGN_AGREEMENTS)
        partnerships = usable.values("partnership_id")
    else:
        # Asked inside the query below instead, PostgreSQL weighs all parties against the mandates.
        partnerships = sorted(roles.partnerships_for(MandateScope.SIGN_AGREEMENTS))
        if not partnerships:
            return []
    return list(
        unsigned_parties()
        .filter(partnership_id__in=partnerships)
        .select_related("agreement__chain", "partnership__organisation")
        .order_by("agreement__chain__name", "agreement__title")
    )


def unsigned_parties() -> QuerySet[AgreementParty]:
    """The parties required to sign an agreement for signature that have not signed its current
    version: the signatures outstanding (My work, participation health)."""
    newest = AgreementVersion.objects.filter(agreement=OuterRef("agreement")).order_by("-number").values("pk")[:1]
    signed = Signature.objects.filter(version_id=OuterRef("current_version_id"), partnership=OuterRef("partnership"))
    return (
        AgreementParty.objects.filter(role=PartyRole.SIGNS, agreement__status=AgreementStatus.FOR_SIGNATURE)
        .annotate(current_version_id=Subquery(newest))
        .filter(~Exists(signed))
    )


# --- Expiry and reminders -----------------------------------------------------------------------


def expire_due(today: date | None = None) -> int:
    """In force and past the end date → expired; one conditional UPDATE, so any number of runs at
    once expire each agreement once. Returns how many it expired."""
    today = today or timezone.localdate()
    due = Agreement.objects.filter(status=AgreementStatus.IN_FORCE, valid_until__lt=today)
    governance_revision.bump(due.values_list("chain_id", flat=True).distinct())  # the UPDATE sends no signals
    expired = due.update(status=AgreementStatus.EXPIRED)
    delivery.end_expired()
    return expired


def _reminded_people(agreements: list[Agreement]) -> dict[int, list[Person]]:
    """Per agreement id: its chain's programme managers and the leads of its parties (one query)."""
    chains = {agreement.chain_id for agreement in agreements}
    organisations: dict[int, set[int]] = {}
    for agreement_id, organisation_id in AgreementParty.objects.filter(agreement__in=agreements).values_list(
        "agreement_id", "partnership__organisation_id"
    ):
        organisations.setdefault(agreement_id, set()).add(organisation_id)
    memberships = Membership.objects.filter(
        chain__in=chains, role__in=[Role.PROGRAMME_MANAGER, Role.PARTNER_LEAD]
    ).select_related("person")
    result: dict[int, list[Person]] = {agreement.pk: [] for agreement in agreements}
    for membership in memberships:
        for agreement in agreements:
            if agreement.chain_id != membership.chain_id:
                continue
            if membership.role == Role.PROGRAMME_MANAGER or membership.person.organisation_id in organisations.get(
                agreement.pk, set()
            ):
                result[agreement.pk].append(membership.person)
    return result


def send_reminders(today: date | None = None, pause: Callable[[], None] | None = None) -> int:
    """Before the evaluation date and the end date (within AGREEMENT_REMINDER_DAYS) of an agreement
    in force: its programme managers and its parties' leads, once per agreement, occasion and date
    (the notification's unique key: two beats or a rerun tell no one twice). Returns how many."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.AGREEMENT_REMINDER_DAYS)
    agreements = list(
        Agreement.objects.filter(status=AgreementStatus.IN_FORCE)
        .filter(Q(evaluate_on__range=(today, horizon)) | Q(valid_until__range=(today, horizon)))
        .select_related("chain")
        .order_by("pk")
    )
    if not agreements:
        return 0
    people = _reminded_people(agreements)
    sent = 0
    for agreement in agreements:
        url = reverse("governance:agreement_detail", args=[agreement.chain.slug, agreement.pk])
        occasions = []
        with translation.override(settings.LANGUAGE_CODE):
            if agreement.evaluate_on and today <= agreement.evaluate_on <= horizon:
                occasions.append(
                    (
                        f"agreement-evaluation:{agreement.pk}:{agreement.evaluate_on.isoformat()}",
                        _("“%(title)s” is to be evaluated on %(day)s.")
                        % {"title": agreement.title, "day": agreement.evaluate_on.strftime("%d-%m-%Y")},
                    )
                )
            if agreement.valid_until and today <= agreement.valid_until <= horizon:
                occasions.append(
                    (
                        f"agreement-end:{agreement.pk}:{agreement.valid_until.isoformat()}",
                        _("“%(title)s” ends on %(day)s: renew it or let it expire.")
                        % {"title": agreement.title, "day": agreement.valid_until.strftime("%d-%m-%Y")},
                    )
                )
        for key, text in occasions:
            sent += len(notify(people[agreement.pk], agreement.chain, text, url, key=key))
        if pause is not None:
            pause()
    return sent


def sweep(today: date | None = None, pause: Callable[[], None] | None = None) -> dict[str, int]:
    """The scheduled task's work: expiry first (an expired agreement needs no reminder), then reminders."""
    expired = expire_due(today)
    return {"expired": expired, "reminded": send_reminders(today, pause)}
