"""Fixing an indicator's definition by consensus, in rounds that cannot stall (issue 15).

A programme manager proposes a draft version with an answer deadline (the chain's default of
working days, or a later working day they choose). The mandated lead of every *core* partner — or
their stand-in, recorded "for" the lead — consents or objects (an objection needs a reason, and
stops the version). When every core partner has consented in the current round the version is
adopted and locked; earlier adopted versions are superseded but keep governing the periods before
the new version takes effect. Partners of the chain may comment; they do not block.

After an objection the proposer (or another programme manager: Action.MANAGE_INDICATORS) amends
the text, which opens a new round in which everyone is asked again — earlier answers stay, "to the
previous text" — or withdraws the proposal; governance may put it before a body, whose decision is
recorded here (``decide_by_body``). What happens at the deadline (reminders, silence) is
``consent_deadlines.sweep``; what the proposal page reads is ``proposal_reads``. Every step is a
``ProposalEvent`` on the proposal's timeline.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ambitions.models import (
    Consent,
    ConsentPosition,
    EventKind,
    IndicatorVersion,
    ProposalEvent,
    ProposalRound,
    VersionComment,
    VersionStatus,
)
from ambitions.models.definitions import AMENDING, DEFINITION_FIELDS

# The page's read helpers live in their own module; consensus.<name> offers them too.
from ambitions.services import data_revision
from ambitions.services.proposal_reads import RoundAnswers, answers_by_round, current_round, timeline, waiting_partners
from stakeholders.models import Mandate, MandateScope, Partnership, Person, Unit
from stakeholders.notify import notify
from stakeholders.permissions import Action, acting_for, allows, has_mandate
from stakeholders.working_days import add_working_days, is_working_day

# The furthest an answer deadline may lie: a proposal nobody has to answer within a year is stalled
# by its own deadline.
LONGEST_ANSWER_TIME = timedelta(days=366)
# Steps a proposer takes on a proposal that is open or stopped.
STEERABLE = (VersionStatus.PROPOSED, VersionStatus.STOPPED)


class ConsensusRefused(Exception):
    """The step does not fit the version's stage; the message says why (and names the field, if any).
    ``errors`` holds every field's messages when more than one field was refused (amend)."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


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
    """Per partnership id, the people who may consent for it today (stand-ins included: they hold
    copies of the absent lead's mandates)."""
    result: dict[int, list[Person]] = {p.pk: [] for p in partnerships}
    mandates = (
        Mandate.objects.usable_on()
        .filter(partnership__in=partnerships, scope=MandateScope.CONSENT_INDICATORS)
        .select_related("person")
        # The page lists them by name: the rest of a person's row (password hash and all) would only
        # cost time, for 30 partners a good part of the proposal page's.
        .only("partnership_id", "person_id", "person__full_name", "person__email", "person__organisation_id")
        .order_by("person__full_name", "pk")
    )
    for mandate in mandates:
        if all(person.pk != mandate.person_id for person in result[mandate.partnership_id]):
            result[mandate.partnership_id].append(mandate.person)
    return result


def default_answer_by(version: IndicatorVersion, today: date | None = None) -> date:
    """The chain's default deadline: its answer time in working days from today."""
    chain = version.indicator.ambition.chain
    return add_working_days(today or timezone.localdate(), chain.consent_answer_days)


def check_answer_by(answer_by: date, today: date | None = None) -> None:
    """A deadline after today (so after the proposal), on a working day, within a year."""
    today = today or timezone.localdate()
    if answer_by <= today:
        raise ConsensusRefused(_("The answer deadline must be after today."), "answer_by")
    if answer_by > today + LONGEST_ANSWER_TIME:
        raise ConsensusRefused(_("The answer deadline can be at most a year from today."), "answer_by")
    if not is_working_day(answer_by):
        raise ConsensusRefused(
            _("The answer deadline must be a working day (not a weekend day or a public holiday)."), "answer_by"
        )


def definition_of(version: IndicatorVersion) -> dict:
    """The text asked about in a round: the definition fields and reporting units, JSON-ready."""
    text = {}
    for name in DEFINITION_FIELDS:
        value = getattr(version, name)
        if value is not None and not isinstance(value, (bool, int, str, list, dict)):
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        text[name] = value
    text["reporting_units"] = sorted(version.reporting_units.values_list("pk", flat=True))
    return text


def may_steer(person: Person, version: IndicatorVersion) -> bool:
    """Whether ``person`` may amend or withdraw the proposal: its proposer or another programme
    manager — the one policy, Action.MANAGE_INDICATORS (only they propose)."""
    return allows(person, Action.MANAGE_INDICATORS, version.indicator.ambition.chain)


def _locked(version: IndicatorVersion) -> IndicatorVersion:
    """The version again, its row locked until the step commits: concurrent answers and steps queue."""
    return IndicatorVersion.objects.select_for_update().select_related("indicator__ambition__chain").get(pk=version.pk)


def _version_url(version: IndicatorVersion) -> str:
    chain = version.indicator.ambition.chain
    return reverse("ambitions:version_detail", args=[chain.slug, version.indicator_id, version.number])


def _ask(version: IndicatorVersion) -> None:
    """Tell everyone who may answer for a core partner that their answer is asked in this round."""
    chain = version.indicator.ambition.chain
    people = [p for group in mandated_people(core_partnerships(version)).values() for p in group]
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your consent is asked for %(version)s in %(chain)s; answer by %(date)s.") % {
            "version": version,
            "chain": chain,
            "date": date_format(version.answer_by, "DATE_FORMAT"),
        }
    notify(people, chain, text, _version_url(version), key=f"consent-asked:{version.pk}:{version.round}")


def _later_in_force(version: IndicatorVersion) -> None:
    later = version.indicator.versions.in_force().filter(effective_from__gte=version.effective_from).first()
    if later is not None:
        raise ConsensusRefused(
            _("Version %(number)s already applies from that period: a new version must take effect later.")
            % {"number": later.number},
            "effective_from",
        )


def _open_round(version: IndicatorVersion, person: Person, note: str = "") -> ProposalRound:
    return ProposalRound.objects.create(
        version=version,
        number=version.round,
        definition=definition_of(version),
        answer_by=version.answer_by,
        opened_by=person,
        note=note,
        silence_rule=version.indicator.ambition.chain.silence_rule,
    )


def record_event(
    version: IndicatorVersion,
    kind: str,
    *,
    person: Person | None = None,
    note: str = "",
    url: str = "",
    partnership: Partnership | None = None,
    for_person: Person | None = None,
) -> ProposalEvent:
    """A step on the proposal's timeline, in its current round (governance records ON_AGENDA)."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown proposal step {kind!r}")
    return ProposalEvent.objects.create(
        version=version,
        round=version.round,
        kind=kind,
        person=person,
        for_person=for_person,
        partnership=partnership,
        note=note,
        url=url[:300],
    )


@transaction.atomic
def propose(person: Person, version: IndicatorVersion, answer_by: date | None = None) -> IndicatorVersion:
    chain = version.indicator.ambition.chain
    if not allows(person, Action.MANAGE_INDICATORS, chain):
        raise PermissionDenied
    version = _locked(version)
    if version.status != VersionStatus.DRAFT:
        raise ConsensusRefused(_("Only a draft can be proposed."))
    if not version.reporting_units.exists():
        raise ConsensusRefused(_("Choose the units that report this indicator before proposing it."), "reporting_units")
    _later_in_force(version)
    answer_by = answer_by or default_answer_by(version)
    check_answer_by(answer_by)
    version.status = VersionStatus.PROPOSED
    version.proposed_by, version.proposed_at = person, timezone.now()
    version.answer_by, version.round = answer_by, 1
    version.save(update_fields=["status", "proposed_by", "proposed_at", "answer_by", "round"])
    _open_round(version, person)
    record_event(version, EventKind.ASKED, person=person)
    _ask(version)
    return version


@transaction.atomic
def respond(
    person: Person, version: IndicatorVersion, partnership: Partnership, position: str, reason: str = ""
) -> Consent:
    """A core partner's answer in the current round, by a mandated person (a stand-in's answer is
    recorded for the lead they replace). After the deadline an answer is still taken while the
    proposal is open: under "silence is not consent" it stays open until it is decided, and under
    "silence is consent" until the deadline sweep has recorded the partner's silence."""
    chain = version.indicator.ambition.chain
    if partnership.chain_id != chain.pk or not allows(
        person, Action.CONSENT_INDICATORS, chain, partnership.organisation
    ):
        raise PermissionDenied
    if not has_mandate(person, partnership, MandateScope.CONSENT_INDICATORS):
        raise PermissionDenied
    version = _locked(version)
    if version.status != VersionStatus.PROPOSED:
        raise ConsensusRefused(_("This version is not waiting for consent."))
    if not partnership.is_bound:
        raise ConsensusRefused(_("Only core partners consent; partners of the chain can comment."))
    if position not in ConsentPosition.values:
        raise ConsensusRefused(_("Choose consent or objection."), "position")
    if position == ConsentPosition.OBJECTION and not reason.strip():
        raise ConsensusRefused(_("Give the reason for the objection."), "reason")
    if version.consents.filter(partnership=partnership, round=version.round).exists():
        raise ConsensusRefused(_("%(org)s has already answered.") % {"org": partnership.organisation})
    lead = acting_for(person, partnership, MandateScope.CONSENT_INDICATORS)
    consent = Consent.objects.create(
        version=version,
        round=version.round,
        partnership=partnership,
        person=person,
        for_person=lead,
        position=position,
        reason=reason.strip(),
    )
    record_event(
        version, EventKind.ANSWERED, person=person, for_person=lead, partnership=partnership, note=consent.reason
    )
    _decide(version, person)
    return consent


def outcome(answers: dict[int, str], core_ids: list[int]) -> str | None:
    """The round's outcome from its answers (partnership id → position): stopped by any objection,
    adopted when every core partner consented (by silence too), else None (still open). The one
    rule for respond and the deadline sweep."""
    if ConsentPosition.OBJECTION in answers.values():
        return VersionStatus.STOPPED
    if all(answers.get(pk) == ConsentPosition.CONSENT for pk in core_ids):
        return VersionStatus.ADOPTED
    return None


def supersede_earlier(versions: list[IndicatorVersion]) -> None:
    """Adopted versions of the same indicators that took effect earlier are superseded by these
    (one statement however many were adopted: the deadline sweep adopts several at once)."""
    if not versions:
        return
    earlier = Q()
    for version in versions:
        earlier |= Q(indicator_id=version.indicator_id, effective_from__lt=version.effective_from)
    IndicatorVersion.objects.filter(earlier, status=VersionStatus.ADOPTED).exclude(
        pk__in=[v.pk for v in versions]
    ).update(status=VersionStatus.SUPERSEDED)
    # The dashboards show the versions in force; an UPDATE fires no signal (services/data_revision.py).
    data_revision.bump_for_versions(versions)


def _decide(version: IndicatorVersion, person: Person | None = None) -> None:
    answers = dict(version.consents.filter(round=version.round).values_list("partnership_id", "position"))
    status = outcome(answers, [p.pk for p in core_partnerships(version)])
    if status is None:
        return
    if status == VersionStatus.ADOPTED:
        supersede_earlier([version])
    version.status = status
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decided_at"])
    record_event(version, EventKind.ADOPTED if status == VersionStatus.ADOPTED else EventKind.STOPPED)


@transaction.atomic
def amend(
    person: Person, version: IndicatorVersion, changes: dict, note: str, answer_by: date | None = None
) -> IndicatorVersion:
    """A stopped proposal with a changed text (``changes``: definition fields, and
    ``reporting_units`` as units or ids) and what changed (``note``) is asked again: a new round,
    with its own deadline. Earlier rounds' answers stay, to the previous text."""
    chain = version.indicator.ambition.chain
    if not may_steer(person, version):
        raise PermissionDenied
    version = _locked(version)
    if version.status != VersionStatus.STOPPED:
        raise ConsensusRefused(_("Only a proposal stopped by an objection can be amended."))
    if not note.strip():
        raise ConsensusRefused(_("Say what changed, so the partners know what they are asked again."), "note")
    unknown = sorted(set(changes) - set(DEFINITION_FIELDS) - {"reporting_units"})
    if unknown:
        raise ConsensusRefused(_("This is not part of the definition."), unknown[0])
    answer_by = answer_by or default_answer_by(version)
    check_answer_by(answer_by)
    units = changes.get("reporting_units")
    if units is not None:
        ids = {getattr(unit, "pk", unit) for unit in units}
        found = set(
            Unit.objects.filter(pk__in=ids, organisation__partnerships__chain=chain).values_list("pk", flat=True)
        )
        if not ids or found != ids:
            raise ConsensusRefused(
                _("Choose the units that report this indicator, of the chain's partners."), "reporting_units"
            )
    for name, value in changes.items():
        if name != "reporting_units":
            setattr(version, name, value)
    try:
        version.full_clean()
    except ValidationError as error:
        errors = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        name, messages = next(iter(errors.items()))
        raise ConsensusRefused(messages[0], None if name == "__all__" else name, errors) from error
    _later_in_force(version)
    version.round += 1
    version.status, version.decided_at, version.answer_by = VersionStatus.PROPOSED, None, answer_by
    setattr(version, AMENDING, True)
    try:
        version.save()
    finally:
        delattr(version, AMENDING)
    if units is not None:
        version.reporting_units.set(ids)
    _open_round(version, person, note.strip())
    record_event(version, EventKind.AMENDED, person=person, note=note.strip())
    _ask(version)
    return version


@transaction.atomic
def withdraw(person: Person, version: IndicatorVersion, reason: str) -> IndicatorVersion:
    """The proposer (or another programme manager) ends an open or stopped proposal, with a reason."""
    if not may_steer(person, version):
        raise PermissionDenied
    version = _locked(version)
    if version.status not in STEERABLE:
        raise ConsensusRefused(_("Only an open or stopped proposal can be withdrawn."))
    if not reason.strip():
        raise ConsensusRefused(_("Say why the proposal is withdrawn."), "reason")
    version.status, version.decided_at = VersionStatus.WITHDRAWN, timezone.now()
    version.save(update_fields=["status", "decided_at"])
    record_event(version, EventKind.WITHDRAWN, person=person, note=reason.strip())
    return version


@transaction.atomic
def decide_by_body(
    version: IndicatorVersion, *, adopted: bool, person: Person | None, note: str = "", url: str = ""
) -> IndicatorVersion:
    """A body's decision on an open or stopped proposal put on its agenda, recorded with the
    proposal. Governance calls it after its own rules (who decides) have been met. Adopted: the
    version is adopted as if every partner had consented (earlier versions superseded). Not
    adopted: the proposal is stopped (or stays stopped), so its proposer can still amend it into a
    new round or withdraw it."""
    version = _locked(version)
    if version.status not in STEERABLE:
        raise ConsensusRefused(_("This proposal has already been decided."))
    record_event(version, EventKind.BODY_DECIDED, person=person, note=note, url=url)
    if adopted:
        _later_in_force(version)
        supersede_earlier([version])
        version.status = VersionStatus.ADOPTED
        record_event(version, EventKind.ADOPTED, url=url)
    elif version.status == VersionStatus.PROPOSED:
        version.status = VersionStatus.STOPPED
        record_event(version, EventKind.STOPPED, url=url)
    version.decided_at = timezone.now()
    version.save(update_fields=["status", "decided_at"])
    return version


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
    """Proposed versions waiting for an answer ``person`` may give: those not yet answered in their
    current round by a core partner for which they hold a valid consent mandate (their own or as a
    stand-in). One query."""
    partnerships = (
        Partnership.objects.current()
        .bound()
        .filter(
            mandates__in=Mandate.objects.usable_on().filter(person=person, scope=MandateScope.CONSENT_INDICATORS),
        )
    )
    answered = Consent.objects.filter(version=OuterRef("pk"), round=OuterRef("round"), partnership__in=partnerships)
    return (
        IndicatorVersion.objects.filter(
            status=VersionStatus.PROPOSED, indicator__ambition__chain__partnerships__in=partnerships
        )
        .exclude(Exists(answered))
        .select_related("indicator__ambition__chain")
        .order_by("answer_by", "proposed_at", "pk")
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
    copy.proposed_by = copy.proposed_at = copy.decided_at = copy.answer_by = None
    copy.round = 1
    copy.rationale = ""
    copy.save()
    copy.reporting_units.set(units)
    return copy


__all__ = [
    "ConsensusRefused",
    "RoundAnswers",
    "amend",
    "answers_by_round",
    "comment",
    "core_partnerships",
    "current_round",
    "decide_by_body",
    "default_answer_by",
    "mandated_people",
    "may_steer",
    "new_draft",
    "outcome",
    "propose",
    "record_event",
    "requested_from",
    "respond",
    "timeline",
    "waiting_partners",
    "withdraw",
]
