"""What contributions add to *My work* (registered in stakeholders/apps.py): the deliveries overdue
of the partners I lead (Role.PARTNER_LEAD, my own organisation). One query, whatever the number of
chains and deliveries."""

from __future__ import annotations

from stakeholders import my_work_roles
from stakeholders.models import Role
from stakeholders.models.contributions import Delivery

QUERIES = 1
LIMIT = 20


def overdue_for(user) -> list[Delivery]:
    if not user.is_authenticated or user.organisation_id is None:
        return []
    roles = my_work_roles.lent(user)  # inside My work: no query for someone who leads no partner
    if roles is not None and not roles.has_role(Role.PARTNER_LEAD):
        return []
    return list(
        Delivery.objects.overdue()
        .filter(
            contribution__partnership__organisation=user.organisation_id,
            contribution__partnership__chain__memberships__person=user,
            contribution__partnership__chain__memberships__role=Role.PARTNER_LEAD,
        )
        .select_related("contribution__partnership__chain", "contribution__partnership__organisation")
        .order_by("due_on", "pk")[:LIMIT]
    )


def items(user) -> dict:
    return {"deliveries_overdue": overdue_for(user)}
