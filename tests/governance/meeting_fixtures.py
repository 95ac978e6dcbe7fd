"""A body with seats for the meetings tests (planning, states, notices, iCalendar, the feed), on
top of tests/conftest.py's world.

``Stuurgroep ZSM``: a secretary (someone without an organisation, a viewer of zsm), lead A for
Politie with contributor A as alternate, lead B for the OM. So its meetings go to four people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from governance.models import Body, BodyLevel, BodyMember, Meeting, MeetingStatus, MemberPosition
from stakeholders.models import Person, Role
from tests.conftest import World
from tests.factories import MembershipFactory, PersonFactory, morning


@dataclass
class Seats:
    body: Body
    secretary: Person

    @property
    def invited(self) -> set[str]:
        """The addresses a notice of this body's meetings goes to."""
        return {"secretary@example.nl", "lead-a@example.nl", "contributor@example.nl", "lead-b@example.nl"}


def build_seats(w: World, name: str = "Stuurgroep ZSM") -> Seats:
    body = Body.objects.create(chain=w.chain, name=name, level=BodyLevel.STRATEGIC, meeting_minutes=90)
    secretary = PersonFactory(email="secretary@example.nl", full_name="Sanne Secretaris")
    MembershipFactory(person=secretary, chain=w.chain, role=Role.VIEWER)
    BodyMember.objects.create(body=body, person=secretary, position=MemberPosition.SECRETARY)
    BodyMember.objects.create(
        body=body, person=w.lead_a, partnership=w.partner_a, position=MemberPosition.CHAIR, alternate=w.contributor_a
    )
    BodyMember.objects.create(body=body, person=w.lead_b, partnership=w.partner_b, position=MemberPosition.MEMBER)
    return Seats(body=body, secretary=secretary)


def a_meeting(body: Body, starts_at: datetime | None = None, status: str = MeetingStatus.DRAFT, **fields) -> Meeting:
    starts_at = starts_at or morning(7)
    fields.setdefault("place", "Stadhuis")
    return Meeting.objects.create(
        body=body, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), status=status, **fields
    )
