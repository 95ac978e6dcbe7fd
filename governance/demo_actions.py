"""The governance demo's actions (governance/demo.py): open, done and overdue ones, some carried
over to a later meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from stakeholders.models import Person

from .demo_decisions import held_meeting
from .demo_names import LOCATIEOVERLEG, STUURGROEP
from .models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    Body,
    Decision,
    MemberPosition,
)
from .services import agenda

if TYPE_CHECKING:
    from .demo import _People

# ---------------------------------------------------------------------------------------------
# Actions


@dataclass(frozen=True)
class DemoAction:
    body: str
    back: int  # agreed at the body's back-th last held meeting
    description: str
    owner: str  # e-mail
    due_after: int  # days after that meeting
    status: str = ActionStatus.OPEN
    closing_note: str = ""
    decision: str = ""  # title of the decision it follows from
    carried_over: bool = False


ACTIONS = [
    DemoAction(
        STUURGROEP,
        4,
        "Capaciteitsplan weekendadvisering Reclassering opstellen en toelichten in de stuurgroep",
        "lead.reclassering@zsm.demo",
        45,
        ActionStatus.IN_PROGRESS,
        decision="ZSM-locaties ook in het weekend open",
    ),
    DemoAction(
        STUURGROEP,
        6,
        "Knelpunten bij de aanlevering van processen-verbaal in kaart brengen",
        "lead.politie@zsm.demo",
        28,
        carried_over=True,
    ),
    DemoAction(
        STUURGROEP,
        2,
        "Extra parketsecretarissen in regio Rotterdam inzetten",
        "lead.om@zsm.demo",
        14,
        ActionStatus.DONE,
        "Drie parketsecretarissen zijn per de eerste van de maand aan de slag.",
        decision="Tijdelijk extra parketsecretarissen voor regio Rotterdam",
    ),
    DemoAction(
        STUURGROEP,
        8,
        "Werkinstructie informeren slachtoffers binnen 48 uur verspreiden",
        "lead.slachtofferhulp@zsm.demo",
        21,
        ActionStatus.DONE,
        "Verspreid onder alle ZSM-locaties en besproken in de tactische overleggen.",
        decision="Norm: slachtoffer binnen 48 uur geïnformeerd",
    ),
    DemoAction(
        STUURGROEP,
        1,
        "Voorstel voor de evaluatie van de weekendopenstelling voorbereiden",
        "ketenregisseur@zsm.demo",
        60,
    ),
    DemoAction(
        STUURGROEP,
        10,
        "Jaarplan ZSM delen met de tactische ketenoverleggen",
        "ketenregisseur@zsm.demo",
        14,
        ActionStatus.DONE,
        "Gedeeld en in elke regio besproken.",
        decision="Jaarplan ZSM vastgesteld",
    ),
    DemoAction(
        "Tactisch ketenoverleg Amsterdam",
        2,
        "Doorlooptijden op de ZSM-locatie Amsterdam per dag van de week analyseren",
        "om.amsterdam@zsm.demo",
        21,
    ),
    DemoAction(
        "Tactisch ketenoverleg Rotterdam",
        3,
        "Achterstand zaken ouder dan 7 dagen escaleren naar de Landelijke Stuurgroep",
        "om.rotterdam@zsm.demo",
        14,
        ActionStatus.DONE,
        "Besproken in de stuurgroep; die zet tijdelijk extra parketsecretarissen in.",
    ),
    DemoAction(
        LOCATIEOVERLEG,
        1,
        "Rooster weekendbezetting van de locatie rondsturen",
        "politie.locatie-amsterdam@zsm.demo",
        40,
    ),
    DemoAction(
        LOCATIEOVERLEG,
        3,
        "Werkplekken voor Slachtofferhulp op de locatie regelen",
        "politie.locatie-amsterdam@zsm.demo",
        21,
        ActionStatus.CANCELLED,
        "Niet meer nodig: Slachtofferhulp werkt vanaf de eigen regiokantoren mee.",
    ),
]


def demo_actions(bodies: dict[str, Body], people: _People, now: datetime) -> None:
    for spec in ACTIONS:
        body = bodies[spec.body]
        if ActionItem.objects.filter(body=body, description=spec.description).exists():
            continue
        meeting = held_meeting(body, spec.back)
        day = timezone.localtime(meeting.starts_at).date()
        owner = people.get(spec.owner)
        closed = spec.status in ActionStatus.closed()
        action = ActionItem(
            body=body,
            meeting=meeting,
            agenda_item=meeting.agenda_items.filter(order=3).first(),
            decision=Decision.objects.filter(body=body, title=spec.decision).first() if spec.decision else None,
            description=spec.description,
            owner=owner,
            due_on=day + timedelta(days=spec.due_after),
            status=spec.status,
            closing_note=spec.closing_note,
            created_by=secretary_or_chair(body),
        )
        action.full_clean()
        action.save()
        ActionItem.objects.filter(pk=action.pk).update(
            created_at=meeting.ends_at,
            closed_at=min(meeting.ends_at + timedelta(days=spec.due_after - 2), now) if closed else None,
        )
        if spec.carried_over:
            _carry_over(action, body)


def _carry_over(action: ActionItem, body: Body) -> None:
    """The overdue action came back on the agenda of the body's last meeting: from then on it can
    only be closed, never deleted."""
    item = AgendaItem(
        meeting=held_meeting(body, 1),
        order=4,
        title=f"Actiepunt: {action.description}",
        duration_minutes=10,
        presenter=action.owner,
        action=action,
        notes="De Politie heeft meer tijd nodig; het actiepunt blijft open.",
        status=AgendaItemStatus.FINISHED,
    )
    item.full_clean()
    item.save()
    agenda.mark_carried_over(item)


def secretary_or_chair(body: Body) -> Person:
    seats = {m.position: m.person for m in body.members.select_related("person")}
    return seats.get(MemberPosition.SECRETARY) or seats[MemberPosition.CHAIR]
