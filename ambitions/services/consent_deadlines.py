"""The answer deadline of a proposal (issue 15, consent that cannot stall): the daily sweep.

For every proposal waiting for consent, in its current round:

- the chain's ``consent_reminder_days`` working days before the deadline (its settings page;
  ``REMIND_BEFORE_WORKING_DAYS`` is the default), one reminder to the people who
  may answer for each core partner that has not answered (stand-ins included: they hold copies of
  the lead's mandates) — only when the round was opened earlier than that, so nobody is asked and
  reminded in one breath; on the deadline's day, a second. Notifications with a key per version,
  round and kind, so they are never doubled; the daily digest mails them (stakeholders/digest.py).
  A REMINDED step on the timeline per reminder (the one before the deadline day, the one on it).
- After the deadline, once per round, a DEADLINE_PASSED step; then the silence rule of the round
  (the chain's rule when the round was asked, ProposalRound.silence_rule):
  *silence is not consent*: the proposal stays open and answers are still taken; the proposer is
  told, and the strategic body's agenda suggestions list it (IndicatorVersion.objects.past_answer_deadline);
  *silence is consent*: each silent core partner gets a Consent ``by_silence`` (no person, never an
  active yes) and a SILENCE step, and the round is decided by the one rule (consensus.outcome).

Set-based and idempotent: the proposals' rows are locked first (so a concurrent sweep, or an answer
being given, waits and then sees what this one wrote), then a fixed number of queries whatever the
number of proposals, partners and people; running it twice creates nothing new.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ambitions.models import (
    Consent,
    ConsentPosition,
    EventKind,
    IndicatorVersion,
    ProposalEvent,
    ProposalRound,
    VersionStatus,
)
from ambitions.services.consensus import outcome, supersede_earlier
from stakeholders.models import Mandate, MandateScope, Notification, Partnership, SilenceRule
from stakeholders.working_days import working_days_between

logger = logging.getLogger(__name__)

REMIND_BEFORE_WORKING_DAYS = 3  # Chain.consent_reminder_days' default; each chain sets its own


def sweep(today: date | None = None) -> dict[str, int]:
    """Remind, mark deadlines passed and record silence, for every open proposal; returns counts."""
    today = today or timezone.localdate()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        versions = list(
            IndicatorVersion.objects.awaiting_answer()
            .filter(answer_by__isnull=False)
            .select_related("indicator__ambition__chain", "proposed_by")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if not versions:
            return {"proposals": 0, "notifications": 0, "steps": 0, "silences": 0, "adopted": 0}
        return _Sweep(versions, today).run()


class _Sweep:
    def __init__(self, versions: list[IndicatorVersion], today: date):
        self.versions, self.today = versions, today
        self.notifications: list[Notification] = []
        self.events: list[ProposalEvent] = []
        self.silences: list[Consent] = []

    def run(self) -> dict[str, int]:
        ids = [v.pk for v in self.versions]
        rounds = {
            (r.version_id, r.number): r
            for r in ProposalRound.objects.filter(version_id__in=ids).only(
                "version_id", "number", "silence_rule", "opened_at"
            )
        }
        steps: dict[tuple[int, int], list[tuple[str, date]]] = defaultdict(list)
        for version_id, number, kind, at in ProposalEvent.objects.filter(
            version_id__in=ids, kind__in=[EventKind.REMINDED, EventKind.DEADLINE_PASSED]
        ).values_list("version_id", "round", "kind", "at"):
            steps[(version_id, number)].append((kind, timezone.localdate(at)))
        answers: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
        for version_id, number, partnership_id, position in Consent.objects.filter(version_id__in=ids).values_list(
            "version_id", "round", "partnership_id", "position"
        ):
            answers[(version_id, number)][partnership_id] = position
        self.core: dict[int, list[int]] = defaultdict(list)
        chain_ids = {v.indicator.ambition.chain_id for v in self.versions}
        for pk, chain_id in (
            Partnership.objects.current()
            .bound()
            .filter(chain_id__in=chain_ids)
            .order_by("pk")
            .values_list("pk", "chain_id")
        ):
            self.core[chain_id].append(pk)
        self.people: dict[int, set[int]] = defaultdict(set)
        for partnership_id, person_id in (
            Mandate.objects.usable_on(self.today)
            .filter(scope=MandateScope.CONSENT_INDICATORS, partnership__chain_id__in=chain_ids)
            .values_list("partnership_id", "person_id")
        ):
            self.people[partnership_id].add(person_id)

        adopted = []
        for version in self.versions:
            key = (version.pk, version.round)
            given = answers[key]
            waiting = [pk for pk in self.core[version.indicator.ambition.chain_id] if pk not in given]
            if self.today <= version.answer_by:
                self._remind(version, rounds.get(key), steps[key], waiting)
            elif not any(kind == EventKind.DEADLINE_PASSED for kind, _day in steps[key]):
                self._deadline_passed(version, rounds.get(key), waiting, given, adopted)
        created = self._save(adopted)
        return {
            "proposals": len(self.versions),
            "notifications": created,
            "steps": len(self.events),
            "silences": len(self.silences),
            "adopted": len(adopted),
        }

    # --- Before and on the deadline -----------------------------------------------------------

    def _remind(self, version, round_: ProposalRound | None, steps, waiting: list[int]) -> None:
        deadline = version.answer_by
        if self.today == deadline:
            kind = "day"
            done = any(k == EventKind.REMINDED and day >= deadline for k, day in steps)
        else:
            opened = timezone.localdate(round_.opened_at) if round_ else None
            lead = version.indicator.ambition.chain.consent_reminder_days  # loaded with the version
            if working_days_between(self.today, deadline) > lead:
                return
            if opened is not None and working_days_between(opened, deadline) <= lead:
                return  # asked within the reminder's reach: the request itself is recent enough
            kind = "before"
            done = any(k == EventKind.REMINDED and day < deadline for k, day in steps)
        if done:
            return
        people = {person for pk in waiting for person in self.people[pk]}
        if not people:
            return  # nobody to remind (yet): a later run reminds whoever holds the mandate then
        about = {
            "version": version,
            "chain": version.indicator.ambition.chain,
            "date": date_format(deadline, "DATE_FORMAT"),
        }
        if kind == "day":
            text = _("Today is the last day to answer the proposal %(version)s in %(chain)s.") % about
            note = _("Reminder on the day of the deadline")
        else:
            text = _("Reminder: your consent is asked for %(version)s in %(chain)s; answer by %(date)s.") % about
            note = _("Reminder before the deadline")
        url = _url(version)
        chain_id = version.indicator.ambition.chain_id
        key = f"consent-reminder:{version.pk}:{version.round}:{kind}"
        self.notifications += [
            Notification(person_id=p, chain_id=chain_id, text=text[:300], url=url, key=key) for p in sorted(people)
        ]
        self.events.append(ProposalEvent(version=version, round=version.round, kind=EventKind.REMINDED, note=note))

    # --- After the deadline -------------------------------------------------------------------

    def _deadline_passed(self, version, round_, waiting: list[int], given: dict[int, str], adopted: list) -> None:
        rule = round_.silence_rule if round_ else SilenceRule.NOT_CONSENT
        self.events.append(ProposalEvent(version=version, round=version.round, kind=EventKind.DEADLINE_PASSED))
        if rule == SilenceRule.CONSENT and waiting:
            for partnership_id in waiting:
                self.silences.append(
                    Consent(
                        version=version,
                        round=version.round,
                        partnership_id=partnership_id,
                        person=None,
                        by_silence=True,
                        position=ConsentPosition.CONSENT,
                    )
                )
                self.events.append(
                    ProposalEvent(
                        version=version, round=version.round, kind=EventKind.SILENCE, partnership_id=partnership_id
                    )
                )
            answers = {**given, **dict.fromkeys(waiting, ConsentPosition.CONSENT)}
            if outcome(answers, self.core[version.indicator.ambition.chain_id]) == VersionStatus.ADOPTED:
                adopted.append(version)
                self.events.append(ProposalEvent(version=version, round=version.round, kind=EventKind.ADOPTED))
            return
        proposer = version.proposed_by
        if proposer is not None and proposer.is_active and not proposer.is_system:
            text = _(
                "The answer deadline of %(version)s in %(chain)s has passed without every answer. It stays open: "
                "put it on the agenda of the body that decides, amend or withdraw it."
            ) % {"version": version, "chain": version.indicator.ambition.chain}
            self.notifications.append(
                Notification(
                    person_id=proposer.pk,
                    chain_id=version.indicator.ambition.chain_id,
                    text=text[:300],
                    url=_url(version),
                    key=f"consent-deadline:{version.pk}:{version.round}",
                )
            )

    # --- Writing it all -----------------------------------------------------------------------

    def _save(self, adopted: list[IndicatorVersion]) -> int:
        created = 0
        if self.notifications:
            keys = {n.key for n in self.notifications}
            existing = set(Notification.objects.filter(key__in=keys).values_list("person_id", "key"))
            new = [n for n in self.notifications if (n.person_id, n.key) not in existing]
            # ignore_conflicts: the (person, key) pair is unique; a sweep that raced us inserted it.
            Notification.objects.bulk_create(new, ignore_conflicts=True)
            created = len(new)
        if self.silences:
            Consent.objects.bulk_create(self.silences)
        if adopted:
            IndicatorVersion.objects.filter(pk__in=[v.pk for v in adopted]).update(
                status=VersionStatus.ADOPTED, decided_at=timezone.now()
            )
            supersede_earlier(adopted)
        if self.events:
            ProposalEvent.objects.bulk_create(self.events)
        return created


def _url(version: IndicatorVersion) -> str:
    chain = version.indicator.ambition.chain
    return reverse("ambitions:version_detail", args=[chain.slug, version.indicator_id, version.number])


def partners_past_deadline(versions: list[IndicatorVersion]) -> dict[int, int]:
    """Per version id, how many core partners have not answered its current round (for the
    agenda suggestions of proposals past their deadline). Two queries."""
    chain_ids = {v.indicator.ambition.chain_id for v in versions}
    core: dict[int, set[int]] = defaultdict(set)
    for pk, chain_id in (
        Partnership.objects.current().bound().filter(chain_id__in=chain_ids).values_list("pk", "chain_id")
    ):
        core[chain_id].add(pk)
    answered: dict[int, set[int]] = defaultdict(set)
    rounds = Q()
    for version in versions:
        rounds |= Q(version_id=version.pk, round=version.round)
    if versions:
        for version_id, partnership_id in Consent.objects.filter(rounds).values_list("version_id", "partnership_id"):
            answered[version_id].add(partnership_id)
    return {v.pk: len(core[v.indicator.ambition.chain_id] - answered[v.pk]) for v in versions}
