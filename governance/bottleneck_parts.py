"""What bottlenecks add to other apps' pages, registered in governance/apps.py through
stakeholders/registry.py (so stakeholders and ambitions never import governance): *My work*, the
chain home, the chain dashboard and an off-track indicator's page. Each costs a fixed number of
queries (governance/services/bottleneck_board.py)."""

from __future__ import annotations

from ambitions.services.progress import Status
from governance import policy
from governance.models import Bottleneck
from governance.services import bottleneck_board as board
from stakeholders.models import Chain


def my_work(user) -> dict:
    """Bottlenecks I own, and those whose response is due from a body whose meetings I run (one query)."""
    waiting = board.waiting_for(user)
    return {
        "my_bottlenecks": waiting.owned[: board.MY_WORK_SHOWN],
        "more_bottlenecks": len(waiting.owned) > board.MY_WORK_SHOWN,
        "bottlenecks_to_respond": waiting.to_respond,
    }


def chain_home(user, chain: Chain) -> dict:
    """The counts ("3 open escalations, 1 overdue at the steering group") and the bottlenecks overdue
    at the top of the ladder, flagged and never escalated further (one query when nothing is open,
    else three)."""
    counts = board.counts(chain)
    if not counts.open:
        return {"bottleneck_counts": None, "overdue_at_top": []}
    return {"bottleneck_counts": counts, "overdue_at_top": board.overdue_at_top(chain)}


def dashboard(user, chain: Chain) -> dict:
    """The same counts on the dashboard (one or two queries)."""
    counts = board.counts(chain)
    return {"bottleneck_counts": counts if counts.open else None}


def latest_status(page) -> str | None:
    """The indicator's latest judged status on its page (the newest period that is not still
    coming in or without data), as the page's own table shows it."""
    for row in reversed(getattr(page, "chain_rows", [])):
        if row.status not in (Status.NO_DATA, Status.IN_PROGRESS):
            return row.status
    return None


def indicator_page(user, indicator, page) -> dict:
    """An off-track indicator offers "report a bottleneck" (to who may report one), and every
    indicator lists its open bottlenecks (one query)."""
    chain = indicator.ambition.chain
    open_ones = list(
        Bottleneck.objects.filter(indicators=indicator)
        .still_open()
        .select_related("body")
        .order_by("due_on", "pk")[:10]
    )
    off_track = latest_status(page) == Status.OFF_TRACK
    return {
        "report_offer": off_track and policy.may_report_bottleneck(user, chain),
        "open_bottlenecks": open_ones,
    }
