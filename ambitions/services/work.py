"""What a person still has to do with figures, for *My work* (ambitions/my_work.py): the periods
their organisation has yet to submit (due or overdue, by the version's dates:
IndicatorVersion.dates_of) and the submitted periods that wait for their approval."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from ambitions.models import AgreedDays, EntryDates, Figure, IndicatorVersion, PeriodSubmission, SubmissionStatus
from ambitions.periods import Period
from stakeholders.models import Chain, Mandate, MandateScope, Membership, Partnership, Person, Role

DUE_WITHIN_DAYS = 14


@dataclass
class DuePeriod:
    """A period my organisation still has to submit in one chain."""

    chain: Chain
    period: Period
    deadline: date
    closes: date

    @property
    def url(self) -> str:
        return reverse("ambitions:entry_grid", args=[self.chain.slug, self.period.slug])


@dataclass
class FiguresWork:
    due: list[DuePeriod]  # deadline within DUE_WITHIN_DAYS, soonest first
    overdue: list[DuePeriod]  # deadline passed, window still open, newest first


def figures_work(person: Person, today: date | None = None) -> FiguresWork:
    """Periods of the person's own organisation, in the chains where they enter figures, that are
    not submitted yet: due within two weeks, or overdue while the entry window is still open."""
    today = today or timezone.localdate()
    if not person.is_authenticated or person.organisation_id is None:
        return FiguresWork([], [])
    versions = _versions_i_enter(person)
    chains = {v.indicator.ambition.chain_id: v.indicator.ambition.chain for v in versions}
    per_indicator: dict[int, list[IndicatorVersion]] = defaultdict(list)
    for version in versions:
        per_indicator[version.indicator_id].append(version)

    agreed = AgreedDays.of_chains(chains)  # the person's organisation's agreed delivery day, where agreed
    candidates: dict[tuple[int, Period], EntryDates] = {}
    calendar = _Calendar(today, agreed, person.organisation_id)
    alike: set[tuple] = set()  # (chain, calendar) already counted: another alike adds the same dates
    for version in versions:
        if not version.mine:
            continue
        chain_id = version.indicator.ambition.chain_id
        same = calendar.alike(version, per_indicator[version.indicator_id])
        if same is not None:
            if (chain_id, same) in alike:
                continue
            alike.add((chain_id, same))
        for period in calendar.due_periods(version, per_indicator[version.indicator_id]):
            dates = calendar.dates_of(version, period)
            candidates[(chain_id, period)] = dates.merged(candidates.get((chain_id, period)))
    if not candidates:
        return FiguresWork([], [])
    done = set(
        PeriodSubmission.objects.filter(
            chain_id__in=list(chains),
            organisation_id=person.organisation_id,
            period__in={p.start for _, p in candidates},
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
        ).values_list("chain_id", "frequency", "period")
    )
    work = FiguresWork([], [])
    for (chain_id, period), dates in candidates.items():
        state = dates.due_or_overdue(today, DUE_WITHIN_DAYS)
        if state is None or (chain_id, period.frequency, period.start) in done:
            continue
        item = DuePeriod(chains[chain_id], period, dates.deadline, dates.closes)
        (work.due if state == "due" else work.overdue).append(item)
    work.due.sort(key=lambda d: (d.deadline, d.chain.name))
    work.overdue.sort(key=lambda d: (d.period.start, d.chain.name), reverse=True)
    return work


class _Calendar:
    """IndicatorVersion's and AgreedDays' calendar rules, asked once per distinct calendar.

    A chain's indicators nearly all share one calendar (frequency, first period, deadline and
    entry window), and a long entry window leaves dozens of periods open: asked per version and
    period, the same dates were worked out twenty times over (1,000 times per My work of a
    contributor of the benchmark chains). Versions whose answers must be the same share them here."""

    def __init__(self, today: date, agreed: AgreedDays, organisation_id: int):
        self.today, self.agreed, self.organisation_id = today, agreed, organisation_id
        self._periods: dict[tuple, list[Period]] = {}
        self._dates: dict[tuple, EntryDates] = {}

    def alike(self, version: IndicatorVersion, siblings: list[IndicatorVersion]) -> tuple | None:
        """What fixes this version's due periods and their dates, when nothing else does (it is its
        indicator's only version in force and no terms are agreed for it); else None."""
        if len(siblings) > 1 or self.agreed.has_terms(self.organisation_id, version.indicator_id):
            return None
        return (version.effective_from, version.frequency, version.entry_window_days, version.deadline_days)

    def due_periods(self, version: IndicatorVersion, siblings: list[IndicatorVersion]) -> list[Period]:
        if len(siblings) > 1:  # which version governs a period depends on the others: ask the rule itself
            return version.due_periods(self.today, siblings, within_days=DUE_WITHIN_DAYS)
        # The only version in force: its due periods depend on its start, frequency and window alone.
        key = (version.effective_from, version.frequency, version.entry_window_days)
        if key not in self._periods:
            self._periods[key] = version.due_periods(self.today, siblings, within_days=DUE_WITHIN_DAYS)
        return self._periods[key]

    def dates_of(self, version: IndicatorVersion, period: Period) -> EntryDates:
        if self.agreed.has_terms(self.organisation_id, version.indicator_id):
            return self.agreed.dates_of(version, self.organisation_id, period)
        # Without agreed terms, a version's dates depend on its deadline and entry window alone.
        key = (version.deadline_days, version.entry_window_days, period)
        if key not in self._dates:
            self._dates[key] = version.dates_of(period)
        return self._dates[key]


def _versions_i_enter(person: Person) -> list[IndicatorVersion]:
    """Every version in force in the chains where the person enters figures for their
    organisation, in one query, latest start first: all of them (a version's periods end where the
    next one takes over), each marked ``mine`` when one of the organisation's units reports it."""
    entering = Membership.objects.filter(
        person=person, role__in=Role.partner_roles(), chain=OuterRef("indicator__ambition__chain")
    )
    partner = Partnership.objects.filter(
        organisation_id=person.organisation_id, chain=OuterRef("indicator__ambition__chain")
    )
    reported = IndicatorVersion.reporting_units.through.objects.filter(
        indicatorversion_id=OuterRef("pk"), unit__organisation_id=person.organisation_id
    )
    return list(
        IndicatorVersion.objects.in_force()
        .filter(Exists(entering), Exists(partner))
        .annotate(mine=Exists(reported))
        .select_related("indicator__ambition__chain")
        .order_by("-effective_from")
    )


@dataclass
class WaitingApproval:
    submission: PeriodSubmission
    period: Period

    @property
    def url(self) -> str:
        return reverse("ambitions:entry_grid", args=[self.submission.chain.slug, self.period.slug])


def approvals_waiting(person: Person, today: date | None = None) -> list[WaitingApproval]:
    """Periods of the person's organisation waiting for approval — submitted, or approved with
    figures delivered late since — in chains where they can act on an approve-figures mandate."""
    today = today or timezone.localdate()
    if not person.is_authenticated or person.organisation_id is None:
        return []
    # One query: the mandate (with the role it needs) is a condition on each submission's chain.
    mandated = Mandate.objects.usable_on(today).filter(
        person=person,
        scope=MandateScope.APPROVE_FIGURES,
        partnership__organisation_id=person.organisation_id,
        partnership__chain=OuterRef("chain"),
    )
    late = Figure.objects.filter(
        awaiting_approval=True,
        indicator__ambition__chain=OuterRef("chain"),
        organisation_id=OuterRef("organisation_id"),
        period=OuterRef("period"),
    )
    submissions = (
        PeriodSubmission.objects.filter(
            Q(status=SubmissionStatus.SUBMITTED) | Q(Exists(late), status=SubmissionStatus.APPROVED),
            Exists(mandated),
            organisation_id=person.organisation_id,
        )
        .select_related("chain", "organisation", "submitted_by")
        .order_by("period", "chain__name")
    )
    return [WaitingApproval(s, Period(s.period, s.frequency)) for s in submissions]
