"""Participation health (issue 13, point 6): per partner of a chain, where its part in the chain's
work is slipping — the read model of the participation page and of the chain home's "partners that
need attention" (governance/participation_parts.py).

Per partner (current partners of the chain, observers left out: they are not asked anything; core
partners first, ``PartnershipStatus.is_bound``):

- **Figures on time**: of the 12 most recent reporting periods whose deadline has passed
  (``IndicatorVersion.deadline_of``, or the partner's agreed delivery day under its delivery
  terms; the version that governs a period is ``services.versions.pick``),
  those in which the partner had figures to report (its units among the version's reporting
  units) and in which every expected figure came in and none was marked late (the figures' late
  flag, counted in the roll-ups ``OrganisationAggregate.reported`` and ``late``).
- **Positions recorded**: of the decisions its bodies took in the last year (adopted or rejected,
  ``decided_on`` within ``WINDOW``) while it held a representing seat there (a seat counts until
  its ``ended_on``, as ``services.attendance.seats_of`` counts it), those on which it recorded a
  position in the decision's last round.
- **Meetings attended**: of the held meetings of the last year of bodies where it had a
  representing seat on the meeting's day (or attendance recorded at it), those where one of its
  seats was present or represented by the alternate (``AttendanceStatus.counting``).
- **Signatures outstanding**: agreements for signature where it is required to sign and has not
  signed the current version (``services.agreements.unsigned_parties``).
- **Course check answered**: of its people asked to answer the chain's latest course check (open
  or closed; the respondents snapshot the partner they represent), those who answered.
- **Open actions overdue**: actions of the chain's bodies owned by its people, open past their due
  date (``ActionItem.objects.overdue``).

The partners are one query, their governance measures one statement (services/participation_sql.py)
and the figures four more (versions in force, reporting units, roll-ups, delivery terms): a fixed number, whatever
the chain's size.
The thresholds below decide when a measure is *slipping*; docs/partner-health.md explains them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambitions.models import AgreedDays, IndicatorVersion, OrganisationAggregate
from ambitions.periods import Period
from ambitions.services.versions import pick, reporting_units_per_organisation
from governance.services import participation_orm, participation_sql
from stakeholders.models import Chain, Partnership, PartnershipStatus

PERIODS = 12  # the figures: this many of the most recent periods past their deadline
WINDOW = timedelta(days=365)  # decisions and meetings: those of the last year

# When a measure is slipping (docs/partner-health.md, "Participation health").
LATE_PERIODS_AT = 4  # figures late or incomplete in at least 4 of the periods counted (a third of 12)
POSITIONS_BELOW = 0.75  # positions recorded on fewer than three in four decisions
ATTENDANCE_BELOW = 0.75  # at fewer than three in four held meetings
SIGNATURES_AT = 1  # any signature outstanding
OVERDUE_ACTIONS_AT = 2  # two or more open actions past their due date
COURSE_CHECK_BELOW = 0.5  # fewer than half of its people asked answered the latest course check


@dataclass
class Share:
    """``done`` of ``of`` (``of`` zero: nothing to count)."""

    done: int
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.of) if self.of else None

    def below(self, share: float) -> bool:
        return bool(self.of) and self.done < share * self.of


@dataclass
class PartnerHealth:
    partnership: Partnership
    figures: Share  # periods on time of the periods with figures due
    positions: Share  # decisions with a position of the decisions asked
    meetings: Share  # meetings attended of the meetings held
    signatures_outstanding: int
    actions_overdue: int
    course_check: Share  # respondents who answered the latest course check of those asked
    course_check_open: bool  # the latest course check is still open
    slipping: list[str] = field(default_factory=list)  # what slips, in words
    flags: set[str] = field(default_factory=set)  # which measures slip: "figures", "positions", …

    @property
    def name(self) -> str:
        return self.partnership.organisation.name

    @property
    def is_bound(self) -> bool:
        return self.partnership.is_bound

    @property
    def late_periods(self) -> int:
        return self.figures.of - self.figures.done

    @property
    def needs_attention(self) -> bool:
        return bool(self.slipping)

    @property
    def summary(self) -> str:
        """The plain-words summary: "figures late in 4 of the last 12 periods; …"."""
        if not self.slipping:
            return _("Nothing is slipping.")
        return "; ".join(self.slipping)


def thresholds() -> list[str]:
    """When a measure counts as slipping, in words (the page explains its summary with these)."""
    return [
        _("figures: late or incomplete in %(n)s or more of the periods counted") % {"n": LATE_PERIODS_AT},
        _("positions: recorded on fewer than %(p)s%% of the decisions") % {"p": round(POSITIONS_BELOW * 100)},
        _("meetings: present at fewer than %(p)s%% of the held meetings") % {"p": round(ATTENDANCE_BELOW * 100)},
        _("signatures: any agreement waiting for the partner's signature"),
        _("actions: %(n)s or more open actions past their due date") % {"n": OVERDUE_ACTIONS_AT},
        _("course check: fewer than half of the partner's people asked answered the latest one"),
    ]


def partners(chain: Chain) -> QuerySet[Partnership]:
    """The partners whose participation counts: current, not observers; core partners first."""
    return (
        Partnership.objects.filter(chain=chain)
        .current()
        .exclude(status=PartnershipStatus.OBSERVER)
        .select_related("organisation")
        .order_by("status", "organisation__name", "pk")  # "core" sorts before "partner_of_chain"
    )


def health(chain: Chain, today: date | None = None) -> list[PartnerHealth]:
    """Every partner's participation, core partners first (four queries; three when the chain has
    no indicator in force)."""
    today = today or timezone.localdate()
    rows = list(partners(chain))
    for row in rows:
        row.chain = chain  # for its URL, without a query per partner
    # PostgreSQL: one set-based statement; elsewhere (the embedded SQLite) the ORM's, also one.
    counts = participation_sql.counts if connection.vendor == "postgresql" else participation_orm.counts
    governance = counts(chain, [row.pk for row in rows], today, today - WINDOW, timezone.now())
    on_time = _figures(chain, [row.organisation_id for row in rows], today)
    result = []
    for row in rows:
        counts = governance.get(row.pk, participation_sql.Counts())
        one = PartnerHealth(
            partnership=row,
            figures=on_time.get(row.organisation_id, Share(0, 0)),
            positions=Share(counts.positions_recorded, counts.decisions_asked),
            meetings=Share(counts.meetings_attended, counts.meetings_held),
            signatures_outstanding=counts.signatures_outstanding,
            actions_overdue=counts.actions_overdue,
            course_check=Share(counts.check_answered, counts.check_asked),
            course_check_open=counts.check_open,
        )
        one.flags, one.slipping = _slipping(one)
        result.append(one)
    return result


def needing_attention(chain: Chain, today: date | None = None) -> list[PartnerHealth]:
    return [row for row in health(chain, today) if row.needs_attention]


def _slipping(row: PartnerHealth) -> tuple[set[str], list[str]]:
    flags, words = set(), []
    if row.late_periods >= LATE_PERIODS_AT:
        flags.add("figures")
        words.append(
            ngettext(
                "figures late in %(late)s of the last %(periods)s period",
                "figures late in %(late)s of the last %(periods)s periods",
                row.figures.of,
            )
            % {"late": row.late_periods, "periods": row.figures.of}
        )
    if row.positions.below(POSITIONS_BELOW):
        flags.add("positions")
        words.append(
            ngettext(
                "a position recorded on %(done)s of %(of)s decision",
                "a position recorded on %(done)s of %(of)s decisions",
                row.positions.of,
            )
            % {"done": row.positions.done, "of": row.positions.of}
        )
    if row.meetings.below(ATTENDANCE_BELOW):
        flags.add("meetings")
        words.append(
            ngettext(
                "present at %(done)s of %(of)s meeting",
                "present at %(done)s of %(of)s meetings",
                row.meetings.of,
            )
            % {"done": row.meetings.done, "of": row.meetings.of}
        )
    if row.signatures_outstanding >= SIGNATURES_AT:
        flags.add("signatures")
        words.append(
            ngettext(
                "%(count)s agreement not signed yet",
                "%(count)s agreements not signed yet",
                row.signatures_outstanding,
            )
            % {"count": row.signatures_outstanding}
        )
    if row.actions_overdue >= OVERDUE_ACTIONS_AT:
        flags.add("actions")
        words.append(
            ngettext("%(count)s action overdue", "%(count)s actions overdue", row.actions_overdue)
            % {"count": row.actions_overdue}
        )
    if row.course_check.below(COURSE_CHECK_BELOW):
        flags.add("course_check")
        if row.course_check.done:
            words.append(
                ngettext(
                    "%(done)s of %(of)s person asked answered the latest course check",
                    "%(done)s of %(of)s people asked answered the latest course check",
                    row.course_check.of,
                )
                % {"done": row.course_check.done, "of": row.course_check.of}
            )
        elif row.course_check_open:
            words.append(_("has not answered the open course check yet"))
        else:
            words.append(_("did not answer the latest course check"))
    return flags, words


# --- Figures on time: three queries ---------------------------------------------------------------


def recent_periods(versions_by_indicator: dict[int, list[IndicatorVersion]], today: date) -> dict:
    """The ``PERIODS`` most recent periods whose deadline has passed, newest first, each with the
    versions that govern it (of its indicators' versions in force, latest start first)."""
    per_period: dict[Period, list[IndicatorVersion]] = defaultdict(list)
    for versions in versions_by_indicator.values():
        for version in versions:
            period = Period.containing(today, version.frequency)
            found = 0
            while found < PERIODS and period.start >= version.effective_from:
                if version.deadline_of(period) < today and pick(versions, period.start) is version:
                    per_period[period].append(version)
                    found += 1
                period = period.previous
    newest = sorted(per_period, key=lambda p: (p.end, p.frequency), reverse=True)[:PERIODS]
    return {period: per_period[period] for period in newest}


def _figures(chain: Chain, org_ids: list[int], today: date) -> dict[int, Share]:
    """Organisation id → its periods on time of the recent periods it had figures due in."""
    by_indicator: dict[int, list[IndicatorVersion]] = defaultdict(list)
    for version in (
        IndicatorVersion.objects.in_force().filter(indicator__ambition__chain=chain).order_by("-effective_from")
    ):
        by_indicator[version.indicator_id].append(version)
    periods = recent_periods(by_indicator, today)
    if not periods or not org_ids:
        return {}
    units = reporting_units_per_organisation({v.pk for versions in periods.values() for v in versions})
    counts: dict[tuple[int, date, int], tuple[int, int]] = {
        (indicator, period, organisation): (reported, late)
        for indicator, period, organisation, reported, late in OrganisationAggregate.objects.filter(
            indicator_id__in=list(by_indicator),
            period__in={p.start for p in periods},
            organisation_id__in=org_ids,
        ).values_list("indicator_id", "period", "organisation_id", "reported", "late")
    }
    # A partner with delivery terms in force is counted against its agreed day: a period whose
    # agreed day has not passed yet is not due from it (its figures' late flag already follows it).
    agreed = AgreedDays.of_chains([chain.pk])
    shares: dict[int, Share] = {}
    for organisation in org_ids:
        share = Share(0, 0)
        for period, versions in periods.items():
            if agreed and any(agreed.deadline_of(v, organisation, period) >= today for v in versions):
                continue
            expected = reported = late = 0
            for version in versions:
                expected += units[version.pk].get(organisation, ("", 0))[1]
                got, got_late = counts.get((version.indicator_id, period.start, organisation), (0, 0))
                reported += got
                late += got_late
            if expected:
                share.of += 1
                share.done += reported >= expected and not late
        shares[organisation] = share
    return shares
