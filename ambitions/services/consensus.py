"""Fixing an indicator's definition by consensus.

A programme manager proposes a draft version. The mandated lead of every *core* partner consents
or objects (an objection needs a reason, and stops the version). When every core partner has
consented the version is adopted and locked; earlier adopted versions are superseded but keep
governing the periods before the new version takes effect. Partners of the chain may comment; they
do not block.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambitions.models import Consent, ConsentPosition, IndicatorVersion, VersionComment, VersionStatus
from stakeholders.models import Mandate, MandateScope, Partnership, Person
from stakeholders.notify import notify
from stakeholders.permissions import Action, allows, has_mandate


class ConsensusRefused(Exception):
    """The step does not fit the version's stage; the message says why (and names the field, if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def core_partnerships(version: IndicatorVersion) -> list[Partnership]:
    chain = version.indicator.ambition.chain
    return list(
        Partnership.objects.current()
        .bound()
        .filter(chain=chain)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def mandated_people(partnerships: list[Partnership]) -> dict[int, list[Person]]:
    """Per partnership id, the people who may consent for it today."""
    result: dict[int, list[Person]] = {p.pk: [] for p in partnerships}
    mandates = (
        Mandate.objects.usable_on()
        .filter(partnership__in=partnerships, scope=MandateScope.CONSENT_INDICATORS)
        .select_related("person")
    )
    for mandate in mandates:
        result[mandate.partnership_id].append(mandate.person)
    return result


@transaction.atomic
def propose(person: Person, version: IndicatorVersion) -> IndicatorVersion:
    chain = version.indicator.ambition.chain
    if not allows(person, Action.MANAGE_INDICATORS, chain):
        raise PermissionDenied
    version = IndicatorVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ConsensusRefused(_("Only a draft can be proposed."))
    if not version.reporting_units.exists():
        raise ConsensusRefused(_("Choose the units that report this indicator before proposing it."), "reporting_units")
    later = version.indicator.versions.in_force().filter(effective_from__gte=version.effective_from).first()
    if later is not None:
        raise ConsensusRefused(
            _("Version %(number)s already applies from that period: a new version must take effect later.")
            % {"number": later.number},
            "effective_from",
        )
    version.status = VersionStatus.PROPOSED
    version.proposed_by, version.proposed_at = person, timezone.now()
    version.save(update_fields=["status", "proposed_by", "proposed_at"])
    partnerships = core_partnerships(version)
    people = [p for group in mandated_people(partnerships).values() for p in group]
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your consent is asked for %(version)s in %(chain)s.") % {"version": version, "chain": chain}
    # The link leads to the version's page, where the lead answers.
    url = reverse("ambitions:version_detail", args=[chain.slug, version.indicator_id, version.number])
    notify(people, chain, text, url, key=f"consent-asked:{version.pk}")
    return version


@transaction.atomic
def respond(
    person: Person, version: IndicatorVersion, partnership: Partnership, position: str, reason: str = ""
) -> Consent:
    chain = version.indicator.ambition.chain
    if partnership.chain_id != chain.pk or not allows(
        person, Action.CONSENT_INDICATORS, chain, partnership.organisation
    ):
        raise PermissionDenied
    if not has_mandate(person, partnership, MandateScope.CONSENT_INDICATORS):
        raise PermissionDenied
    version = IndicatorVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PROPOSED:
        raise ConsensusRefused(_("This version is not waiting for consent."))
    if not partnership.is_bound:
        raise ConsensusRefused(_("Only core partners consent; partners of the chain can comment."))
    if position == ConsentPosition.OBJECTION and not reason.strip():
        raise ConsensusRefused(_("Give the reason for the objection."), "reason")
    if version.consents.filter(partnership=partnership).exists():
        raise ConsensusRefused(_("%(org)s has already answered.") % {"org": partnership.organisation})
    consent = Consent.objects.create(
        version=version, partnership=partnership, person=person, position=position, reason=reason.strip()
    )
    _decide(version)
    return consent


def _decide(version: IndicatorVersion) -> None:
    answers = dict(version.consents.values_list("partnership_id", "position"))
    if ConsentPosition.OBJECTION in answers.values():
        version.status = VersionStatus.STOPPED
    elif all(answers.get(p.pk) == ConsentPosition.CONSENT for p in core_partnerships(version)):
        version.status = VersionStatus.ADOPTED
        version.indicator.versions.filter(
            status=VersionStatus.ADOPTED, effective_from__lt=version.effective_from
        ).update(status=VersionStatus.SUPERSEDED)
    else:
        return
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decided_at"])


def comment(person: Person, version: IndicatorVersion, text: str) -> VersionComment:
    """People of a partner organisation comment (partners of the chain too), and the programme managers
    who answer them; while the version is a draft or waiting for consent."""
    chain = version.indicator.ambition.chain
    if not allows(person, Action.VIEW, chain):
        raise PermissionDenied
    partnership = Partnership.objects.filter(chain=chain, organisation_id=person.organisation_id).first()
    if partnership is None and not allows(person, Action.MANAGE_INDICATORS, chain):
        raise PermissionDenied
    if version.status not in (VersionStatus.DRAFT, VersionStatus.PROPOSED):
        raise ConsensusRefused(_("This version has been decided; it takes no more comments."))
    if not text.strip():
        raise ConsensusRefused(_("Write a comment."), "text")
    return VersionComment.objects.create(version=version, partnership=partnership, person=person, text=text.strip())


def requested_from(person: Person) -> QuerySet[IndicatorVersion]:
    """Proposed versions waiting for an answer ``person`` may give: those not yet answered by a core
    partner for which they hold a valid consent mandate (and lead in the chain). One query."""
    partnerships = (
        Partnership.objects.current()
        .bound()
        .filter(
            mandates__in=Mandate.objects.usable_on().filter(person=person, scope=MandateScope.CONSENT_INDICATORS),
        )
    )
    return (
        IndicatorVersion.objects.filter(
            status=VersionStatus.PROPOSED, indicator__ambition__chain__partnerships__in=partnerships
        )
        .exclude(consents__partnership__in=partnerships)
        .select_related("indicator__ambition__chain")
        .order_by("proposed_at", "pk")
        .distinct()
    )


@transaction.atomic
def new_draft(person: Person, version: IndicatorVersion) -> IndicatorVersion:
    """A draft copy of ``version`` to change and propose; the copy is numbered after the latest."""
    indicator = version.indicator
    if not allows(person, Action.MANAGE_INDICATORS, indicator.ambition.chain):
        raise PermissionDenied
    units = list(version.reporting_units.all())
    latest = indicator.versions.order_by("-number").values_list("number", flat=True).first() or 0
    copy = IndicatorVersion.objects.get(pk=version.pk)
    copy.pk = None
    copy._state.adding = True
    copy.number = latest + 1
    copy.status = VersionStatus.DRAFT
    copy.proposed_by = copy.proposed_at = copy.decided_at = None
    copy.rationale = ""
    copy.save()
    copy.reporting_units.set(units)
    return copy
