"""The governance demo's decisions (governance/demo.py): the steering group's, one with recorded
dissent, a proposal in a written round and the regional bodies'."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from ambitions.models import Indicator
from stakeholders.demo import REGIONS
from stakeholders.models import Partnership

from .demo_names import CORE, LOCATIEOVERLEG
from .models import (
    AttendanceStatus,
    Body,
    Decision,
    DecisionPosition,
    DecisionStatus,
    DecisionWay,
    Meeting,
    MeetingStatus,
    MemberPosition,
    PositionKind,
)

if TYPE_CHECKING:
    from .demo import _People

# ---------------------------------------------------------------------------------------------
# Decisions


def held_meeting(body: Body, back: int) -> Meeting:
    """The body's ``back``-th last meeting that was held (1: the last)."""
    return (
        Meeting.objects.filter(body=body, status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED])
        .order_by("-starts_at")[back - 1 : back]
        .get()
    )


def _decision(body: Body, title: str, **fields) -> tuple[Decision, bool]:
    decision = Decision.objects.filter(body=body, title=title).first()
    if decision is not None:
        return decision, False
    meeting = fields.get("meeting")
    if meeting is not None:
        fields.setdefault("agenda_item", meeting.agenda_items.filter(order=3).first())
    created_at = fields.pop("created_at", None)
    decision = Decision.objects.create(body=body, title=title, **fields)
    if created_at is not None:  # auto_now_add: the proposal came in before the meeting
        Decision.objects.filter(pk=decision.pk).update(created_at=created_at)
    return decision, True


def _positions(
    decision: Decision,
    partners: dict[str, Partnership],
    kinds: dict[str, tuple[str, str]],
    at: datetime,
    round: int = 1,
    by_alternate: frozenset[str] = frozenset(),
) -> None:
    """Record each partner's position as its member did, or its alternate when the member was not
    at the meeting (the minutes then say the alternate represented the partner) or for
    ``by_alternate`` partners."""
    seats = {m.partnership_id: m for m in decision.body.members.representing()}
    away = set()
    if decision.meeting_id:
        attendance = decision.meeting.attendance.exclude(status=AttendanceStatus.PRESENT)
        away = set(attendance.filter(member__alternate__isnull=False).values_list("member_id", flat=True))
        attendance.filter(member_id__in=away).update(status=AttendanceStatus.REPRESENTED)  # bulk: minutes may be locked
    for partner, (kind, reason) in kinds.items():
        seat = seats[partners[partner].pk]
        stand_in = seat.alternate_id is not None and (seat.pk in away or partner in by_alternate)
        DecisionPosition.objects.create(
            decision=decision,
            round=round,
            partnership=partners[partner],
            kind=kind,
            reason=reason,
            recorded_by=seat.alternate if stand_in else seat.person,
            as_alternate=stand_in,
        )
    DecisionPosition.objects.filter(decision=decision, round=round).update(recorded_at=at)


CONSENT = (PositionKind.CONSENT, "")
CAPACITY_DISSENT = (
    "Reclassering Nederland stemt in, maar legt vast dat zij met de huidige bezetting in het weekend "
    "geen reclasseringsadvies binnen 24 uur kan leveren. Zonder extra capaciteit zal de norm voor "
    "weekendzaken niet worden gehaald; wij vragen de stuurgroep dit bij de evaluatie mee te wegen."
)


def stuurgroep_decisions(
    body: Body, partners: dict[str, Partnership], people: _People, now: datetime, indicators: dict[str, Indicator]
) -> None:
    manager = people.get("ketenregisseur@zsm.demo")
    everyone = dict.fromkeys(CORE, CONSENT)

    def adopted(back: int, title: str, text: str, outcome: str, review: timedelta | date, **extra) -> Decision | None:
        meeting = held_meeting(body, back)
        day = timezone.localtime(meeting.starts_at).date()
        decision, created = _decision(
            body,
            title,
            meeting=meeting,
            created_at=meeting.starts_at - timedelta(days=14),
            text=text,
            way=DecisionWay.MEETING,
            closes_on=day,
            status=DecisionStatus.ADOPTED,
            outcome_statement=outcome,
            decided_on=day,
            review_on=review if isinstance(review, date) else day + review,
            proposed_by=manager,
            **extra,
        )
        return decision if created else None

    today = timezone.localdate(now)
    decision = adopted(
        10,
        "Jaarplan ZSM vastgesteld",
        "De stuurgroep stelt het jaarplan ZSM vast, met de ambitie dat 80% van de zaken binnen 24 uur is afgedaan.",
        "Aangenomen met consent van alle kernpartners.",
        timedelta(days=365),
        indicator=indicators.get("Zaken binnen 24 uur afgedaan"),
    )
    if decision:
        _positions(decision, partners, everyone, decision.meeting.starts_at)
    decision = adopted(
        8,
        "Norm: slachtoffer binnen 48 uur geïnformeerd",
        "Alle partners zorgen dat Slachtofferhulp binnen 48 uur de gegevens heeft om het slachtoffer te informeren.",
        "Aangenomen met consent van alle kernpartners. De norm wordt na een half jaar herzien.",
        today - timedelta(days=6),  # the review date has come: a reminder and an agenda suggestion
        indicator=indicators.get("Slachtoffers binnen 48 uur geïnformeerd"),
    )
    if decision:
        _positions(decision, partners, everyone, decision.meeting.starts_at)
    decision = adopted(
        5,
        "Uniforme registratie van ZSM-afdoeningen",
        "Alle partners registreren de afdoening van een ZSM-zaak met dezelfde codes, zodat de ketencijfers "
        "per zaak te volgen zijn. Invoering per het eerste kwartaal.",
        "Aangenomen in de tweede ronde, nadat de invoering op verzoek van de Politie een kwartaal is uitgesteld.",
        timedelta(days=270),
    )
    if decision:
        # Round 1: the police object; the proposal is amended and every partner is asked again.
        objection = (
            PositionKind.OBJECTION,
            "De aanpassing van de registratiesystemen past dit jaar niet meer in de planning van de Politie.",
        )
        _positions(decision, partners, everyone | {"Politie": objection}, decision.meeting.starts_at)
        Decision.objects.filter(pk=decision.pk).update(round=2)
        decision.round = 2
        _positions(decision, partners, everyone, decision.meeting.starts_at + timedelta(hours=1), round=2)
    decision = adopted(
        4,
        "ZSM-locaties ook in het weekend open",
        "Vanaf het eerste kwartaal zijn alle ZSM-locaties ook op zaterdag en zondag open, zodat zaken die in het "
        "weekend binnenkomen niet tot maandag blijven liggen.",
        "Aangenomen met consent van alle kernpartners; Reclassering Nederland stemt in met vastgelegd bezwaar "
        "over haar capaciteit in het weekend. De stuurgroep evalueert de openstelling na een half jaar.",
        timedelta(days=182),
        indicator=indicators.get("Reclasseringsadviezen binnen 24 uur"),
    )
    if decision:
        # Probation first objected, then chose to "agree to disagree": the change stays in the history.
        at = decision.meeting.starts_at
        _positions(decision, partners, everyone | {"RN": (PositionKind.OBJECTION, CAPACITY_DISSENT)}, at)
        position = decision.positions.get(partnership=partners["RN"])
        position.kind = PositionKind.DISSENT
        position.save()
        DecisionPosition.objects.filter(pk=position.pk).update(recorded_at=at + timedelta(minutes=20))
    decision = adopted(
        2,
        "Tijdelijk extra parketsecretarissen voor regio Rotterdam",
        "Op verzoek van het Tactisch ketenoverleg Rotterdam zet het OM drie maanden extra parketsecretarissen in "
        "om de achterstand van zaken ouder dan 7 dagen weg te werken.",
        "Aangenomen met consent van alle kernpartners.",
        timedelta(days=120),
        indicator=indicators.get("Zaken ouder dan 7 dagen in behandeling"),
    )
    if decision:
        _positions(decision, partners, everyone, decision.meeting.starts_at)
    _written_round(body, partners, people, now, manager)


def _written_round(body: Body, partners: dict[str, Partnership], people: _People, now: datetime, manager) -> None:
    """A proposal decided in writing between meetings: three partners answered, two have not yet."""
    today = timezone.localdate(now)
    decision, created = _decision(
        body,
        "Convenant gegevensdeling ZSM 2027",
        text="De kernpartners ondertekenen het convenant dat regelt welke gegevens zij op de ZSM-locatie met "
        "elkaar delen, met welk doel en hoe lang. Het convenant vervangt de afspraken uit 2019.",
        way=DecisionWay.WRITTEN,
        closes_on=today + timedelta(days=10),
        proposed_by=manager,
        created_at=now - timedelta(days=4),
    )
    if created:
        # Probation's answer came from its alternate (the lead is on leave); SHN and RvdK have not answered.
        answered = {"OM": CONSENT, "Politie": CONSENT, "RN": CONSENT}
        _positions(decision, partners, answered, now - timedelta(days=2), by_alternate=frozenset({"RN"}))


def regional_decisions(bodies: dict[str, Body], partners: dict[str, Partnership]) -> None:
    """One decision per tactical body and one in the location's body (by qualified majority)."""
    for region in REGIONS:
        body = bodies[f"Tactisch ketenoverleg {region}"]
        meeting = held_meeting(body, 3)
        day = timezone.localtime(meeting.starts_at).date()
        chair = body.members.get(position=MemberPosition.CHAIR).person
        decision, created = _decision(
            body,
            f"Piketregeling weekend ZSM {region}",
            meeting=meeting,
            text=f"De partners in de regio {region} spreken een gezamenlijk piketrooster af voor de weekenden.",
            closes_on=day,
            status=DecisionStatus.ADOPTED,
            outcome_statement="Aangenomen met consent van alle kernpartners in de regio.",
            decided_on=day,
            review_on=day + timedelta(days=365),
            proposed_by=chair,
        )
        if created:
            _positions(decision, partners, dict.fromkeys(CORE, CONSENT), meeting.starts_at)
    body = bodies[LOCATIEOVERLEG]
    meeting = held_meeting(body, 2)
    day = timezone.localtime(meeting.starts_at).date()
    decision, created = _decision(
        body,
        "Dagstart op de ZSM-locatie om 08.30 uur",
        meeting=meeting,
        text="De dagstart op de locatie begint voortaan om 08.30 uur, zodat de nachtdienst van de Politie kan "
        "overdragen.",
        closes_on=day,
        status=DecisionStatus.ADOPTED,
        outcome_statement="Aangenomen met vier stemmen voor en één onthouding.",
        decided_on=day,
        proposed_by=body.members.get(position=MemberPosition.CHAIR).person,
    )
    if created:
        abstain = (PositionKind.ABSTAIN, "")
        _positions(decision, partners, dict.fromkeys(CORE, CONSENT) | {"SHN": abstain}, meeting.starts_at)
