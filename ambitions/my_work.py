"""What the ambitions app adds to *My work* (stakeholders/views/my_work.py asks every app for its
``<app>.my_work.items(user)``, so that stakeholders never imports ambitions)."""

from __future__ import annotations

from ambitions.services import consensus, grid


def items(user) -> dict:
    """Template context for My work: figures due and overdue, approvals waiting, consents requested
    (constant queries)."""
    figures = grid.figures_work(user)
    return {
        "figures_due": figures.due,
        "figures_overdue": figures.overdue,
        "approvals_waiting": grid.approvals_waiting(user),
        "consents_requested": list(consensus.requested_from(user)),
    }
