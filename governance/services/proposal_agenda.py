"""An indicator proposal that stalls goes to the body that decides (issue 15, consent that cannot stall).

After an objection stopped a proposal, or when its answer deadline passed without every core
partner answering (silence is not consent), the proposer or a programme manager puts it on the
agenda of the body that decides, in one click (``put_on_agenda``):

- **The body that decides** is the chain's strategic body (its steering group, BodyLevel.STRATEGIC,
  active): the one body of the chain that answers for its indicators, the one the proposals are
  suggested to already (governance/services/suggestions.py). A chain with none is told to set one
  up; a chain with several chooses which one in the same click (``deciding_bodies``).
- It becomes a **decision** of that body (``Decision.indicator_version``), taken at a meeting,
  whose text names the objections with their reasons and the partners that stayed silent past
  the deadline; it is put on the agenda of the body's next meeting whose agenda still changes
  (and so closes on that day), else it waits for the body, closing after the chain's answer time.
  The proposal's timeline records the step (ON_AGENDA) with the decision's address.
- **Once**: while a decision about the proposal is open, or once the body decided the round, a
  second click is refused with a message. The proposal's row is locked first, so two clicks at
  once make one decision.
- **The body's decision is recorded with the proposal** (``record_body_decision``, called when the
  decision closes, governance/services/decisions.py): adopted → the version is adopted, rejected →
  it is not (ambitions.services.consensus.decide_by_body records BODY_DECIDED in its timeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambitions.models import Consent, ConsentPosition, EventKind, IndicatorVersion, ProposalEvent, VersionStatus
from ambitions.services.consensus import ConsensusRefused, decide_by_body, record_event
from governance.models import (
    AgendaItem,
    Body,
    BodyLevel,
    Decision,
    DecisionStatus,
    DecisionWay,
    Meeting,
    MeetingStatus,
)
from governance.policy import may_put_proposal_on_agenda
from governance.services import agenda, decisions
from stakeholders.models import Partnership, Person
from stakeholders.working_days import add_working_days


class AgendaRefused(Exception):
    """Putting the proposal on the agenda is refused; the message says why."""


@dataclass(frozen=True)
class Placed:
    decision: Decision
    item: AgendaItem | None  # None: the body has no meeting whose agenda still changes


def deciding_bodies(chain) -> list[Body]:
    """The bodies that may decide a stalled proposal: the chain's active strategic bodies, by name."""
    return list(Body.objects.filter(chain=chain, level=BodyLevel.STRATEGIC, is_active=True).order_by("name"))


def past_deadline(version: IndicatorVersion, today: date) -> bool:
    """Proposed and its answer deadline has passed (the proposal stays open: silence is not consent)."""
    return version.status == VersionStatus.PROPOSED and version.answer_by is not None and version.answer_by < today


def stalled(version: IndicatorVersion, today: date | None = None) -> bool:
    """Whether the proposal may go to the body: stopped by an objection, or past its answer deadline."""
    return version.status == VersionStatus.STOPPED or past_deadline(version, today or timezone.localdate())


def open_decision(version: IndicatorVersion) -> Decision | None:
    """The open decision about the proposal, if any (with its body)."""
    return (
        Decision.objects.filter(indicator_version=version, status=DecisionStatus.OPEN)
        .select_related("body")
        .order_by("pk")
        .first()
    )


def version_url(version: IndicatorVersion) -> str:
    chain = version.indicator.ambition.chain
    return reverse("ambitions:version_detail", args=[chain.slug, version.indicator_id, version.number])


def next_meeting(body: Body) -> Meeting | None:
    """The body's next meeting (not begun yet) whose agenda may still change."""
    return (
        Meeting.objects.filter(body=body, starts_at__gt=timezone.now())
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.MINUTES_APPROVED])
        .order_by("starts_at", "pk")
        .first()
    )


def _choose_body(chain, body_id: int | None) -> Body:
    bodies = deciding_bodies(chain)
    if not bodies:
        raise AgendaRefused(
            _(
                "This chain has no active strategic body (steering group) to decide the proposal. Set one up under "
                "the bodies first."
            )
        )
    if body_id is None:
        if len(bodies) > 1:
            raise AgendaRefused(_("This chain has several strategic bodies: choose the one that decides."))
        return bodies[0]
    chosen = next((body for body in bodies if body.pk == body_id), None)
    if chosen is None:
        raise AgendaRefused(_("Choose one of the chain's strategic bodies."))
    return chosen


def _check_once(version: IndicatorVersion) -> None:
    decision = open_decision(version)
    if decision is not None:
        raise AgendaRefused(
            _("This proposal is already on the agenda of %(body)s (“%(title)s”), waiting for its decision.")
            % {"body": decision.body, "title": decision.title}
        )
    if ProposalEvent.objects.filter(version=version, round=version.round, kind=EventKind.BODY_DECIDED).exists():
        raise AgendaRefused(
            _("The body has already decided on this round of the proposal; amend it to start a new round.")
        )


def silent_partner_names(version_ids: list[int], chain_id: int) -> dict[int, list[str]]:
    """Per version id, the names of the chain's core partners that have not answered its current
    round, by name (two queries, none without versions; the agenda suggestions ask it too)."""
    if not version_ids:
        return {}
    core = list(
        Partnership.objects.current()
        .bound()
        .filter(chain=chain_id)
        .order_by("organisation__name")
        .values_list("pk", "organisation__name")
    )
    answered = set(
        Consent.objects.filter(version__in=version_ids, round=F("version__round")).values_list(
            "version_id", "partnership_id"
        )
    )
    return {pk: [name for partner, name in core if (pk, partner) not in answered] for pk in version_ids}


def _text(version: IndicatorVersion, today: date) -> str:
    """The decision's text: what the body decides, the objections with their reasons, who stayed silent."""
    objections = (
        Consent.objects.filter(version=version, round=version.round, position=ConsentPosition.OBJECTION)
        .select_related("partnership__organisation")
        .order_by("partnership__organisation__name")
    )
    names = {"name": version.indicator.name, "number": version.number}
    lines = [
        _(
            "The core partners did not reach consent on version %(number)s of the indicator “%(name)s”. The body "
            "decides whether it is adopted as proposed."
        )
        % names
    ]
    objecting = [f"- {consent.partnership.organisation}: {consent.reason}" for consent in objections]
    if objecting:
        lines += ["", _("Objections:"), *objecting]
    if past_deadline(version, today):
        silent = ", ".join(silent_partner_names([version.pk], version.indicator.ambition.chain_id)[version.pk])
        if silent:
            lines += [
                "",
                _("Not answered by the deadline (%(date)s): %(partners)s.")
                % {"date": version.answer_by.strftime("%d-%m-%Y"), "partners": silent},
            ]
    return "\n".join(str(line) for line in lines)


@transaction.atomic
def put_on_agenda(person: Person, version: IndicatorVersion, body_id: int | None = None) -> Placed:
    """Make the deciding body's decision about the stalled proposal and put it on the body's next
    agenda (see the module's docstring). PermissionDenied for someone the policy does not allow;
    AgendaRefused, with nothing saved, when the proposal is not stalled, is on an agenda already,
    or there is no body to choose."""
    chain = version.indicator.ambition.chain
    if not may_put_proposal_on_agenda(person, version):
        raise PermissionDenied
    locked = IndicatorVersion.objects.select_for_update().get(pk=version.pk)
    locked.indicator = version.indicator
    today = timezone.localdate()
    if not stalled(locked, today):
        raise AgendaRefused(
            _(
                "Only a proposal stopped by an objection, or one whose answer deadline has passed, goes to the body "
                "that decides."
            )
        )
    _check_once(locked)
    body = _choose_body(chain, body_id)
    body.chain = chain
    meeting = next_meeting(body)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Indicator proposal: %(name)s, version %(number)s") % {
            "name": version.indicator.name,
            "number": locked.number,
        }
        text = _text(locked, today)
    closes_on = (
        timezone.localtime(meeting.starts_at).date() if meeting else add_working_days(today, chain.consent_answer_days)
    )
    decision = Decision(
        body=body,
        title=title[:300],
        text=text,
        way=DecisionWay.MEETING,
        meeting=meeting,
        closes_on=closes_on,
        indicator=version.indicator,
        indicator_version=locked,
        proposed_by=person,
    )
    decision.full_clean()
    # Through the decisions' own proposing, so that every partner represented in the body is asked.
    decisions.propose(person, decision)
    item = None
    if meeting is not None:
        item = agenda.add(meeting, AgendaItem(title=title[:300], decision=decision, presenter=person))
    url = decision.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        if meeting is not None:
            note = _("Put on the agenda of %(body)s for the meeting of %(date)s.") % {
                "body": body,
                "date": closes_on.strftime("%d-%m-%Y"),
            }
        else:
            note = _("Put before %(body)s; no meeting is planned yet.") % {"body": body}
    record_event(locked, EventKind.ON_AGENDA, person=person, note=note, url=url)
    return Placed(decision, item)


def record_body_decision(decision: Decision, person: Person) -> bool:
    """The body decided on a proposal (``decision`` closed as adopted or rejected): record it with
    the proposal, which is adopted when the body adopted it. Only for a proposal still waiting (stopped
    or proposed); one decided otherwise meanwhile (withdrawn, amended into a new round and adopted)
    keeps its own course. Returns whether it was recorded. Runs in the closing's transaction."""
    if decision.indicator_version_id is None or decision.status not in (
        DecisionStatus.ADOPTED,
        DecisionStatus.REJECTED,
    ):
        return False
    version = IndicatorVersion.objects.select_related("indicator__ambition__chain").get(
        pk=decision.indicator_version_id
    )
    if version.status not in (VersionStatus.STOPPED, VersionStatus.PROPOSED):
        return False
    try:
        decide_by_body(
            version,
            adopted=decision.status == DecisionStatus.ADOPTED,
            person=person,
            note=decision.outcome_statement,
            url=decision.get_absolute_url(),
        )
    except ConsensusRefused:
        return False
    return True
