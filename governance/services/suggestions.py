"""What the portal suggests for a meeting's agenda, and the secretary's one-click answer.

Suggestions are computed, not stored: each time from the chain's and the body's state, in a fixed
number of queries whatever the size of the history (``QUERIES``; tests hold it, the benchmark
times it as ``agenda_suggestions_p95``). Only the answer is stored: accepting makes an
AgendaItem with the suggestion's ``key`` and records a SuggestionChoice; dismissing records a
SuggestionChoice only. Either way the suggestion is not made again for that meeting.

What is suggested, for meeting M of body B:

- **carry**: items of B's previous meeting (the latest before M that was not cancelled) not
  finished there (AgendaItemStatus.UNFINISHED); the new item keeps its links and points back to
  it (``carried_from``). An action carried over this way is marked ``carried_over``.
- **action**: B's actions still open whose due date lies before M's day.
- **decision**: B's open decisions to be taken at a meeting, not meant for a later meeting.
- **review**: B's decided decisions whose review date falls before B's next meeting after M (or
  within 31 days of M when none is planned) and not before B's previous meeting, which had its own
  turn; not when a meeting of B from the previous one on has them on its agenda already.
- **proposal**: indicator versions of the chain proposed for consent, when B is strategic (the
  chain's steering group), or when a decision of B is about the proposal.
- **stalled_proposal** (strategic bodies, in a chain where silence is not consent): a proposal
  whose answer deadline passed before every core partner answered stays open and is flagged
  instead, with the deadline and the partners that stayed silent (issue 15); not while a decision
  about it is open (governance/services/proposal_agenda.py put it before the body: that decision
  is suggested).
- **indicator**: the chain's indicators off track or at risk, as their dashboard tile says
  (ambitions.services.dashboard.standings: the same rule and roll-ups).
- **capacity**, **course_check**, **early_warning** (strategic bodies only): a partner's capacity assessment scoring
  2 or lower or dropping by 2 (governance/services/capacity_flags.py), a course check whose alert
  went off (governance/services/course_check_alerts.py), an early warning the programme manager
  accepted (governance/services/early_warning_decisions.py); see governance/services/agenda_flags.py.
- **escalation**: open bottlenecks escalated to B (by hand or by the sweep) that B has not
  responded to yet (governance/services/bottlenecks.py); accepted, the item carries the
  bottleneck's title and where it came from.

Nothing is suggested twice on one agenda: a key answered before, or an object the agenda already
links to (typed in by hand), is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambitions.models import IndicatorVersion, VersionStatus
from ambitions.periods import Period
from ambitions.services.dashboard import standings
from ambitions.services.progress import Status
from governance.models import (
    ActionItem,
    AgendaItem,
    AgendaItemStatus,
    BodyLevel,
    Bottleneck,
    Decision,
    DecisionStatus,
    DecisionWay,
    Escalation,
    Meeting,
    MeetingStatus,
    SuggestionChoice,
)
from governance.services import agenda, capacity_flags, course_check_alerts, early_warning_decisions, proposal_agenda
from governance.services.agenda_flags import AgendaFlag
from stakeholders.models import Person, SilenceRule

# Queries compute() runs, whatever the number of meetings, decisions, actions and indicators:
# the agenda's links and the answers (2), the previous and next meeting (2), the previous
# meeting's unfinished items (1), overdue actions (1), decisions (1), proposals (1), and the
# indicators' standings (4: ambitions.services.dashboard.standings), escalated bottlenecks (1);
# for a strategic body also the capacity flags and the course checks' alerts, and when a proposal
# is past its answer deadline its chain's core partners and their answers (2).
QUERIES = 15 + capacity_flags.QUERIES + course_check_alerts.QUERIES + early_warning_decisions.QUERIES

# Without a next meeting planned, reviews this many days ahead are suggested.
REVIEW_HORIZON_DAYS = 31


class SuggestionKind(models.TextChoices):
    CARRY = "carry", gettext_lazy("Not finished at the previous meeting")
    ACTION = "action", gettext_lazy("Overdue action")
    DECISION = "decision", gettext_lazy("Decision waiting for this body")
    REVIEW = "review", gettext_lazy("Decision to review")
    PROPOSAL = "proposal", gettext_lazy("Indicator proposal waiting for consent")
    STALLED_PROPOSAL = "stalled_proposal", gettext_lazy("Indicator proposal past its answer deadline")
    INDICATOR = "indicator", gettext_lazy("Indicator off track or at risk")
    ESCALATION = "escalation", gettext_lazy("Bottleneck escalated to this body")
    CAPACITY = "capacity", gettext_lazy("A partner's capacity is under pressure")
    COURSE_CHECK = "course_check", gettext_lazy("Course check: support is dropping")
    EARLY_WARNING = "early_warning", gettext_lazy("Early warning: an indicator heading off target")


# The AgendaItem field each kind links its object to (a carried item copies its source's links).
LINK_OF = {
    SuggestionKind.ACTION: "action",
    SuggestionKind.DECISION: "decision",
    SuggestionKind.REVIEW: "decision",
    SuggestionKind.PROPOSAL: "indicator_version",
    SuggestionKind.STALLED_PROPOSAL: "indicator_version",
    SuggestionKind.INDICATOR: "indicator",
}


@dataclass(frozen=True)
class Suggestion:
    """One suggested item. Its words (``title``, ``reason``) are made when they are shown, from the
    plain values kept here, so computing a long list costs no formatting."""

    kind: SuggestionKind
    object_id: int  # of the suggested object (for carry: the unfinished item)
    subject: str  # the item's, decision's or indicator's title, the action's description
    day: date | None = None  # carry: the previous meeting; action: due; decision: closes; review: review date;
    # stalled_proposal: the answer deadline
    owner: str = ""  # action: its owner; escalation: the body it came from; capacity, course_check: the reason;
    # stalled_proposal: the partners that stayed silent
    status: str = ""  # indicator: its status
    period: Period | None = None  # indicator: the period of that status
    number: int | None = None  # proposal: the version's number
    source: AgendaItem | None = None  # carry: the unfinished item of the previous meeting
    presenter_id: int | None = None
    links: dict[str, int] = field(default_factory=dict)  # AgendaItem link field → id

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    @property
    def kind_label(self) -> str:
        return str(self.kind.label)

    @property
    def title(self) -> str:
        """The agenda item's title when accepted."""
        if self.kind == SuggestionKind.ACTION:
            text = _("Action: %(text)s") % {"text": Truncator(" ".join(self.subject.split())).chars(200)}
        elif self.kind == SuggestionKind.REVIEW:
            text = _("Review: %(title)s") % {"title": self.subject}
        elif self.kind in (SuggestionKind.PROPOSAL, SuggestionKind.STALLED_PROPOSAL):
            text = _("Indicator proposal: %(name)s, version %(number)s") % {"name": self.subject, "number": self.number}
        elif self.kind == SuggestionKind.ESCALATION:
            text = _("Bottleneck: %(title)s") % {"title": self.subject}
        else:
            text = self.subject
        return Truncator(text).chars(300)

    @property
    def reason(self) -> str:
        """Why it is suggested, in words."""
        day = date_format(self.day, "DATE_FORMAT") if self.day else ""
        if self.kind == SuggestionKind.CARRY:
            return _("Not finished at the meeting of %(day)s.") % {"day": day}
        if self.kind == SuggestionKind.ACTION:
            return _("Due %(day)s; owner %(owner)s.") % {"day": day, "owner": self.owner}
        if self.kind == SuggestionKind.DECISION:
            return _("Open; closes %(day)s.") % {"day": day}
        if self.kind == SuggestionKind.REVIEW:
            return _("Review date %(day)s.") % {"day": day}
        if self.kind == SuggestionKind.PROPOSAL:
            return _("Proposed; waits for the consent of the core partners.")
        if self.kind == SuggestionKind.STALLED_PROPOSAL:
            return _(
                "The answer deadline (%(day)s) has passed; silence is not consent, so the proposal stays open. Not "
                "answered: %(partners)s."
            ) % {"day": day, "partners": self.owner}
        if self.kind == SuggestionKind.ESCALATION:
            return _("Escalated from %(body)s; a response is due by %(day)s.") % {"body": self.owner, "day": day}
        if self.kind in (SuggestionKind.CAPACITY, SuggestionKind.COURSE_CHECK, SuggestionKind.EARLY_WARNING):
            return self.owner  # the flag's reason (agenda_flags.AgendaFlag), in words already
        return _("%(status)s in %(period)s.") % {"status": Status(self.status).label, "period": self.period.label()}


class SuggestionGone(Exception):
    """The key is not (or no longer) suggested for the meeting: answered already, or never made."""


# --- Computing ---------------------------------------------------------------------------------


def meeting_day(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def compute(meeting: Meeting, today: date | None = None) -> list[Suggestion]:
    """The meeting's open suggestions, in the order a secretary would take them; ``meeting``
    with ``body__chain`` loaded. A constant number of queries (QUERIES)."""
    today = today or timezone.localdate()
    body = meeting.body
    answered, linked = _taken(meeting)
    meetings = Meeting.objects.filter(body=body).exclude(status=MeetingStatus.CANCELLED).exclude(pk=meeting.pk)
    previous = meetings.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at").first()
    following = meetings.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").only("starts_at").first()
    found = [
        *_carried(previous),
        *_overdue_actions(meeting),
        *_decisions(meeting, previous, following),
        *_escalations(meeting),
        *_proposals(meeting, today),
        *_indicators(meeting, today),
        *_flags(meeting, today),
    ]
    return [
        s
        for s in found
        if s.key not in answered
        and not any(value in linked[name] for name, value in s.links.items())
        and not (s.kind == SuggestionKind.CARRY and s.object_id in linked["carried_from"])
    ]


def _taken(meeting: Meeting) -> tuple[set[str], dict[str, set[int]]]:
    """Keys answered for the meeting, and per link field the ids its agenda links to."""
    answered = set(SuggestionChoice.objects.filter(meeting=meeting).values_list("key", flat=True))
    names = [*agenda.LINK_FIELDS, "carried_from"]
    linked: dict[str, set[int]] = {name: set() for name in names}
    for row in meeting.agenda_items.values_list("suggestion_key", *(f"{name}_id" for name in names)):
        if row[0]:
            answered.add(row[0])
        for name, value in zip(names, row[1:], strict=True):
            if value is not None:
                linked[name].add(value)
    return answered, linked


def _carried(previous: Meeting | None) -> list[Suggestion]:
    if previous is None:
        return []
    day = meeting_day(previous)
    found = []
    for item in previous.agenda_items.filter(status=AgendaItemStatus.UNFINISHED).order_by("order", "pk"):
        links = {name: getattr(item, f"{name}_id") for name in agenda.LINK_FIELDS if getattr(item, f"{name}_id")}
        found.append(
            Suggestion(
                SuggestionKind.CARRY, item.pk, item.title, day, source=item, presenter_id=item.presenter_id, links=links
            )
        )
    return found


def _overdue_actions(meeting: Meeting) -> list[Suggestion]:
    actions = (
        ActionItem.objects.filter(body=meeting.body)
        .overdue(meeting_day(meeting))
        .order_by("due_on", "pk")
        .values_list("pk", "description", "due_on", "owner_id", "owner__full_name")
    )
    return [
        Suggestion(SuggestionKind.ACTION, pk, text, due, owner=name, presenter_id=owner, links={"action": pk})
        for pk, text, due, owner, name in actions
    ]


def _decisions(meeting: Meeting, previous: Meeting | None, following: Meeting | None) -> list[Suggestion]:
    """Open decisions for a meeting of the body, and decided ones due for review (one query).

    A review date is due at this meeting when it falls before the next one (or within
    REVIEW_HORIZON_DAYS when none is planned) and not before the previous one, which had its
    own turn; once a meeting from the previous one on has it on its agenda, it is not again."""
    day = meeting_day(meeting)
    until = meeting_day(following) if following else day + timedelta(days=REVIEW_HORIZON_DAYS)
    waiting = Q(status=DecisionStatus.OPEN, way=DecisionWay.MEETING) & (
        Q(meeting__isnull=True) | Q(meeting=meeting) | Q(meeting__starts_at__lt=meeting.starts_at)
    )
    on_agenda = AgendaItem.objects.filter(decision=OuterRef("pk"), meeting__body=meeting.body).exclude(meeting=meeting)
    review = Q(status__in=[DecisionStatus.ADOPTED, DecisionStatus.REJECTED], review_on__lt=until)
    if previous is not None:
        review &= Q(review_on__gte=meeting_day(previous))
        on_agenda = on_agenda.filter(meeting__starts_at__gte=previous.starts_at)
    review &= ~Exists(on_agenda)
    rows = (
        Decision.objects.filter(body=meeting.body)
        .filter(waiting | review)
        .values_list("pk", "title", "status", "closes_on", "review_on")
    )
    found = []
    # Waiting decisions by closing date, then reviews by review date.
    for pk, title, status, closes_on, review_on in sorted(
        rows, key=lambda row: (row[2] != DecisionStatus.OPEN, row[4] or row[3], row[0])
    ):
        if status == DecisionStatus.OPEN:
            found.append(Suggestion(SuggestionKind.DECISION, pk, title, closes_on, links={"decision": pk}))
        else:
            found.append(Suggestion(SuggestionKind.REVIEW, pk, title, review_on, links={"decision": pk}))
    return found


def _escalations(meeting: Meeting) -> list[Suggestion]:
    """Open bottlenecks that came up the ladder to the meeting's body and wait for its response
    (``owner`` holds the body they came from, ``day`` the response's due date)."""
    arrived = Escalation.objects.filter(bottleneck=OuterRef("pk"), to_body=meeting.body_id).order_by("-at", "-pk")
    rows = (
        Bottleneck.objects.filter(body=meeting.body_id)
        .awaiting_response()
        .annotate(came_from=Subquery(arrived.values("from_body__name")[:1]))
        .filter(came_from__isnull=False)
        .order_by("due_on", "pk")
        .values_list("pk", "title", "due_on", "owner_id", "came_from")
    )
    return [
        Suggestion(SuggestionKind.ESCALATION, pk, title, due, owner=came_from, presenter_id=owner)
        for pk, title, due, owner, came_from in rows
    ]


def _flags(meeting: Meeting, today: date) -> list[Suggestion]:
    """The chain's self-checks that need its steering group: only on a strategic body's agenda."""
    if meeting.body.level != BodyLevel.STRATEGIC:
        return []

    def made(kind: SuggestionKind, flags: list[AgendaFlag]) -> list[Suggestion]:
        return [Suggestion(kind, f.object_id, f.subject, owner=f.reason) for f in flags]

    return [
        *made(SuggestionKind.CAPACITY, capacity_flags.agenda_flags(meeting, today)),
        *made(SuggestionKind.COURSE_CHECK, course_check_alerts.agenda_flags(meeting, today)),
        *made(SuggestionKind.EARLY_WARNING, early_warning_decisions.agenda_flags(meeting, today)),
    ]


def _proposals(meeting: Meeting, today: date) -> list[Suggestion]:
    """Proposals waiting for consent; on a strategic body those past their answer deadline (in a
    chain where silence is not consent) flagged first, with who stayed silent (two queries more)."""
    body = meeting.body
    versions = IndicatorVersion.objects.filter(status=VersionStatus.PROPOSED, indicator__ambition__chain=body.chain_id)
    flags_stalled = body.level == BodyLevel.STRATEGIC and body.chain.silence_rule == SilenceRule.NOT_CONSENT
    if body.level != BodyLevel.STRATEGIC:
        versions = versions.filter(Exists(Decision.objects.filter(body=body, indicator_version=OuterRef("pk"))))
    before_the_body = Exists(Decision.objects.filter(indicator_version=OuterRef("pk"), status=DecisionStatus.OPEN))
    rows = (
        versions.annotate(before_the_body=before_the_body)
        .order_by("indicator__name", "number")
        .values_list("pk", "indicator__name", "number", "answer_by", "before_the_body")
    )
    waiting, stalled = [], []
    for pk, name, number, answer_by, before_the_body in rows:
        if flags_stalled and answer_by is not None and answer_by < today:
            if not before_the_body:
                stalled.append((pk, name, number, answer_by))
        else:
            waiting.append(
                Suggestion(SuggestionKind.PROPOSAL, pk, name, number=number, links={"indicator_version": pk})
            )
    silent = proposal_agenda.silent_partner_names([pk for pk, *_ in stalled], body.chain_id)
    flagged = [
        Suggestion(
            SuggestionKind.STALLED_PROPOSAL,
            pk,
            name,
            day=answer_by,
            owner=", ".join(silent.get(pk, [])),
            number=number,
            links={"indicator_version": pk},
        )
        for pk, name, number, answer_by in sorted(stalled, key=lambda row: (row[3], row[1], row[2]))
    ]
    return flagged + waiting


def _indicators(meeting: Meeting, today: date) -> list[Suggestion]:
    worst_first = {Status.OFF_TRACK: 0, Status.AT_RISK: 1}
    ranked = [(i, s) for i, s in standings(meeting.body.chain, today) if s.status in worst_first]
    return [
        Suggestion(
            SuggestionKind.INDICATOR,
            indicator.pk,
            indicator.name,
            status=standing.status,
            period=standing.headline.period,
            links={"indicator": indicator.pk},
        )
        for indicator, standing in sorted(ranked, key=lambda pair: worst_first[pair[1].status])
    ]


# --- Answering ---------------------------------------------------------------------------------


def _find(meeting: Meeting, key: str) -> Suggestion:
    found = next((s for s in compute(meeting) if s.key == key), None)
    if found is None:
        raise SuggestionGone(key)
    return found


def accept(meeting: Meeting, key: str, by: Person) -> AgendaItem:
    """Put the suggestion on the agenda (last) and record the answer. Raises MeetingClosed when
    the agenda no longer changes, SuggestionGone when ``key`` is not an open suggestion (already
    answered, or no suggestion of this meeting at all: a key naming another chain's object is
    never suggested here, so never linked)."""
    with transaction.atomic():
        meeting = agenda.lock_meeting(meeting)
        agenda.check_agenda_open(meeting)
        suggestion = _find(meeting, key)
        source = suggestion.source
        item = AgendaItem(
            meeting=meeting,
            order=agenda.next_order(meeting),
            title=suggestion.title,
            presenter_id=suggestion.presenter_id,
            suggestion_key=suggestion.key,
            carried_from=source,
            **{f"{name}_id": value for name, value in suggestion.links.items()},
        )
        if source is not None:
            item.duration_minutes = source.duration_minutes
            item.description = source.description
        item.save()
        _answer(meeting, key, True, by)
        agenda.after_linking(item)
    return item


def dismiss(meeting: Meeting, key: str, by: Person) -> None:
    """Record that the suggestion is not wanted on this meeting's agenda."""
    with transaction.atomic():
        meeting = agenda.lock_meeting(meeting)
        agenda.check_agenda_open(meeting)
        _find(meeting, key)
        _answer(meeting, key, False, by)


def _answer(meeting: Meeting, key: str, accepted: bool, by: Person) -> None:
    try:
        with transaction.atomic():
            SuggestionChoice.objects.create(meeting=meeting, key=key, accepted=accepted, by=by)
    except IntegrityError as exc:  # answered meanwhile (the meeting lock makes this rare)
        raise SuggestionGone(key) from exc
