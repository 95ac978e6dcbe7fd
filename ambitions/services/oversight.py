"""What a programme manager keeps an eye on in their chains (their *My work*): indicator versions
stopped by an objection that nobody has taken up yet, partners that have not reported past the
deadline, and submitted figures that are stuck — waiting for approval too long, or waiting for an
approval nobody can give because nobody holds the mandate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from ambitions.models import (
    Consent,
    ConsentPosition,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
    VersionStatus,
)
from ambitions.periods import Period
from ambitions.services import calendar
from stakeholders.models import Chain, Mandate, MandateScope, Organisation, Role

# Submitted figures waiting longer than this for their approval are stuck.
STUCK_AFTER_DAYS = 7


def managed_chains(person) -> list[Chain]:
    """The chains where the person is programme manager."""
    if not person.is_authenticated:
        return []
    return list(Chain.objects.filter(memberships__person=person, memberships__role=Role.PROGRAMME_MANAGER).distinct())


def stopped_proposals(chains: list[Chain]) -> list[IndicatorVersion]:
    """Versions stopped by an objection with no later version of their indicator yet, with their
    objections (``version.objections``); one query plus one for the objections."""
    later = IndicatorVersion.objects.filter(indicator=OuterRef("indicator"), number__gt=OuterRef("number"))
    # The objections that stopped the current round; earlier rounds' were to a previous text.
    objections = Consent.objects.filter(position=ConsentPosition.OBJECTION, round=F("version__round")).select_related(
        "partnership__organisation"
    )
    return list(
        IndicatorVersion.objects.filter(indicator__ambition__chain__in=chains, status=VersionStatus.STOPPED)
        .exclude(Exists(later))
        .select_related("indicator__ambition__chain")
        .prefetch_related(Prefetch("consents", queryset=objections, to_attr="objections"))
        .order_by("indicator__ambition__chain__name", "indicator__name")
    )


@dataclass
class LatePartner:
    """A partner that has not submitted a period whose deadline has passed (its window still open)."""

    chain: Chain
    organisation: Organisation
    period: Period
    deadline: date
    entered: int
    expected: int

    @property
    def url(self) -> str:
        grid_url = reverse("ambitions:entry_grid", args=[self.chain.slug, self.period.slug])
        return f"{grid_url}?organisatie={self.organisation.pk}"


def late_partners(chains: list[Chain], today: date | None = None) -> list[LatePartner]:
    """Per chain, the partners with figures to report that have not submitted a period past its
    deadline (the entry index's own reading, calendar.open_periods: a constant number of queries per
    chain), newest period first."""
    today = today or timezone.localdate()
    late = []
    for chain in chains:
        organisations = list(Organisation.objects.filter(partnerships__chain=chain).distinct().order_by("name"))
        for row in calendar.open_periods(chain, organisations, today):
            for status in row.statuses:
                # Each partner's own deadline: its agreed delivery day, else the period's.
                if status.status == SubmissionStatus.OPEN and status.expected and status.is_past_deadline(today):
                    late.append(
                        LatePartner(
                            chain, status.organisation, row.period, status.deadline, status.entered, status.expected
                        )
                    )
    return late


@dataclass
class StuckSubmission:
    submission: PeriodSubmission
    period: Period
    nobody_can_approve: bool  # no one holds a usable approve-figures mandate for the partner

    @property
    def url(self) -> str:
        chain = self.submission.chain
        grid_url = reverse("ambitions:entry_grid", args=[chain.slug, self.period.slug])
        return f"{grid_url}?organisatie={self.submission.organisation_id}"


def stuck_submissions(chains: list[Chain], today: date | None = None) -> list[StuckSubmission]:
    """Submitted periods that nobody can approve (no usable mandate: the mandate rule,
    Mandate.objects.usable_on) or that have waited more than STUCK_AFTER_DAYS; one query."""
    today = today or timezone.localdate()
    approver = Mandate.objects.usable_on(today).filter(
        scope=MandateScope.APPROVE_FIGURES,
        partnership__chain=OuterRef("chain"),
        partnership__organisation=OuterRef("organisation"),
    )
    waited_since = timezone.now() - timedelta(days=STUCK_AFTER_DAYS)
    submissions = (
        PeriodSubmission.objects.filter(chain__in=chains, status=SubmissionStatus.SUBMITTED)
        .annotate(approvable=Exists(approver))
        .filter(Q(approvable=False) | Q(submitted_at__lt=waited_since))
        .select_related("chain", "organisation", "submitted_by")
        .order_by("chain__name", "period", "organisation__name")
    )
    return [StuckSubmission(s, Period(s.period, s.frequency), not s.approvable) for s in submissions]
