"""What capacity adds to *My work* (registered in stakeholders/apps.py): the capacity assessments
waiting for me — as a core partner's lead (Role.PARTNER_LEAD of the partner's own organisation), the
partners of my chains whose current period (the chain's cadence) has no assessment yet. One query,
whatever the number of chains and assessments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from stakeholders import my_work_roles
from stakeholders.models import Partnership, Role
from stakeholders.models.capacity import window_label, window_start

QUERIES = 1


@dataclass(frozen=True)
class Waiting:
    partnership: Partnership
    period: str  # the current period in words


def waiting(user, today=None) -> list[Waiting]:
    if not user.is_authenticated or user.organisation_id is None:
        return []
    roles = my_work_roles.lent(user)  # inside My work: no query for someone who leads no partner
    if roles is not None and not roles.has_role(Role.PARTNER_LEAD):
        return []
    today = today or timezone.localdate()
    partners = (
        Partnership.objects.filter(
            organisation=user.organisation_id,
            chain__memberships__person=user,
            chain__memberships__role=Role.PARTNER_LEAD,
        )
        .bound()
        .current()
        .select_related("chain", "organisation")
        .annotate(last_assessed=Max("capacity_assessments__period_start"))
        .order_by("chain__name")
    )
    found = []
    for partner in partners:
        months = partner.chain.capacity_cadence_months
        window = window_start(today, months)
        if partner.last_assessed is None or partner.last_assessed < window:
            found.append(Waiting(partner, window_label(window, months)))
    return found


def items(user) -> dict:
    return {"capacity_waiting": waiting(user)}
