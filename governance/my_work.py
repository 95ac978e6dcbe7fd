"""What the governance app adds to *My work* and to the chain home: registered with stakeholders'
registry in governance/apps.py (templates/governance/_my_work.html, _chain_home.html), so that
stakeholders never imports governance. Both read governance/services/work.py."""

from __future__ import annotations

from governance.services import work
from stakeholders import my_work_roles
from stakeholders.models import Chain, MandateScope


def items(user) -> dict:
    """My work, across all chains: the positions I must record, the meetings I prepare (agenda to
    publish) or chair (minutes to approve), and my open actions with their due dates (constant
    queries)."""
    meetings = work.meetings_to_prepare(user)
    actions = work.open_actions_of(user)
    return {
        "positions_to_record": work.positions_to_record(user) if _may_vote(user) else [],
        "agendas_to_publish": meetings.agendas_to_publish,
        "minutes_to_approve": meetings.minutes_to_approve,
        "my_open_actions": actions[: work.MY_ACTIONS_SHOWN],
        "more_open_actions": len(actions) > work.MY_ACTIONS_SHOWN,
    }


def _may_vote(user) -> bool:
    """False only inside My work for someone with no mandate to vote in a body: their seats could
    give them no position to record, so the seats' query is spared (stakeholders/my_work_roles.py)."""
    roles = my_work_roles.lent(user)
    return roles is None or bool(roles.partnerships_for(MandateScope.VOTE_IN_BODY))


def chain_home(user, chain: Chain) -> dict:
    """The chain home: the next meetings, the open proposals and the overdue actions (constant queries)."""
    overview = work.chain_overview(chain)
    return {
        "next_meetings": overview.next_meetings,
        "open_proposals": overview.open_proposals,
        "overdue_actions": overview.overdue_actions,
        "overdue_count": overview.overdue_count,
    }
