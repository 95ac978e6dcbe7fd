"""The reminder sweep (Celery beat entry ``send-reminders``, hourly): notifications for what waits.

- figures due within ``REMINDER_DUE_DAYS``: to the contributors and partner leads of the organisation
  (the deadline is the partner's agreed delivery day where its delivery terms are in force,
  models/delivery.py ``AgreedDays``, else the version's);
- figures overdue (deadline passed, entry window still open, not submitted): to the contributors at
  once, and to the partner leads after ``REMINDER_LEAD_GRACE_DAYS``;
- submitted periods waiting for approval: to the leads (or programme managers) of that organisation
  who hold a valid approve-figures mandate for it;
- indicator versions waiting for consent: to the mandated leads (and stand-ins) of the core partners
  that have not answered the current round yet (the same key as the notification sent on proposal
  or amendment, so nobody is asked twice in a round; the reminders before and on the answer
  deadline are ambitions/services/consent_deadlines.py's).

Idempotent: every notification has a key per item and period (``due:<chain>:<organisation>:<period>``,
``overdue:…``, ``overdue-lead:…``, ``approve:<submission>:<submitted at>``, ``consent-asked:<version>:<round>``),
unique per person, so running the sweep again — or twice at once — creates nothing new. Only e-mail
goes out through the daily digest (stakeholders/digest.py).

Set-based: a fixed number of queries whatever the number of people, chains and organisations (the
versions in force, their reporting organisations, the submissions, the memberships, the mandates,
the keys that exist already), then one bulk insert.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ambitions.models import (
    AgreedDays,
    Consent,
    EntryDates,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
    VersionStatus,
)
from ambitions.periods import Period
from stakeholders.models import (
    BOUND_STATUSES,
    Mandate,
    MandateScope,
    Membership,
    Notification,
    Organisation,
    Partnership,
    Role,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    person_id: int
    chain_id: int
    text: str
    url: str
    key: str


@shared_task
def send_reminders() -> dict[str, int]:
    counts = sweep()
    logger.info("reminders: %(created)d notification(s) created of %(candidates)d reminder(s)", counts)
    return counts


def sweep(today: date | None = None) -> dict[str, int]:
    """Create every reminder that is due today and does not exist yet; returns the counts."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        reminders = [*figure_reminders(today), *approval_reminders(today), *consent_reminders(today)]
    return {"candidates": len(reminders), "created": _create(reminders)}


def _create(reminders: list[Reminder]) -> int:
    """Insert the reminders nobody has yet; returns how many were new."""
    if not reminders:
        return 0
    if connection.vendor == "postgresql":
        return _create_with_copy(reminders)
    keys = {r.key for r in reminders}
    existing = set(Notification.objects.filter(key__in=keys).values_list("person_id", "key"))
    new = {
        (r.person_id, r.key): Notification(
            person_id=r.person_id, chain_id=r.chain_id, text=r.text[:300], url=r.url, key=r.key
        )
        for r in reminders
        if (r.person_id, r.key) not in existing
    }
    # ignore_conflicts: a concurrent sweep may insert the same (person, key) in between.
    Notification.objects.bulk_create(new.values(), ignore_conflicts=True, batch_size=2000)
    return len(new)


def _create_with_copy(reminders: list[Reminder]) -> int:
    """PostgreSQL: COPY the reminders into a temporary table and insert the new ones in one
    statement; ON CONFLICT skips (person, key) pairs that exist, also when a concurrent sweep
    inserted them a moment ago."""
    table = Notification._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS kp_reminder")
        cursor.execute(
            "CREATE TEMPORARY TABLE kp_reminder (person_id bigint, chain_id bigint, text varchar(300), "
            "url varchar(300), key varchar(200)) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY kp_reminder (person_id, chain_id, text, url, key) FROM STDIN") as copy:
            for r in reminders:
                copy.write_row((r.person_id, r.chain_id, r.text[:300], r.url, r.key))
        cursor.execute(
            f"INSERT INTO {table} (person_id, chain_id, text, url, key, created_at) "  # noqa: S608 - our own table name
            "SELECT DISTINCT ON (person_id, key) person_id, chain_id, text, url, key, now() FROM kp_reminder "
            "ON CONFLICT DO NOTHING"
        )
        created = cursor.rowcount
        cursor.execute("DROP TABLE kp_reminder")
    return created


# --- Figures due and overdue ------------------------------------------------------------------


def figure_reminders(today: date) -> list[Reminder]:
    due_days = settings.REMINDER_DUE_DAYS
    versions = list(IndicatorVersion.objects.in_force().select_related("indicator__ambition__chain"))
    if not versions:
        return []
    chains = {v.indicator.ambition.chain_id: v.indicator.ambition.chain for v in versions}
    candidates = _periods_to_report(versions, today, due_days)
    if not candidates:
        return []
    done = set(
        PeriodSubmission.objects.filter(
            chain_id__in=list(chains),
            period__in={period.start for _, _, period in candidates},
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
        ).values_list("chain_id", "organisation_id", "frequency", "period")
    )
    contributors, leads = _reporters(list(chains))
    names = dict(Organisation.objects.filter(pk__in={o for _, o, _ in candidates}).values_list("pk", "name"))

    reminders = []
    for (chain_id, organisation_id, period), dates in candidates.items():
        state = dates.due_or_overdue(today, due_days)
        if state is None or (chain_id, organisation_id, period.frequency, period.start) in done:
            continue
        team, bosses = contributors[(chain_id, organisation_id)], leads[(chain_id, organisation_id)]
        if team or bosses:
            about = {
                "organisation": names.get(organisation_id, ""),
                "period": period.label(),
                "chain": chains[chain_id].name,
                "date": date_format(dates.deadline, "DATE_FORMAT"),
            }
            reminders += _period_reminders(
                chains[chain_id], organisation_id, period, dates, state, team, bosses, about, today
            )
    return reminders


def _periods_to_report(
    versions: list[IndicatorVersion], today: date, due_days: int
) -> dict[tuple[int, int, Period], EntryDates]:
    """(chain, organisation, period) → its dates (the first deadline, the last day of the entry
    window), for every period a version governs that is open or opens within ``due_days``."""
    per_indicator: dict[int, list[IndicatorVersion]] = defaultdict(list)
    for version in sorted(versions, key=lambda v: v.effective_from, reverse=True):
        per_indicator[version.indicator_id].append(version)
    organisations_of: dict[int, set[int]] = defaultdict(set)
    for version_id, organisation_id in (
        IndicatorVersion.reporting_units.through.objects.filter(indicatorversion_id__in=[v.pk for v in versions])
        .values_list("indicatorversion_id", "unit__organisation_id")
        .distinct()
    ):
        organisations_of[version_id].add(organisation_id)
    # A partner's agreed delivery day (its delivery terms in force) replaces the version's deadline.
    agreed = AgreedDays.of_chains({v.indicator.ambition.chain_id for v in versions})
    candidates: dict[tuple[int, int, Period], EntryDates] = {}
    for version in versions:
        chain_id = version.indicator.ambition.chain_id
        for period in version.due_periods(today, per_indicator[version.indicator_id], within_days=due_days):
            dates = version.dates_of(period)
            for organisation_id in organisations_of[version.pk]:
                key = (chain_id, organisation_id, period)
                own = agreed.dates_of(version, organisation_id, period) if agreed else dates
                candidates[key] = own.merged(candidates.get(key))
    return candidates


def _reporters(chain_ids: list[int]) -> tuple[dict[tuple[int, int], list[int]], dict[tuple[int, int], list[int]]]:
    """(chain, organisation) → the contributors, and → the partner leads, to remind (one query)."""
    contributors: dict[tuple[int, int], list[int]] = defaultdict(list)
    leads: dict[tuple[int, int], list[int]] = defaultdict(list)
    for chain_id, organisation_id, person_id, role in Membership.objects.filter(
        chain_id__in=chain_ids,
        role__in=[Role.CONTRIBUTOR, Role.PARTNER_LEAD],
        person__is_active=True,
        person__is_system=False,  # an API connection is a contributor, but no one to remind
        person__organisation__isnull=False,
    ).values_list("chain_id", "person__organisation_id", "person_id", "role"):
        (leads if role == Role.PARTNER_LEAD else contributors)[(chain_id, organisation_id)].append(person_id)
    return contributors, leads


def _period_reminders(
    chain, organisation_id: int, period: Period, dates: EntryDates, state: str, team, bosses, about: dict, today: date
) -> list[Reminder]:
    """Due: everyone who reports. Overdue: the contributors at once, the leads after the grace days."""
    url = reverse("ambitions:entry_grid", args=[chain.slug, period.slug])
    where = f"{chain.pk}:{organisation_id}:{period.slug}"
    if state == "due":
        text = _("Figures of %(organisation)s for %(period)s in %(chain)s are due on %(date)s.") % about
        return [Reminder(p, chain.pk, text, url, f"due:{where}") for p in [*team, *bosses]]
    text = _("Figures of %(organisation)s for %(period)s in %(chain)s are overdue: the deadline was %(date)s.")
    reminders = [Reminder(p, chain.pk, text % about, url, f"overdue:{where}") for p in team]
    if dates.is_past_deadline(today - timedelta(days=settings.REMINDER_LEAD_GRACE_DAYS)):
        text = _(
            "Figures of %(organisation)s for %(period)s in %(chain)s are still not submitted; "
            "the deadline was %(date)s."
        )
        reminders += [Reminder(p, chain.pk, text % about, url, f"overdue-lead:{where}") for p in bosses]
    return reminders


# --- Approvals waiting ------------------------------------------------------------------------


def approval_reminders(today: date) -> list[Reminder]:
    submissions = list(
        PeriodSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).select_related("chain", "organisation")
    )
    if not submissions:
        return []
    approvers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for chain_id, organisation_id, person_id in _mandated(today, MandateScope.APPROVE_FIGURES).values_list(
        "partnership__chain_id", "partnership__organisation_id", "person_id"
    ):
        approvers[(chain_id, organisation_id)].add(person_id)
    reminders = []
    for submission in submissions:
        people = approvers[(submission.chain_id, submission.organisation_id)]
        if not people:
            continue
        period = Period(submission.period, submission.frequency)
        text = _("Figures of %(organisation)s for %(period)s in %(chain)s wait for your approval.") % {
            "organisation": submission.organisation.name,
            "period": period.label(),
            "chain": submission.chain.name,
        }
        url = reverse("ambitions:entry_grid", args=[submission.chain.slug, period.slug])
        url += "?" + urlencode({"organisatie": submission.organisation_id})
        # A period submitted again after reopening is a new request.
        when = int(submission.submitted_at.timestamp()) if submission.submitted_at else 0
        key = f"approve:{submission.pk}:{when}"
        reminders += [Reminder(p, submission.chain_id, text, url, key) for p in people]
    return reminders


def _mandated(today: date, scope: str):
    """Mandates of ``scope`` someone can act on today: the one mandate rule (Mandate.objects.usable_on),
    the same that has_mandate, the consent lists and the approvals waiting ask."""
    return Mandate.objects.usable_on(today).filter(scope=scope)


# --- Consents requested -----------------------------------------------------------------------


def consent_reminders(today: date) -> list[Reminder]:
    versions = list(
        IndicatorVersion.objects.filter(status=VersionStatus.PROPOSED).select_related("indicator__ambition__chain")
    )
    if not versions:
        return []
    chain_ids = {v.indicator.ambition.chain_id for v in versions}
    # Answers count in their round only: after an amendment everyone is asked again.
    answered = set(Consent.objects.filter(version__in=versions).values_list("version_id", "round", "partnership_id"))
    core: dict[int, list[int]] = defaultdict(list)  # chain -> core partnerships
    for pk, chain_id in (
        Partnership.objects.current().bound().filter(chain_id__in=chain_ids).values_list("pk", "chain_id")
    ):
        core[chain_id].append(pk)
    consenters: dict[int, set[int]] = defaultdict(set)  # partnership -> people
    for partnership_id, person_id in (
        _mandated(today, MandateScope.CONSENT_INDICATORS)
        .filter(partnership__chain_id__in=chain_ids, partnership__status__in=BOUND_STATUSES)
        .values_list("partnership_id", "person_id")
    ):
        consenters[partnership_id].add(person_id)
    reminders = []
    for version in versions:
        chain = version.indicator.ambition.chain
        about = {"version": version, "chain": chain}
        if version.answer_by:  # the text services.consensus sends on asking
            about["date"] = date_format(version.answer_by, "DATE_FORMAT")
            text = _("Your consent is asked for %(version)s in %(chain)s; answer by %(date)s.") % about
        else:
            text = _("Your consent is asked for %(version)s in %(chain)s.") % about
        url = reverse("ambitions:version_detail", args=[chain.slug, version.indicator_id, version.number])
        people = {
            person_id
            for partnership_id in core[chain.pk]
            if (version.pk, version.round, partnership_id) not in answered
            for person_id in consenters[partnership_id]
        }
        key = f"consent-asked:{version.pk}:{version.round}"
        reminders += [Reminder(p, chain.pk, text, url, key) for p in people]
    return reminders
