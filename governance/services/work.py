"""What governance asks of a person (*My work*) and what the chain home shows, each in a fixed
number of queries whatever the number of chains, bodies, meetings and decisions.

``positions_to_record`` restates ``policy.speakers_for`` for one person over all bodies at once:
a representing seat (as member or alternate) with a usable mandate to vote in a body for that
seat's partner. tests/governance/test_my_work_governance.py holds the two to agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from governance.models import (
    ActionItem,
    BodyMember,
    Decision,
    DecisionPosition,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    MemberPosition,
)
from stakeholders.models import Chain, Mandate, MandateScope, Partnership

# Draft meetings starting within this many days ask for their agenda to be published; a series
# planned a year ahead does not fill My work with eleven more.
PREPARE_WITHIN = timedelta(days=42)
MY_ACTIONS_SHOWN = 20
HOME_MEETINGS_SHOWN = 5
HOME_PROPOSALS_SHOWN = 10
HOME_ACTIONS_SHOWN = 10


@dataclass(frozen=True)
class PositionToRecord:
    """An open decision on which ``partnership`` has not answered this round, and the user may
    speak for it (as its member or as the member's alternate)."""

    decision: Decision
    partnership: Partnership
    as_alternate: bool


def _voting_seats(user, today: date) -> list[tuple[int, int, bool]]:
    """(body id, partnership id, as alternate) of the user's seats from which they may record the
    partner's position today: speakers_for's rule, for every body at once (one query)."""
    usable = Mandate.objects.usable_on(today).filter(
        person=user, scope=MandateScope.VOTE_IN_BODY, partnership=OuterRef("partnership")
    )
    seats = (
        BodyMember.objects.representing()
        .filter(Q(person=user) | Q(alternate=user), body__chain__in=Chain.objects.visible_to(user))
        .filter(Exists(usable))
        .values_list("body_id", "partnership_id", "person_id")
    )
    return [(body_id, partnership_id, person_id != user.pk) for body_id, partnership_id, person_id in seats]


def positions_to_record(user, today: date | None = None) -> list[PositionToRecord]:
    """Open decisions (not past their closing date) on which a partner the user may speak for has
    not recorded its position in the current round; four queries."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    seats = _voting_seats(user, today)
    if not seats:
        return []
    decisions = list(
        Decision.objects.filter(
            status=DecisionStatus.OPEN, closes_on__gte=today, body_id__in={body_id for body_id, _, _ in seats}
        )
        .select_related("body__chain")
        .order_by("closes_on", "pk")
    )
    if not decisions:
        return []
    answered = set(
        DecisionPosition.objects.filter(decision__in=decisions, round=F("decision__round")).values_list(
            "decision_id", "partnership_id"
        )
    )
    partnerships = Partnership.objects.filter(pk__in={p for _, p, _ in seats}).select_related("organisation")
    partnership_of = {partnership.pk: partnership for partnership in partnerships}
    # A person may be both member and alternate for a partner in one body: asked once, as member.
    seats_of: dict[int, dict[int, bool]] = {}
    for body_id, partnership_id, as_alternate in seats:
        known = seats_of.setdefault(body_id, {})
        known[partnership_id] = known.get(partnership_id, True) and as_alternate
    return [
        PositionToRecord(decision, partnership_of[partnership_id], as_alternate)
        for decision in decisions
        for partnership_id, as_alternate in sorted(seats_of.get(decision.body_id, {}).items())
        if (decision.pk, partnership_id) not in answered
    ]


@dataclass(frozen=True)
class MeetingsToPrepare:
    agendas_to_publish: list[Meeting]  # draft meetings soon, in bodies the user runs
    minutes_to_approve: list[Meeting]  # held meetings of bodies the user chairs


def meetings_to_prepare(user, now: datetime | None = None) -> MeetingsToPrepare:
    """One query: the draft meetings of the coming weeks in bodies where the user is chair,
    vice-chair or secretary, and the held meetings (minutes not approved) of bodies they chair."""
    if not user.is_authenticated:
        return MeetingsToPrepare([], [])
    now = now or timezone.now()
    seats = BodyMember.objects.filter(person=user, body__chain__in=Chain.objects.visible_to(user))
    running = seats.filter(position__in=MemberPosition.running_meetings()).values("body_id")
    chairing = seats.filter(position__in=[MemberPosition.CHAIR, MemberPosition.VICE_CHAIR]).values("body_id")
    draft_soon = Q(
        body_id__in=running, status=MeetingStatus.DRAFT, starts_at__gte=now, starts_at__lt=now + PREPARE_WITHIN
    )
    held = Q(body_id__in=chairing, status=MeetingStatus.HELD)
    meetings = list(Meeting.objects.filter(draft_soon | held).select_related("body__chain").order_by("starts_at", "pk"))
    return MeetingsToPrepare(
        [meeting for meeting in meetings if meeting.status == MeetingStatus.DRAFT],
        [meeting for meeting in meetings if meeting.status == MeetingStatus.HELD],
    )


def open_actions_of(user) -> list[ActionItem]:
    """The user's own actions that are not closed, earliest due first, over all their chains (one
    query; at most MY_ACTIONS_SHOWN + 1, so the page can say there are more)."""
    if not user.is_authenticated:
        return []
    actions = ActionItem.objects.visible_to(user).filter(owner=user).still_open()
    return list(actions.select_related("body__chain").order_by("due_on", "pk")[: MY_ACTIONS_SHOWN + 1])


@dataclass(frozen=True)
class ChainOverview:
    next_meetings: list[Meeting]
    open_proposals: list[Decision]
    overdue_actions: list[ActionItem]
    overdue_count: int


def chain_overview(chain: Chain, now: datetime | None = None) -> ChainOverview:
    """The chain home's governance part: the next meetings, the open proposals (earliest closing
    first) and the overdue actions (longest overdue first); four queries."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.filter(body__chain=chain, starts_at__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("starts_at", "pk")[:HOME_MEETINGS_SHOWN]
    )
    proposals = (
        Decision.objects.filter(body__chain=chain, status=DecisionStatus.OPEN)
        .select_related("body")
        .order_by("closes_on", "pk")[:HOME_PROPOSALS_SHOWN]
    )
    overdue = ActionItem.objects.filter(body__chain=chain).overdue(timezone.localdate(now))
    shown = list(overdue.select_related("body", "owner").order_by("due_on", "pk")[:HOME_ACTIONS_SHOWN])
    count = len(shown) if len(shown) < HOME_ACTIONS_SHOWN else overdue.count()
    return ChainOverview(list(meetings), list(proposals), shown, count)
