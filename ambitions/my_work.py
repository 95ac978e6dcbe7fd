"""What the ambitions app adds to *My work*: ``items`` is registered with stakeholders' registry in
ambitions/apps.py (with templates/ambitions/_my_work.html), so that stakeholders never imports ambitions."""

from __future__ import annotations

from ambitions.services import consensus, oversight, work


def items(user) -> dict:
    """Template context for My work: figures due and overdue, approvals waiting, consents requested
    (constant queries); for a programme manager also what is stuck in their chains: stopped
    proposals, late partners and stuck submissions (a few queries per chain)."""
    figures = work.figures_work(user)
    chains = oversight.managed_chains(user)
    return {
        "figures_due": figures.due,
        "figures_overdue": figures.overdue,
        "approvals_waiting": work.approvals_waiting(user),
        "consents_requested": list(consensus.requested_from(user)),
        "stopped_proposals": oversight.stopped_proposals(chains) if chains else [],
        "late_partners": oversight.late_partners(chains) if chains else [],
        "stuck_submissions": oversight.stuck_submissions(chains) if chains else [],
    }
