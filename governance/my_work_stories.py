"""What success stories add to *My work* (registered in governance/apps.py): the stories waiting
for my organisation's approval, in the chains where I am its lead (one query,
governance/services/stories.py ``awaiting_my_approval``)."""

from __future__ import annotations

from governance.services.stories import awaiting_my_approval
from stakeholders import my_work_roles
from stakeholders.models import Role

MY_WORK_STORIES = 20


def items(user) -> dict:
    roles = my_work_roles.lent(user)  # inside My work: no query for someone who leads no partner
    if roles is not None and not roles.has_role(Role.PARTNER_LEAD):
        return {"stories_to_approve": []}
    return {"stories_to_approve": list(awaiting_my_approval(user)[:MY_WORK_STORIES])}
