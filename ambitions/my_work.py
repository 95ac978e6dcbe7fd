"""What the ambitions app adds to *My work*: ``items`` is registered with stakeholders' registry in
ambitions/apps.py (with templates/ambitions/_my_work.html), so that stakeholders never imports ambitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ambitions.models import IndicatorVersion
from ambitions.services import consensus, oversight, work
from stakeholders import my_work_roles
from stakeholders.models import MandateScope, Role


@dataclass(frozen=True)
class ConsentAsked:
    """A proposal waiting for the user's answer, with its deadline as My work shows it."""

    version: IndicatorVersion
    answer_by: date | None
    passed: bool


def consents_asked(user) -> list[ConsentAsked]:
    """The proposals the user may answer, the nearest (or passed) deadline first; those without a
    deadline (proposed before deadlines existed) last. One query."""
    today = timezone.localdate()
    asked = []
    for version in consensus.requested_from(user):
        answer_by = version.answer_by
        passed = answer_by is not None and answer_by < today
        asked.append(ConsentAsked(version, answer_by, passed))
    asked.sort(key=lambda item: (item.answer_by is None, item.answer_by or today, item.version.pk))
    return asked


def items(user) -> dict:
    """Template context for My work: figures due and overdue, approvals waiting, consents requested
    (constant queries); for a programme manager also what is stuck in their chains: stopped
    proposals, late partners and stuck submissions (a few queries per chain)."""
    # Inside My work the person's roles and mandates are lent (stakeholders/my_work_roles.py): a
    # list the person can have nothing in costs no query.
    roles = my_work_roles.lent(user)
    entering = roles is None or roles.has_role(*Role.partner_roles())
    figures = work.figures_work(user) if entering else work.FiguresWork([], [])

    def may(scope: str) -> bool:
        return roles is None or bool(roles.partnerships_for(scope))

    managing = roles is None or roles.has_role(Role.PROGRAMME_MANAGER)
    chains = oversight.managed_chains(user) if managing else []
    return {
        "figures_due": figures.due,
        "figures_overdue": figures.overdue,
        "approvals_waiting": work.approvals_waiting(user) if may(MandateScope.APPROVE_FIGURES) else [],
        "consents_requested": consents_asked(user) if may(MandateScope.CONSENT_INDICATORS) else [],
        "stopped_proposals": oversight.stopped_proposals(chains) if chains else [],
        "late_partners": oversight.late_partners(chains) if chains else [],
        "stuck_submissions": oversight.stuck_submissions(chains) if chains else [],
    }
