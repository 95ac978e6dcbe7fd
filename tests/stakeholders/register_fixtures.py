"""Stakeholders for the register's tests (stakeholders/models/register.py)."""

from __future__ import annotations

from datetime import date

from stakeholders.models import Chain, Person
from stakeholders.models.register import Engagement, Stakeholder, StakeholderContact, StakeholderKind


def stakeholder(chain: Chain, name: str = "Ministerie van Justitie en Veiligheid", **fields) -> Stakeholder:
    values = {
        "kind": StakeholderKind.MINISTRY,
        "influence": 5,
        "interest": 4,
        "current_engagement": Engagement.NEUTRAL,
        "desired_engagement": Engagement.SUPPORTIVE,
        **fields,
    }
    return Stakeholder.objects.create(chain=chain, name=name, **values)


def contact(item: Stakeholder, on: date, by: Person | None = None, summary: str = "Overleg") -> StakeholderContact:
    return StakeholderContact.objects.create(stakeholder=item, on=on, summary=summary, by=by)


def form_data(**changes) -> dict:
    """What the stakeholder form posts for a valid new stakeholder."""
    return {
        "name": "Fonds Slachtofferhulp",
        "kind": StakeholderKind.INTEREST_GROUP,
        "influence": "3",
        "interest": "5",
        "attitude": "4",
        "current_engagement": str(Engagement.NEUTRAL),
        "desired_engagement": str(Engagement.LEADING),
        "owner": "",
        "approach": "Halfjaarlijks overleg met de directeur.",
        "frequency": "half_yearly",
        "notes": "",
        **changes,
    }
