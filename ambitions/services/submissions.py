"""An organisation's period: the contributor submits, the mandated partner lead approves (which locks
the figures), a programme manager reopens with a reason. Every step is audited (ambitions/audit.py).

The submission rule (docs/architecture.md): submitting or approving while cells are empty needs a
reason (``MissingFigures`` lists the cells until one is given). Approval locks the figures that are
in; an empty cell stays open, so a late unit can still deliver (marked late, ``awaiting_approval``),
and the lead approves that delivery on its own (``approve_late``), which locks it too.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambitions.models import Figure, PeriodSubmission, SubmissionStatus
from ambitions.periods import Period
from ambitions.services import delivery, grid
from stakeholders.models import Chain, MandateScope, Organisation, Partnership, Person
from stakeholders.permissions import Action, allows, has_mandate


class StepRefused(Exception):
    """The step does not fit the period's current status; the message says why."""


class MissingFigures(StepRefused):
    """Cells of the period are empty and no reason was given: the step needs one."""

    def __init__(self, missing: list[grid.GridCell]):
        super().__init__(
            ngettext(
                "%(count)s figure is missing: give a reason to go ahead without it.",
                "%(count)s figures are missing: give a reason to go ahead without them.",
                len(missing),
            )
            % {"count": len(missing)}
        )
        self.missing = missing


def missing_cells(chain: Chain, organisation: Organisation, period: Period) -> list[grid.GridCell]:
    """The period's cells (reporting unit × indicator) without a figure, in the grid's order."""
    return grid.build(chain, organisation, period).missing


def _missing_or_refuse(chain: Chain, organisation: Organisation, period: Period, reason: str) -> tuple[int, str]:
    """How many cells are empty and the reason to store; refuses an empty reason when any are.
    Called with the submission locked, so no cell is saved meanwhile."""
    missing = missing_cells(chain, organisation, period)
    if missing and not reason.strip():
        raise MissingFigures(missing)
    return len(missing), reason.strip() if missing else ""


def submission_for(chain: Chain, organisation: Organisation, period: Period, lock: bool = False) -> PeriodSubmission:
    queryset = PeriodSubmission.objects.select_for_update() if lock else PeriodSubmission.objects
    submission, _created = queryset.get_or_create(
        chain=chain, organisation=organisation, frequency=period.frequency, period=period.start
    )
    return submission


@transaction.atomic
def submit(
    person: Person, chain: Chain, organisation: Organisation, period: Period, missing_reason: str = ""
) -> PeriodSubmission:
    """Send the period to the partner lead; with figures missing only with ``missing_reason``."""
    if not allows(person, Action.ENTER_FIGURES, chain, organisation):
        raise PermissionDenied
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status != SubmissionStatus.OPEN:
        raise StepRefused(_("These figures have already been submitted."))
    submission.submitted_missing, submission.submitted_missing_reason = _missing_or_refuse(
        chain, organisation, period, missing_reason
    )
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_by, submission.submitted_at = person, timezone.now()
    submission.save()
    return submission


def may_approve(person: Person, chain: Chain, organisation: Organisation) -> bool:
    if not allows(person, Action.APPROVE_FIGURES, chain, organisation):
        return False
    partnership = Partnership.objects.filter(chain=chain, organisation=organisation).first()
    return partnership is not None and has_mandate(person, partnership, MandateScope.APPROVE_FIGURES)


@transaction.atomic
def approve(
    person: Person, chain: Chain, organisation: Organisation, period: Period, missing_reason: str = ""
) -> PeriodSubmission:
    """Lock the period's figures; with figures missing only with ``missing_reason``. The empty
    cells stay open for a late delivery (see approve_late)."""
    if not may_approve(person, chain, organisation):
        raise PermissionDenied
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise StepRefused(
            _("These figures are already approved.")
            if submission.status == SubmissionStatus.APPROVED
            else _("Only submitted figures can be approved.")
        )
    submission.approved_missing, submission.approved_missing_reason = _missing_or_refuse(
        chain, organisation, period, missing_reason
    )
    submission.status = SubmissionStatus.APPROVED
    submission.approved_by, submission.approved_at = person, timezone.now()
    submission.save()
    return submission


def _period_figures(chain: Chain, organisation: Organisation, period: Period):
    # A month and its year start on the same day: the frequency tells them apart.
    return Figure.objects.filter(
        indicator__ambition__chain=chain,
        organisation=organisation,
        period=period.start,
        version__frequency=period.frequency,
    )


def awaiting_approval(chain: Chain, organisation: Organisation, period: Period) -> int:
    """How many figures were delivered after the period's approval and wait for the lead's."""
    return _period_figures(chain, organisation, period).filter(awaiting_approval=True).count()


@transaction.atomic
def approve_late(person: Person, chain: Chain, organisation: Organisation, period: Period) -> int:
    """The lead approves the figures delivered after the period's approval, which locks them as
    well; returns how many. Cells still empty stay open."""
    if not may_approve(person, chain, organisation):
        raise PermissionDenied
    # The submission's lock: every save reads it FOR UPDATE, so no late figure changes meanwhile.
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status != SubmissionStatus.APPROVED:
        raise StepRefused(_("Only figures delivered after the approval are approved this way."))
    approved = (
        _period_figures(chain, organisation, period).filter(awaiting_approval=True).update(awaiting_approval=False)
    )
    if not approved:
        raise StepRefused(_("No figures delivered late are waiting for approval."))
    submission.late_approved_by, submission.late_approved_at = person, timezone.now()
    submission.save()
    return approved


@transaction.atomic
def reopen(
    person: Person, chain: Chain, organisation: Organisation, period: Period, reason: str, today: date | None = None
) -> PeriodSubmission:
    # Under delivery terms, the agreed role until the agreed day (services/delivery.py); else the chain's rule.
    terms = delivery.applying(chain, organisation, period)
    if not terms and not allows(person, Action.REOPEN_FIGURES, chain):
        raise PermissionDenied
    if terms:
        today = today or timezone.localdate()
        if refusal := delivery.reopen_refusal(person, chain, organisation, period, today, terms):
            raise StepRefused(refusal)
    if not reason.strip():
        raise StepRefused(_("Give a reason for reopening."))
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status == SubmissionStatus.OPEN:
        raise StepRefused(_("These figures are open already."))
    submission.status = SubmissionStatus.OPEN
    submission.reopened_by, submission.reopened_at = person, timezone.now()
    submission.reopen_reason = reason.strip()
    # Open again, every figure is simply open: the next approval locks what is in by then.
    _period_figures(chain, organisation, period).filter(awaiting_approval=True).update(awaiting_approval=False)
    submission.submitted_missing, submission.submitted_missing_reason = 0, ""
    submission.approved_missing, submission.approved_missing_reason = 0, ""
    submission.save()
    return submission
