"""A body deciding by consent, on top of the test world (tests/conftest.py), for the decision tests.

In ``zsm``, "Stuurgroep ZSM" (consent of every represented core partner):

- lead A sits for partner A (Politie), with ``alternate_a`` (a steering group member of the
  police) as alternate; lead B sits for partner B (OM);
- ``judge`` sits for ``court`` (Rechtspraak), a partner of the chain: advice only;
- ``secretary`` is its secretary (no partner), ``chair`` its chair for partner B (OM).

Lead A, alternate A, lead B, the chair and the judge hold a valid mandate to vote in a body. The
manager (programme manager) runs its meetings; ``propose`` puts a decision to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from governance.models import Body, BodyLevel, BodyMember, Decision, DecisionWay, MemberPosition
from governance.services import decisions as services
from stakeholders.models import MandateScope, Partnership, PartnershipStatus, Person, Role
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, OrganisationFactory, PartnershipFactory, PersonFactory


@dataclass
class Board:
    world: World
    body: Body
    seat_a: BodyMember
    seat_b: BodyMember
    seat_court: BodyMember
    alternate_a: Person
    judge: Person
    chair: Person
    secretary: Person
    court: Partnership


def person(w: World, name: str, role: str, organisation=None) -> Person:
    someone = PersonFactory(email=f"{name}@example.nl", full_name=name.title(), organisation=organisation)
    MembershipFactory(person=someone, chain=w.chain, role=role)
    return someone


def vote_mandate(holder: Person, partnership: Partnership, **fields):
    return MandateFactory(person=holder, partnership=partnership, scope=MandateScope.VOTE_IN_BODY, **fields)


def build_board(w: World) -> Board:
    body = Body.objects.create(chain=w.chain, name="Stuurgroep ZSM", level=BodyLevel.STRATEGIC)
    alternate_a = person(w, "alternate-a", Role.STEERING_MEMBER, w.org_a)
    court_org = OrganisationFactory(name="Rechtspraak")
    court = PartnershipFactory(chain=w.chain, organisation=court_org, status=PartnershipStatus.PARTNER_OF_CHAIN)
    judge = person(w, "judge", Role.PARTNER_LEAD, court_org)
    chair = person(w, "chair", Role.STEERING_MEMBER, w.org_b)
    secretary = person(w, "secretary", Role.VIEWER)
    seat_a = BodyMember.objects.create(body=body, person=w.lead_a, partnership=w.partner_a, alternate=alternate_a)
    seat_b = BodyMember.objects.create(body=body, person=w.lead_b, partnership=w.partner_b)
    seat_court = BodyMember.objects.create(body=body, person=judge, partnership=court)
    BodyMember.objects.create(body=body, person=chair, partnership=w.partner_b, position=MemberPosition.CHAIR)
    BodyMember.objects.create(body=body, person=secretary, position=MemberPosition.SECRETARY)
    for holder, partnership in (
        (w.lead_a, w.partner_a),
        (alternate_a, w.partner_a),
        (w.lead_b, w.partner_b),
        (chair, w.partner_b),
        (judge, court),
    ):
        vote_mandate(holder, partnership)
    return Board(w, body, seat_a, seat_b, seat_court, alternate_a, judge, chair, secretary, court)


def propose(board: Board, by: Person | None = None, **fields) -> Decision:
    """A proposal to the board's body through the service (so its partners are asked)."""
    values = {
        "title": "Capaciteit ZSM-locaties",
        "text": "Elke ZSM-locatie krijgt twee extra reclasseringswerkers.",
        "way": DecisionWay.WRITTEN,
        "closes_on": timezone.localdate() + timedelta(days=14),
        **fields,
    }
    return services.propose(by or board.world.manager, Decision(body=board.body, **values))


def decide(decision: Decision, who: Person, kind: str, reason: str = "") -> None:
    """Record a position as ``who`` (on the current round and whatever is saved now)."""
    decision.refresh_from_db()
    current = decision.positions.filter(
        round=decision.round, partnership=services.speaker(who, decision).partnership
    ).first()
    services.record_position(
        who, decision, kind, reason, round_=decision.round, based_on=services.position_token(current)
    )


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)
