"""An organisation's period: the contributor submits, the mandated partner lead approves (which locks
the figures), a programme manager reopens with a reason. Every step is audited (ambitions/audit.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import PeriodSubmission, SubmissionStatus
from ambitions.periods import Period
from ketenportaal.permissions import Action, allows, has_mandate
from stakeholders.models import Chain, MandateScope, Organisation, Partnership, Person


class StepRefused(Exception):
    """The step does not fit the period's current status; the message says why."""


def submission_for(chain: Chain, organisation: Organisation, period: Period, lock: bool = False) -> PeriodSubmission:
    queryset = PeriodSubmission.objects.select_for_update() if lock else PeriodSubmission.objects
    submission, _created = queryset.get_or_create(
        chain=chain, organisation=organisation, frequency=period.frequency, period=period.start
    )
    return submission


@transaction.atomic
def submit(person: Person, chain: Chain, organisation: Organisation, period: Period) -> PeriodSubmission:
    if not allows(person, Action.ENTER_FIGURES, chain, organisation):
        raise PermissionDenied
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status != SubmissionStatus.OPEN:
        raise StepRefused(_("These figures have already been submitted."))
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
def approve(person: Person, chain: Chain, organisation: Organisation, period: Period) -> PeriodSubmission:
    if not may_approve(person, chain, organisation):
        raise PermissionDenied
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise StepRefused(
            _("These figures are already approved.")
            if submission.status == SubmissionStatus.APPROVED
            else _("Only submitted figures can be approved.")
        )
    submission.status = SubmissionStatus.APPROVED
    submission.approved_by, submission.approved_at = person, timezone.now()
    submission.save()
    return submission


@transaction.atomic
def reopen(person: Person, chain: Chain, organisation: Organisation, period: Period, reason: str) -> PeriodSubmission:
    if not allows(person, Action.REOPEN_FIGURES, chain):
        raise PermissionDenied
    if not reason.strip():
        raise StepRefused(_("Give a reason for reopening."))
    submission = submission_for(chain, organisation, period, lock=True)
    if submission.status == SubmissionStatus.OPEN:
        raise StepRefused(_("These figures are open already."))
    submission.status = SubmissionStatus.OPEN
    submission.reopened_by, submission.reopened_at = person, timezone.now()
    submission.reopen_reason = reason.strip()
    submission.save()
    return submission
