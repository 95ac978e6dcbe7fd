"""A body with seats and meetings for the agenda, attendance and minutes tests, on top of the test
world (tests/conftest.py).

``Board`` in zsm: the steering group (strategic, quorum 50%) where lead B chairs for partner B,
lead A sits for partner A with contributor A as alternate, and ``secretary`` (a viewer of zsm
without an organisation) keeps the minutes. ``meeting`` is next week's, announced; ``previous``
was held a month ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from governance.models import (
    ActionItem,
    AgendaItem,
    Body,
    BodyLevel,
    BodyMember,
    Decision,
    Meeting,
    MeetingStatus,
    MemberPosition,
)
from stakeholders.models import Person, Role
from tests.conftest import World
from tests.factories import MembershipFactory, PersonFactory


@dataclass
class Board:
    world: World
    body: Body
    secretary: Person
    chair_seat: BodyMember
    member_seat: BodyMember
    meeting: Meeting
    previous: Meeting

    @property
    def chair(self) -> Person:
        return self.world.lead_b


def make_meeting(body: Body, starts_at: datetime, status: str = MeetingStatus.DRAFT, minutes: int = 120) -> Meeting:
    return Meeting.objects.create(
        body=body, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), status=status
    )


def at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def build_board(w: World, level: str = BodyLevel.STRATEGIC, name: str = "Stuurgroep ZSM") -> Board:
    body = Body.objects.create(chain=w.chain, name=name, level=level, quorum_percent=50)
    secretary = PersonFactory(email=f"secretaris-{body.pk}@example.nl", full_name="Sam Secretaris")
    MembershipFactory(person=secretary, chain=w.chain, role=Role.VIEWER)
    BodyMember.objects.create(body=body, person=secretary, position=MemberPosition.SECRETARY)
    chair_seat = BodyMember.objects.create(
        body=body, person=w.lead_b, partnership=w.partner_b, position=MemberPosition.CHAIR
    )
    member_seat = BodyMember.objects.create(
        body=body, person=w.lead_a, partnership=w.partner_a, position=MemberPosition.MEMBER, alternate=w.contributor_a
    )
    today = timezone.localdate()
    previous = make_meeting(body, at(today - timedelta(days=30)), MeetingStatus.HELD)
    meeting = make_meeting(body, at(today + timedelta(days=7)), MeetingStatus.ANNOUNCED)
    return Board(w, body, secretary, chair_seat, member_seat, meeting, previous)


def item(meeting: Meeting, title: str = "Voortgang", order: int = 0, **fields) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, title=title, order=order, **fields)


def decision(body: Body, by: Person, title: str = "Besluit", **fields) -> Decision:
    fields.setdefault("closes_on", timezone.localdate() + timedelta(days=14))
    return Decision.objects.create(body=body, proposed_by=by, title=title, text="Voorstel.", **fields)


def action(body: Body, owner: Person, due_on: date, description: str = "Notitie opstellen", **fields) -> ActionItem:
    return ActionItem.objects.create(body=body, owner=owner, due_on=due_on, description=description, **fields)
