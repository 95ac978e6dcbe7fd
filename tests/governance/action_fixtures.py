"""Governance objects for the actions tests (actions, My work, chain home, API): bodies with seats,
meetings, agenda items, decisions and actions on top of tests/conftest.py's world."""

from __future__ import annotations

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
from stakeholders.models import Chain, Partnership, Person


def body(chain: Chain, name: str = "Stuurgroep", level: str = BodyLevel.STRATEGIC) -> Body:
    return Body.objects.create(chain=chain, name=name, level=level)


def seat(
    body: Body,
    person: Person,
    partnership: Partnership | None = None,
    position: str = MemberPosition.MEMBER,
    alternate: Person | None = None,
) -> BodyMember:
    return BodyMember.objects.create(
        body=body, person=person, partnership=partnership, position=position, alternate=alternate
    )


def meeting(body: Body, starts_at: datetime | None = None, status: str = MeetingStatus.DRAFT, **fields) -> Meeting:
    starts_at = starts_at or timezone.now() + timedelta(days=7)
    return Meeting.objects.create(
        body=body, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), status=status, **fields
    )


def agenda_item(meeting: Meeting, title: str = "Voortgang") -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, title=title)


def decision(
    body: Body, proposed_by: Person, title: str = "Besluit", closes_on: date | None = None, **fields
) -> Decision:
    closes_on = closes_on or timezone.localdate() + timedelta(days=14)
    return Decision.objects.create(
        body=body, proposed_by=proposed_by, title=title, text="Voorstel.", closes_on=closes_on, **fields
    )


def action(body: Body, owner: Person, due_on: date | None = None, description: str = "Notitie opstellen", **fields):
    due_on = due_on or timezone.localdate() + timedelta(days=14)
    return ActionItem.objects.create(body=body, owner=owner, due_on=due_on, description=description, **fields)
