"""A ladder for the bottleneck tests on top of tests/conftest.py's world: a locatieoverleg
(operational) escalating to a tactical body escalating to the steering group (strategic), with a
chair and a secretary in each, and a helper to report a bottleneck at a body on a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from governance.models import Body, BodyLevel, BodyMember, Bottleneck, MemberPosition
from stakeholders.models import Person, Role
from tests.factories import MembershipFactory, PersonFactory


@dataclass
class Ladder:
    local: Body
    tactical: Body
    steering: Body
    tactical_chair: Person
    tactical_secretary: Person
    steering_chair: Person
    steering_secretary: Person
    local_chair: Person


def person(world, name: str, organisation=None, role: str = Role.PARTNER_LEAD) -> Person:
    someone = PersonFactory(email=f"{name}@example.nl", full_name=name.title(), organisation=organisation)
    MembershipFactory(person=someone, chain=world.chain, role=role)
    return someone


def ladder(world, response_days: int = 2) -> Ladder:
    steering = Body.objects.create(
        chain=world.chain, name="Stuurgroep", level=BodyLevel.STRATEGIC, response_days=response_days
    )
    tactical = Body.objects.create(
        chain=world.chain,
        name="Tactisch overleg",
        level=BodyLevel.TACTICAL,
        escalates_to=steering,
        response_days=response_days,
    )
    local = Body.objects.create(
        chain=world.chain,
        name="Locatieoverleg",
        level=BodyLevel.OPERATIONAL,
        escalates_to=tactical,
        response_days=response_days,
    )
    people = {
        name: person(
            world,
            name,
            world.org_a if "chair" in name else None,
            Role.PARTNER_LEAD if "chair" in name else Role.PROGRAMME_MANAGER,
        )
        for name in ("tactical-chair", "tactical-secretary", "steering-chair", "steering-secretary", "local-chair")
    }
    for body, prefix in ((tactical, "tactical"), (steering, "steering"), (local, "local")):
        BodyMember.objects.create(
            body=body, person=people[f"{prefix}-chair"], partnership=world.partner_a, position=MemberPosition.CHAIR
        )
        if f"{prefix}-secretary" in people:
            BodyMember.objects.create(
                body=body, person=people[f"{prefix}-secretary"], position=MemberPosition.SECRETARY
            )
    return Ladder(
        local,
        tactical,
        steering,
        people["tactical-chair"],
        people["tactical-secretary"],
        people["steering-chair"],
        people["steering-secretary"],
        people["local-chair"],
    )


def bottleneck(world, body: Body, at: datetime | None = None, title: str = "Advies reclassering te laat", **fields):
    at = at or timezone.now()
    fields.setdefault("owner", world.lead_a)
    return Bottleneck.objects.create(
        chain=world.chain,
        title=title,
        description="Het advies komt niet binnen 24 uur.",
        body=body,
        level_since=at,
        reported_at=at,
        reported_by=fields["owner"],
        **fields,
    )
