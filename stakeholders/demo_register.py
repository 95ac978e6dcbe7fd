"""Demo data of the stakeholder register: ten stakeholders around the ZSM chain with a few
contacts, some of them with an engagement gap. Loaded by ``manage.py load_demo`` after the
stakeholders' demo (settings.DEMO_LOADERS). Idempotent: a stakeholder is found by its name, and a
contact by its stakeholder, date and summary, so running it again changes nothing. Parties only —
no citizens, no cases.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Chain, Person
from .models.register import (
    Attitude,
    ContactKind,
    Engagement,
    Frequency,
    Stakeholder,
    StakeholderContact,
    StakeholderKind,
)

MANAGER = "ketenregisseur@zsm.demo"
E, A, K, F = Engagement, Attitude, StakeholderKind, Frequency

# name, type, influence, interest, attitude, current, desired, owner, approach, frequency
STAKEHOLDERS = [
    (
        "Ministerie van Justitie en Veiligheid",
        K.MINISTRY,
        5,
        4,
        A.POSITIVE,
        E.SUPPORTIVE,
        E.LEADING,
        MANAGER,
        "Kwartaaloverleg van de ketenregisseur met de directie Strafrechtketen; jaarlijks bestuurlijk overleg.",
        F.QUARTERLY,
    ),
    (
        "Slachtofferorganisaties Nederland (belangenvereniging)",
        K.INTEREST_GROUP,
        3,
        5,
        A.CRITICAL,
        E.NEUTRAL,
        E.SUPPORTIVE,
        "lead.slachtofferhulp@zsm.demo",
        "Klankbordgesprek over de positie van slachtoffers in de ZSM-afdoening.",
        F.HALF_YEARLY,
    ),
    (
        "Vaste Kamercommissie Justitie en Veiligheid",
        K.MINISTRY,
        5,
        2,
        A.NEUTRAL,
        E.UNAWARE,
        E.NEUTRAL,
        MANAGER,
        "Via het ministerie; werkbezoek aanbieden bij de jaarrapportage.",
        F.YEARLY,
    ),
    (
        "Gemeenteraad Amsterdam",
        K.MUNICIPAL,
        3,
        3,
        A.POSITIVE,
        E.NEUTRAL,
        E.SUPPORTIVE,
        "lead.politie@zsm.demo",
        "Raadsinformatiebrief over ZSM-cijfers van de regio.",
        F.YEARLY,
    ),
    (
        "Vereniging van Nederlandse Gemeenten",
        K.MUNICIPAL,
        4,
        2,
        A.NEUTRAL,
        E.NEUTRAL,
        E.NEUTRAL,
        MANAGER,
        "Nieuwsbrief; overleg als de inzet van gemeenten op ZSM-locaties ter sprake komt.",
        F.AD_HOC,
    ),
    (
        "Inspectie Justitie en Veiligheid",
        K.SUPERVISOR,
        4,
        4,
        A.NEUTRAL,
        E.NEUTRAL,
        E.SUPPORTIVE,
        MANAGER,
        "Jaarlijks gesprek over het toezicht op de strafrechtketen.",
        F.YEARLY,
    ),
    (
        "Nederlandse Orde van Advocaten",
        K.INTEREST_GROUP,
        3,
        4,
        A.CRITICAL,
        E.RESISTANT,
        E.NEUTRAL,
        "lead.om@zsm.demo",
        "Overleg over rechtsbijstand bij ZSM-afdoening.",
        F.HALF_YEARLY,
    ),
    (
        "Regionale pers (redacties)",
        K.MEDIA,
        3,
        2,
        A.NEUTRAL,
        E.UNAWARE,
        E.NEUTRAL,
        MANAGER,
        "Persbericht bij de jaarcijfers; woordvoering via de partners.",
        F.AD_HOC,
    ),
    (
        "WODC (onderzoek en data)",
        K.KNOWLEDGE,
        2,
        4,
        A.SUPPORTIVE,
        E.SUPPORTIVE,
        E.SUPPORTIVE,
        "lead.reclassering@zsm.demo",
        "Gegevensuitwisseling voor de evaluatie van ZSM.",
        F.HALF_YEARLY,
    ),
    (
        "Raad voor de rechtspraak (bestuur)",
        K.OTHER,
        2,
        2,
        A.POSITIVE,
        E.NEUTRAL,
        E.NEUTRAL,
        MANAGER,
        "Informeren via de jaarrapportage.",
        F.YEARLY,
    ),
]

# stakeholder name, days ago, kind, summary, by
CONTACTS = [
    (
        "Ministerie van Justitie en Veiligheid",
        20,
        ContactKind.MEETING,
        "Kwartaaloverleg: doorlooptijden en capaciteit van de reclassering besproken.",
        MANAGER,
    ),
    (
        "Ministerie van Justitie en Veiligheid",
        110,
        ContactKind.MEETING,
        "Kwartaaloverleg: begroting ketenregie volgend jaar.",
        MANAGER,
    ),
    (
        "Slachtofferorganisaties Nederland (belangenvereniging)",
        45,
        ContactKind.CALL,
        "Zorg over het informeren van slachtoffers op de dag zelf; vervolggesprek afgesproken.",
        "lead.slachtofferhulp@zsm.demo",
    ),
    (
        "Inspectie Justitie en Veiligheid",
        200,
        ContactKind.LETTER,
        "Brief met de jaarrapportage van de keten verstuurd.",
        MANAGER,
    ),
    (
        "Nederlandse Orde van Advocaten",
        60,
        ContactKind.EVENT,
        "Bijeenkomst over rechtsbijstand bij snelrecht; kritische vragen over de termijnen.",
        "lead.om@zsm.demo",
    ),
    (
        "Gemeenteraad Amsterdam",
        90,
        ContactKind.EMAIL,
        "Raadsinformatiebrief met de regionale ZSM-cijfers gestuurd.",
        "lead.politie@zsm.demo",
    ),
]


@transaction.atomic
def load_demo() -> None:
    chain = Chain.objects.filter(slug="zsm").first()
    if chain is None:
        return
    people = {person.email: person for person in Person.objects.filter(email__endswith="@zsm.demo")}
    by_name = {}
    for name, kind, influence, interest, attitude, current, desired, owner, approach, frequency in STAKEHOLDERS:
        by_name[name], _ = Stakeholder.objects.update_or_create(
            chain=chain,
            name=name,
            defaults={
                "kind": kind,
                "influence": influence,
                "interest": interest,
                "attitude": attitude,
                "current_engagement": current,
                "desired_engagement": desired,
                "owner": people.get(owner),
                "approach": approach,
                "frequency": frequency,
                "is_active": True,
            },
        )
    today = timezone.localdate()
    for name, days_ago, kind, summary, by in CONTACTS:
        StakeholderContact.objects.get_or_create(
            stakeholder=by_name[name],
            summary=summary,
            defaults={"on": today - timedelta(days=days_ago), "kind": kind, "by": people.get(by)},
        )
