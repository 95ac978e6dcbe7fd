"""Decisions by consent: proposing, each partner's position, amending (a new round), the outcome by
the body's rule, closing and withdrawing, and the review-date reminder.

Who may take a step is governance/policy.py's rule: ``may_propose`` (propose; amend and withdraw
one's own proposal), ``may_run_meetings`` (close; amend or withdraw any proposal of the body),
``position_refusal`` and ``speakers_for`` (a partner's position). This module adds the decision's
own rules, for pages, API and tasks alike:

- **Who speaks.** Every partner represented in the body (``BodyMember.objects.representing()``)
  has one position per round. Its member records it; the member's alternate only when the member
  is absent: at a meeting decision when the meeting's attendance says so (absent, absent with
  notice, or represented by the alternate), in a written round as long as the member has not
  answered. Core partners consent, consent with recorded dissent, abstain, object or block;
  partners of the chain (and observers) give advice only, which is shown but neither counted nor
  binding. Dissent, objection, block and advice need a reason; recorded dissent stays on the
  decision and in the register for good.
- **Outcome** (``outcome``). Consent rule: rejected when a core partner blocks; open while an
  objection stands or a represented core partner has not answered; adopted when every
  represented core partner consented (with or without recorded dissent) or abstained — an
  abstention is "not objecting", but at least one must consent. Qualified majority: a block
  still rejects; adopted once the quorum of represented core partners has answered and the
  votes in favour (consent and dissent) reach the majority share of the votes cast (consent,
  dissent, objection; abstentions are not cast); rejected when everyone answered without it.
- **Closing** writes the outcome the rule gives; a decision the rule leaves open can be closed
  only after its closing date, as not adopted (rejected).
- **Amending** (after an objection, or at any time while open) raises ``round``: every partner
  is asked again; earlier positions stay, as answers to the previous text.
- **Concurrency.** Every step locks the decision's row first, so two people recording the same
  partner's position, or a position and the closing, happen one after the other; a position form
  carries the position it was based on (``position_token``), and one changed meanwhile is a
  conflict with the saved position shown, never a silent overwrite.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.models import (
    AttendanceStatus,
    Body,
    BodyMember,
    Decision,
    DecisionPosition,
    DecisionRule,
    DecisionStatus,
    DecisionWay,
    MemberPosition,
    PositionKind,
)
from governance.policy import may_propose, may_run_meetings, position_refusal, speakers_for, stood_in_seats
from stakeholders.models import MandateScope, Membership, Partnership, Person, Role
from stakeholders.notify import notify
from stakeholders.permissions import Action, acting_for, allows

CORE_KINDS = (
    PositionKind.CONSENT,
    PositionKind.DISSENT,
    PositionKind.ABSTAIN,
    PositionKind.OBJECTION,
    PositionKind.BLOCK,
)
IN_FAVOUR = frozenset({PositionKind.CONSENT, PositionKind.DISSENT})
# How long after its review date a decision's reminder may still go out (a beat that was down).
REVIEW_CATCH_UP_DAYS = 30


class DecisionRefused(Exception):
    """The step is refused; the message says why and ``field`` names the form field, if any.
    ``conflict`` marks a change someone else made meanwhile (the form shows what is saved now)."""

    def __init__(self, message: str, field: str | None = None, *, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.conflict = conflict


# --- Who is asked ------------------------------------------------------------------------------


def represented(body: Body) -> list[Partnership]:
    """The partners represented in the body (by a chair, vice-chair or member), by name."""
    seats = BodyMember.objects.representing().filter(body=body).values("partnership_id")
    return list(
        Partnership.objects.current().filter(pk__in=seats).select_related("organisation").order_by("organisation__name")
    )


def counts(partnership: Partnership) -> bool:
    """Whether the partner's position counts for the outcome: core partners only."""
    return partnership.is_bound


def kinds_for(partnership: Partnership) -> tuple[str, ...]:
    """The positions the partner can take: a core partner decides, anyone else advises."""
    return CORE_KINDS if counts(partnership) else (PositionKind.ADVICE,)


def may_amend(user, decision: Decision) -> bool:
    """The proposer (while they may still propose in the body), and who runs the body's meetings."""
    if may_run_meetings(user, decision.body):
        return True
    return decision.proposed_by_id == user.pk and may_propose(user, decision.body)


def proposes_anywhere(user, chain) -> bool:
    """Whether ``may_propose`` holds for any of the chain's active bodies, in one query (to offer the
    register's "new proposal" link; the page itself asks may_propose per body)."""
    if allows(user, Action.MANAGE_BODIES, chain):
        return True
    running = Q(position__in=MemberPosition.running_meetings())
    speaking = Q(position__in=MemberPosition.representing(), partnership__isnull=False)
    seats = BodyMember.objects.filter(running | speaking, person=user, body__chain=chain, body__is_active=True)
    return allows(user, Action.VIEW, chain) and seats.exists()


def history_entries(decision: Decision, positions: Iterable[DecisionPosition]) -> QuerySet[LogEntry]:
    """The audit trail's entries of the decision and of its positions (for stakeholders.history)."""
    types = ContentType.objects.get_for_models(Decision, DecisionPosition)
    return LogEntry.objects.filter(
        Q(content_type=types[Decision], object_id=decision.pk)
        | Q(content_type=types[DecisionPosition], object_id__in=[position.pk for position in positions])
    )


def _names(partnerships: Iterable[Partnership]) -> str:
    return ", ".join(str(p.organisation) for p in partnerships)


# --- The outcome -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the body's rule makes of the positions now, and why, in words."""

    status: str  # DecisionStatus.OPEN, ADOPTED or REJECTED
    reasons: tuple[str, ...]


def outcome(body: Body, partners: Iterable[Partnership], kinds: Mapping[int, str]) -> Outcome:
    """The outcome by ``body``'s rule of the positions ``kinds`` (partnership id → kind) of the
    represented ``partners``; only core partners count."""
    core = [p for p in partners if counts(p)]
    if not core:
        return Outcome(
            DecisionStatus.OPEN,
            (_("No core partner is represented in %(body)s, so it cannot decide.") % {"body": body},),
        )
    blocking = [p for p in core if kinds.get(p.pk) == PositionKind.BLOCK]
    if blocking:
        return Outcome(DecisionStatus.REJECTED, (_("Blocked by %(partners)s.") % {"partners": _names(blocking)},))
    if body.decision_rule == DecisionRule.QUALIFIED_MAJORITY:
        return _by_majority(body, core, kinds)
    return _by_consent(core, kinds)


def _by_consent(core: list[Partnership], kinds: Mapping[int, str]) -> Outcome:
    objecting = [p for p in core if kinds.get(p.pk) == PositionKind.OBJECTION]
    waiting = [p for p in core if p.pk not in kinds]
    reasons = []
    if objecting:
        reasons.append(
            _("The objection of %(partners)s stands: the proposer can amend the proposal.")
            % {"partners": _names(objecting)}
        )
    if waiting:
        reasons.append(_("Waiting for the position of %(partners)s.") % {"partners": _names(waiting)})
    if reasons:
        return Outcome(DecisionStatus.OPEN, tuple(reasons))
    if not any(kinds.get(p.pk) in IN_FAVOUR for p in core):
        return Outcome(DecisionStatus.OPEN, (_("Every core partner abstained: nobody has consented yet."),))
    reasons = [_("Every represented core partner consented or abstained.")]
    dissenting = [p for p in core if kinds.get(p.pk) == PositionKind.DISSENT]
    if dissenting:
        reasons.append(_("With recorded dissent of %(partners)s.") % {"partners": _names(dissenting)})
    return Outcome(DecisionStatus.ADOPTED, tuple(reasons))


def _by_majority(body: Body, core: list[Partnership], kinds: Mapping[int, str]) -> Outcome:
    answered = [p for p in core if p.pk in kinds]
    needed = max(1, math.ceil(len(core) * body.quorum_percent / 100))
    favour = sum(1 for p in core if kinds.get(p.pk) in IN_FAVOUR)
    cast = favour + sum(1 for p in core if kinds.get(p.pk) == PositionKind.OBJECTION)
    numbers = {
        "answered": len(answered),
        "total": len(core),
        "needed": needed,
        "favour": favour,
        "cast": cast,
        "majority": body.majority_percent,
    }
    quorum = _("%(answered)s of %(total)s represented core partners answered (quorum: %(needed)s).") % numbers
    if len(answered) < needed:
        return Outcome(DecisionStatus.OPEN, (quorum,))
    votes = _("%(favour)s of %(cast)s votes cast are in favour (%(majority)s%% needed).") % numbers
    if cast and favour * 100 >= body.majority_percent * cast:
        return Outcome(DecisionStatus.ADOPTED, (quorum, votes))
    if len(answered) == len(core):
        return Outcome(DecisionStatus.REJECTED, (quorum, votes))
    return Outcome(DecisionStatus.OPEN, (quorum, votes))


def outcome_of(decision: Decision, partners: list[Partnership] | None = None) -> Outcome:
    """The outcome now of the decision's current round (one or two queries)."""
    partners = represented(decision.body) if partners is None else partners
    kinds = dict(decision.positions.filter(round=decision.round).values_list("partnership_id", "kind"))
    return outcome(decision.body, partners, kinds)


# --- Proposing and amending --------------------------------------------------------------------


def _check_closing_date(closes_on: date | None, today: date) -> None:
    if closes_on is not None and closes_on < today:
        raise DecisionRefused(_("The closing date cannot be in the past."), "closes_on")


@transaction.atomic
def propose(person: Person, decision: Decision) -> Decision:
    """Save the proposal ``decision`` (built by the form) and ask every represented partner."""
    if not may_propose(person, decision.body):
        raise PermissionDenied
    _check_closing_date(decision.closes_on, timezone.localdate())
    decision.proposed_by = person
    decision.status = DecisionStatus.OPEN
    decision.round = 1
    decision.save()
    ask_partners(decision)
    return decision


@transaction.atomic
def amend(person: Person, decision: Decision, *, title: str, text: str, closes_on: date) -> Decision:
    """A new text: the round rises and every partner is asked again; earlier positions stay."""
    if not may_amend(person, decision):
        raise PermissionDenied
    locked = _locked(decision)
    if not locked.is_open:
        raise DecisionRefused(_("This decision is no longer open; it cannot be amended."))
    if title == locked.title and text == locked.text:
        raise DecisionRefused(_("Change the proposal's text: an amendment asks every partner again."), "text")
    _check_closing_date(closes_on, timezone.localdate())
    locked.title, locked.text, locked.closes_on = title, text, closes_on
    locked.round += 1
    locked.save(update_fields=["title", "text", "closes_on", "round"])
    ask_partners(locked)
    return locked


def ask_partners(decision: Decision) -> None:
    """Notify who may record each represented partner's position: once per decision and round."""
    body = decision.body
    people: dict[int, Person] = {}
    for partnership in represented(body):
        people.update((person.pk, person) for person in speakers_for(body, partnership))
    with translation.override(settings.LANGUAGE_CODE):
        if decision.round == 1:
            text = _("Your position is asked on “%(title)s” in %(body)s, by %(date)s.")
        else:
            text = _("The proposal “%(title)s” in %(body)s was amended: your position is asked again, by %(date)s.")
        text %= {"title": decision.title, "body": body, "date": decision.closes_on.strftime("%d-%m-%Y")}
    url = reverse("governance:decision_detail", args=[body.chain.slug, decision.pk])
    notify(people.values(), body.chain, text, url, key=f"decision-asked:{decision.pk}:{decision.round}")


def _locked(decision: Decision) -> Decision:
    """The decision's row, locked for the rest of the transaction, with the relations the caller had."""
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    locked.body = decision.body
    return locked


# --- Positions ---------------------------------------------------------------------------------


@dataclass
class Speaker:
    """Whether ``person`` may record a partner's position on the decision now, and for which."""

    partnership: Partnership | None  # None: they represent no partner in the body
    as_alternate: bool = False
    refusal: str | None = None  # why they may not (with a seat), else None
    refusal_field: str = "kind"
    members: list[Person] = field(default_factory=list)  # the seats they would stand in for


def _seats(person: Person, body: Body) -> list[BodyMember]:
    return list(
        BodyMember.objects.representing()
        .filter(Q(person=person) | Q(alternate=person), body=body)
        .select_related("partnership__organisation", "person")
    )


def speaker(person: Person, decision: Decision, today: date | None = None) -> Speaker:
    """Who ``person`` speaks for in the decision's body, and why they may not now (if so).

    The seat is the person's own or one they are the alternate of; the refusal checks, in order:
    the decision is open and its closing date has not passed, the policy's mandate rule
    (position_refusal), and for an alternate that the member is absent."""
    today = today or timezone.localdate()
    seats = _seats(person, decision.body) if person.is_authenticated else []
    # The stand-in of an absent member speaks as the member would (issue 15), not as an alternate.
    stood_in = stood_in_seats(person, decision.body, today) if person.is_authenticated else []
    seats += [seat for seat in stood_in if seat not in seats]
    if not seats:
        return Speaker(None)
    own = [seat for seat in seats if seat.person_id == person.pk or seat in stood_in]
    partnership = (own or seats)[0].partnership
    result = Speaker(partnership, as_alternate=not own, members=[seat.person for seat in seats if not own])
    if not decision.is_open:
        result.refusal, result.refusal_field = _("This decision is closed: positions can no longer change."), ""
    elif decision.closes_on < today:
        result.refusal = _("The closing date (%(date)s) has passed: positions can no longer be recorded.") % {
            "date": decision.closes_on.strftime("%d-%m-%Y")
        }
        result.refusal_field = ""
    else:
        result.refusal = position_refusal(person, decision.body, partnership, today)
        if result.refusal is None and result.as_alternate:
            result.refusal = _alternate_refusal(decision, [s for s in seats if s.partnership_id == partnership.pk])
    return result


def _alternate_refusal(decision: Decision, seats: list[BodyMember]) -> str | None:
    """An alternate speaks only for an absent member: at a meeting as its attendance says, in
    writing while the member has not answered."""
    members = ", ".join(str(seat.person) for seat in seats)
    if decision.way == DecisionWay.WRITTEN:
        answered = DecisionPosition.objects.filter(
            decision=decision, round=decision.round, partnership=seats[0].partnership, as_alternate=False
        ).exists()
        if answered:
            return _("%(members)s answered this round: an alternate answers only while the member has not.") % {
                "members": members
            }
        return None
    if decision.meeting_id is None:
        return _(
            "An alternate records the position at a meeting when %(members)s is recorded absent; this decision has "
            "no meeting yet."
        ) % {"members": members}
    absent = {AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.REPRESENTED}
    if not decision.meeting.attendance.filter(member__in=seats, status__in=absent).exists():
        return _(
            "%(members)s is not recorded as absent at the meeting of %(date)s: the member records the position."
        ) % {"members": members, "date": timezone.localtime(decision.meeting.starts_at).strftime("%d-%m-%Y")}
    return None


def position_token(position: DecisionPosition | None) -> str:
    """What the position form was based on: empty while nobody answered, else a hash of the
    saved position; a different one when the form comes back means someone changed it meanwhile."""
    if position is None:
        return ""
    recorded = position.recorded_at.isoformat() if position.recorded_at else ""
    text = f"{position.pk}|{position.round}|{position.kind}|{position.reason}|{position.recorded_by_id}|{recorded}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def check_kind(partnership: Partnership, kind: str, reason: str) -> None:
    """The partner may take this position, with a reason where one is needed."""
    if kind not in kinds_for(partnership):
        if kind == PositionKind.BLOCK:
            message = _("Only a core partner can block; %(org)s is a partner of the chain and gives advice.")
        elif kind == PositionKind.ADVICE:
            message = _("Advice is for partners of the chain; %(org)s is a core partner and takes a position.")
        else:
            message = _("%(org)s is a partner of the chain: it gives advice, which is shown but not counted.")
        raise DecisionRefused(message % {"org": partnership.organisation}, "kind")
    if kind in PositionKind.needing_reason() and not reason.strip():
        messages = {
            PositionKind.DISSENT: _("Give the reason for the dissent: it is recorded with the decision for good."),
            PositionKind.OBJECTION: _("Give the reason for the objection, so that the proposal can be amended."),
            PositionKind.BLOCK: _("Give the reason for the block."),
            PositionKind.ADVICE: _("Write the advice."),
        }
        raise DecisionRefused(messages[kind], "reason")


@transaction.atomic
def record_position(
    person: Person, decision: Decision, kind: str, reason: str, *, round_: int, based_on: str
) -> DecisionPosition:
    """Record (or change) the position of the partner ``person`` speaks for, in round ``round_``,
    on the form's view ``based_on`` (position_token). PermissionDenied for someone without a seat;
    DecisionRefused for everything else."""
    locked = _locked(decision)
    who = speaker(person, locked)
    if who.partnership is None:
        raise PermissionDenied
    if round_ != locked.round:
        raise DecisionRefused(
            _("The proposal was amended while you were answering. Read the new text and give your position again."),
            conflict=True,
        )
    if who.refusal:
        raise DecisionRefused(who.refusal, who.refusal_field or None)
    partnership = who.partnership
    reason = reason.strip()
    check_kind(partnership, kind, reason)
    current = (
        DecisionPosition.objects.select_for_update()
        .filter(decision=locked, round=locked.round, partnership=partnership)
        .select_related("recorded_by")
        .first()
    )
    if position_token(current) != based_on:
        raise DecisionRefused(_conflict_message(current), conflict=True)
    position = current or DecisionPosition(decision=locked, round=locked.round, partnership=partnership)
    position.partnership = partnership  # with its organisation: the audit trail names it
    position.kind, position.reason = kind, reason
    position.recorded_by, position.as_alternate = person, who.as_alternate
    position.for_person = acting_for(person, partnership, MandateScope.VOTE_IN_BODY)  # "by X for Y"
    try:
        with transaction.atomic():
            position.save()
    except IntegrityError:
        # Only without the row lock (never here, but a unique key never lies): someone was first.
        raise DecisionRefused(_conflict_message(None), conflict=True) from None
    return position


def _conflict_message(current: DecisionPosition | None) -> str:
    if current is None:
        return _("Someone else recorded this partner's position meanwhile. Nothing was saved; look again.")
    return _(
        "%(name)s recorded this partner's position meanwhile: “%(kind)s”. Nothing was saved; check it and send "
        "yours again to replace it."
    ) % {"name": current.recorded_by, "kind": current.get_kind_display()}


# --- Closing and withdrawing -------------------------------------------------------------------


@transaction.atomic
def close(person: Person, decision: Decision, *, statement: str, decided_on: date, review_on: date | None) -> Decision:
    """Record the outcome the body's rule gives, with a statement, the day and a review date."""
    if not may_run_meetings(person, decision.body):
        raise PermissionDenied
    locked = _locked(decision)
    if not locked.is_open:
        raise DecisionRefused(_("This decision is already closed."))
    today = timezone.localdate()
    # A written round past its closing date: the chain's silence rule (issue 15; decision_deadlines.py).
    from governance.services.decision_deadlines import at_closing

    silence = at_closing(locked, person, today)
    result = outcome_of(locked)
    status = result.status
    if status == DecisionStatus.OPEN:
        if locked.closes_on >= today:
            raise DecisionRefused(
                _(
                    "The body's rule leaves this decision open: %(why)s Wait for the closing date (%(date)s), amend or "
                    "withdraw the proposal."
                )
                % {"why": " ".join(result.reasons), "date": locked.closes_on.strftime("%d-%m-%Y")}
            )
        status = DecisionStatus.REJECTED  # not adopted by its closing date
    _check_close_dates(locked, decided_on, review_on, today)
    if not statement.strip():
        raise DecisionRefused(_("Write the outcome statement: what was decided, and why."), "outcome_statement")
    locked.status, locked.outcome_statement = status, "\n\n".join(filter(None, [statement.strip(), silence]))
    locked.decided_on, locked.review_on = decided_on, review_on
    locked.save(update_fields=["status", "outcome_statement", "decided_on", "review_on"])
    # A decision about an indicator proposal decides the proposal too, in this transaction (issue 15).
    from governance.services.proposal_agenda import record_body_decision

    record_body_decision(locked, person)
    return locked


def _check_close_dates(decision: Decision, decided_on: date, review_on: date | None, today: date) -> None:
    proposed = timezone.localdate(decision.created_at)
    if decided_on > today:
        raise DecisionRefused(_("The day of the decision cannot be in the future."), "decided_on")
    if decided_on < proposed:
        raise DecisionRefused(
            _("The day of the decision cannot be before the proposal (%(date)s).")
            % {"date": proposed.strftime("%d-%m-%Y")},
            "decided_on",
        )
    if review_on is not None and review_on <= decided_on:
        raise DecisionRefused(_("The review date comes after the day of the decision."), "review_on")


@transaction.atomic
def withdraw(person: Person, decision: Decision, reason: str) -> Decision:
    """The proposal is withdrawn (with the reason, as its outcome statement): it stays in the register."""
    if not may_amend(person, decision):
        raise PermissionDenied
    locked = _locked(decision)
    if not locked.is_open:
        raise DecisionRefused(_("This decision is no longer open; it cannot be withdrawn."))
    if not reason.strip():
        raise DecisionRefused(_("Say why the proposal is withdrawn."), "reason")
    locked.status, locked.outcome_statement = DecisionStatus.WITHDRAWN, reason.strip()
    locked.decided_on = timezone.localdate()
    locked.save(update_fields=["status", "outcome_statement", "decided_on"])
    return locked


# --- The review date ---------------------------------------------------------------------------


def review_key(decision: Decision) -> str:
    """The reminder's key: once per decision and review date (a new date is a new occasion)."""
    return f"decision-review:{decision.pk}:{decision.review_on.isoformat()}"


def send_review_reminders(today: date | None = None, pause: Callable[[], None] | None = None) -> int:
    """Tell each body's chair and secretary, once, that a decision's review date has come (the
    chain's programme managers when the body has neither). Decisions whose review date passed up
    to REVIEW_CATCH_UP_DAYS ago are still reminded, so a beat that was down catches up; the
    notification's unique key (person, key) keeps it to once, also with two beats at a time or a
    run killed halfway and run again (each decision's notifications are committed on their own).
    ``pause`` (tests only) runs after each decision. Returns how many notifications were created."""
    today = today or timezone.localdate()
    decisions = list(
        Decision.objects.filter(
            status__in=[DecisionStatus.ADOPTED, DecisionStatus.REJECTED],
            review_on__gte=today - timedelta(days=REVIEW_CATCH_UP_DAYS),
            review_on__lte=today,
        ).select_related("body__chain")
    )
    if not decisions:
        return 0
    people = _reviewers({decision.body for decision in decisions})
    sent = 0
    for decision in decisions:
        body = decision.body
        with translation.override(settings.LANGUAGE_CODE):
            text = _("The review date of “%(title)s” (%(body)s) has come: put it on the agenda.") % {
                "title": decision.title,
                "body": body,
            }
        url = reverse("governance:decision_detail", args=[body.chain.slug, decision.pk])
        sent += len(notify(people.get(body.pk, []), body.chain, text, url, key=review_key(decision)))
        if pause is not None:
            pause()
    return sent


def _reviewers(bodies: set[Body]) -> dict[int, list[Person]]:
    """Per body id, its chair and secretary; for a body with neither, its chain's programme managers."""
    result: dict[int, list[Person]] = {}
    seats = BodyMember.objects.filter(
        body__in=bodies, position__in=[MemberPosition.CHAIR, MemberPosition.SECRETARY]
    ).select_related("person")
    for seat in seats:
        result.setdefault(seat.body_id, []).append(seat.person)
    bare = {body.chain_id for body in bodies if body.pk not in result}
    if bare:
        managers: dict[int, list[Person]] = {}
        for membership in Membership.objects.filter(chain__in=bare, role=Role.PROGRAMME_MANAGER).select_related(
            "person"
        ):
            managers.setdefault(membership.chain_id, []).append(membership.person)
        for body in bodies:
            if body.pk not in result:
                result[body.pk] = managers.get(body.chain_id, [])
    return result
