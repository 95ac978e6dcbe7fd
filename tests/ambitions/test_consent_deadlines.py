"""A proposal's answer deadline (issue 15): the chain's default and the refusals, the reminders
before and on the day (each exactly once), and silence after it under both rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambitions.models import (
    Consent,
    EventKind,
    IndicatorVersion,
    ProposalEvent,
    ProposalRound,
    VersionStatus,
)
from ambitions.services import consensus
from ambitions.services.consent_deadlines import sweep
from stakeholders.models import Notification, SilenceRule
from stakeholders.working_days import add_working_days
from tests.ambitions.consent_clock import MONDAY, draft, on, proposed
from tests.measures import Measures

pytestmark = pytest.mark.django_db

DEADLINE = date(2027, 3, 22)  # 15 working days after Monday 1 March 2027
BEFORE = date(2027, 3, 17)  # 3 working days left: 18, 19 and 22 March


def steps(version: IndicatorVersion, kind: str | None = None) -> list[ProposalEvent]:
    events = ProposalEvent.objects.filter(version=version).order_by("at", "pk")
    return list(events.filter(kind=kind) if kind else events)


def keys_of(person) -> set[str]:
    return set(Notification.objects.filter(person=person).values_list("key", flat=True))


# --- The deadline -------------------------------------------------------------------------------


def test_a_proposal_gets_the_chains_default_deadline_its_first_round_and_an_asked_step(measures: Measures):
    w = measures.world
    assert add_working_days(MONDAY, w.chain.consent_answer_days) == DEADLINE
    version = proposed(measures)
    assert version.answer_by == DEADLINE and version.round == 1
    first = ProposalRound.objects.get(version=version)
    assert first.number == 1 and first.answer_by == DEADLINE and first.opened_by == w.manager
    assert first.silence_rule == SilenceRule.NOT_CONSENT
    assert first.definition["unit_label"] == "zaken" and first.definition["effective_from"] == "2027-01-01"
    assert first.definition["reporting_units"] == sorted([w.unit_a.pk, w.unit_b.pk])
    assert [(e.kind, e.person) for e in steps(version)] == [(EventKind.ASKED, w.manager)]
    asked = Notification.objects.filter(key=f"consent-asked:{version.pk}:1")
    assert {n.person for n in asked} == {w.lead_a, w.lead_b}
    assert all("22" in n.text for n in asked)  # the deadline is named


def test_the_proposer_may_give_a_later_deadline(measures: Measures):
    version = proposed(measures, answer_by=date(2027, 4, 30))
    assert version.answer_by == date(2027, 4, 30)
    assert ProposalRound.objects.get(version=version).answer_by == date(2027, 4, 30)


@pytest.mark.parametrize(
    "answer_by",
    [
        MONDAY,  # today
        MONDAY - timedelta(days=3),  # in the past, so before the proposal
        date(2027, 3, 6),  # a Saturday
        date(2027, 4, 27),  # King's Day
        MONDAY + timedelta(days=400),  # further than a year
    ],
)
def test_a_deadline_that_does_not_fit_is_refused_at_its_field_and_nothing_is_saved(measures: Measures, answer_by):
    version = draft(measures)
    with on(MONDAY), pytest.raises(consensus.ConsensusRefused) as refused:
        consensus.propose(measures.world.manager, version, answer_by)
    assert refused.value.field == "answer_by" and str(refused.value)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.answer_by is None
    assert not ProposalRound.objects.filter(version=version).exists()
    assert not ProposalEvent.objects.filter(version=version).exists()
    assert not Notification.objects.exists()


# --- Reminders ----------------------------------------------------------------------------------


def test_one_reminder_before_the_deadline_and_one_on_the_day_each_once(measures: Measures):
    w = measures.world
    version = proposed(measures)
    with on(MONDAY):
        consensus.respond(w.lead_a, version, w.partner_a, "consent")
    for day in (MONDAY, BEFORE - timedelta(days=1)):
        with on(day):
            sweep()
    assert not steps(version, EventKind.REMINDED)
    assert keys_of(w.lead_b) == {f"consent-asked:{version.pk}:1"}

    for _ in range(2):  # the second run on the same day adds nothing
        with on(BEFORE):
            counts = sweep()
    assert counts["notifications"] == 0 and counts["steps"] == 0
    before = f"consent-reminder:{version.pk}:1:before"
    assert keys_of(w.lead_b) == {f"consent-asked:{version.pk}:1", before}
    assert before not in keys_of(w.lead_a)  # partner A has answered
    assert len(steps(version, EventKind.REMINDED)) == 1

    with on(BEFORE + timedelta(days=1)):
        sweep()  # still within the reach, but reminded already
    for _ in range(2):
        with on(DEADLINE):
            sweep()
    day = f"consent-reminder:{version.pk}:1:day"
    assert Notification.objects.filter(key=day).count() == 1 and day in keys_of(w.lead_b)
    reminded = steps(version, EventKind.REMINDED)
    assert len(reminded) == 2 and reminded[0].note != reminded[1].note
    assert Notification.objects.filter(key__startswith="consent-reminder:").count() == 2


def test_a_short_deadline_gets_no_reminder_before_it_only_on_the_day(measures: Measures):
    w = measures.world
    version = proposed(measures, answer_by=date(2027, 3, 3))  # two working days
    with on(date(2027, 3, 2)):
        sweep()
    assert not Notification.objects.filter(key__startswith="consent-reminder:").exists()
    with on(date(2027, 3, 3)):
        sweep()
    assert keys_of(w.lead_a) >= {f"consent-reminder:{version.pk}:1:day"}
    assert len(steps(version, EventKind.REMINDED)) == 1


def test_the_daily_digest_mails_the_reminder_with_the_other_notifications(measures: Measures):
    from django.core import mail

    from stakeholders.digest import send_daily_digests

    proposed(measures)
    with on(BEFORE):
        sweep()
        send_daily_digests()
    # One mail per lead however many notifications wait: the request and the reminder together.
    assert sorted(m.to[0] for m in mail.outbox) == ["lead-a@example.nl", "lead-b@example.nl"]


# --- After the deadline -------------------------------------------------------------------------


def test_silence_is_not_consent_the_proposal_stays_open_and_is_flagged_once(measures: Measures):
    w = measures.world
    version = proposed(measures)
    with on(MONDAY):
        consensus.respond(w.lead_a, version, w.partner_a, "consent")
    after = DEADLINE + timedelta(days=1)
    for _ in range(2):
        with on(after):
            sweep()
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    assert len(steps(version, EventKind.DEADLINE_PASSED)) == 1
    assert not steps(version, EventKind.SILENCE) and Consent.objects.filter(version=version).count() == 1
    assert list(IndicatorVersion.objects.past_answer_deadline(after)) == [version]
    assert not IndicatorVersion.objects.past_answer_deadline(DEADLINE).exists()
    # The proposer is told once; partner B can still answer, and its consent adopts the version.
    assert Notification.objects.filter(person=w.manager, key=f"consent-deadline:{version.pk}:1").count() == 1
    with on(after):
        consensus.respond(w.lead_b, version, w.partner_b, "consent")
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED
    assert [e.kind for e in steps(version)][-2:] == [EventKind.ANSWERED, EventKind.ADOPTED]


def test_silence_is_consent_records_each_silent_partner_and_adopts(measures: Measures):
    w = measures.world
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save()
    earlier = measures.share_v1
    version = proposed(measures)
    # A later version of an indicator that has an adopted one: the silence adoption supersedes it.
    with on(MONDAY):
        later = consensus.new_draft(w.manager, earlier)
        later.effective_from = date(2027, 1, 1)
        later.save()
        later = consensus.propose(w.manager, later)
        consensus.respond(w.lead_a, later, w.partner_a, "consent")
    with on(DEADLINE):
        sweep()  # the deadline's day itself: answers are still awaited
    assert not Consent.objects.filter(by_silence=True).exists()
    for _ in range(2):
        with on(DEADLINE + timedelta(days=1)):
            counts = sweep()
    assert counts == {"proposals": 0, "notifications": 0, "steps": 0, "silences": 0, "adopted": 0}

    silent = Consent.objects.get(version=version, partnership=w.partner_a)
    assert silent.by_silence and silent.person is None and silent.position == "consent" and silent.round == 1
    assert Consent.objects.filter(version=version, by_silence=True).count() == 2
    assert [e.partnership for e in steps(version, EventKind.SILENCE)] == [w.partner_a, w.partner_b]
    for v in (version, later):
        v.refresh_from_db()
        assert v.status == VersionStatus.ADOPTED and v.decided_at is not None
        assert len(steps(v, EventKind.ADOPTED)) == 1 and len(steps(v, EventKind.DEADLINE_PASSED)) == 1
    assert Consent.objects.get(version=later, partnership=w.partner_a).by_silence is False
    earlier.refresh_from_db()
    assert earlier.status == VersionStatus.SUPERSEDED
    assert not Notification.objects.filter(key__startswith="consent-deadline:").exists()


def test_the_rule_the_partners_were_told_holds_even_when_the_chain_changes_it(measures: Measures):
    w = measures.world
    version = proposed(measures)  # asked under "silence is not consent"
    w.chain.silence_rule = SilenceRule.CONSENT
    w.chain.save()
    with on(DEADLINE + timedelta(days=1)):
        sweep()
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    assert not Consent.objects.filter(version=version).exists()


# --- Set-based ----------------------------------------------------------------------------------


def _proposals(measures: Measures, n: int, rule: str) -> None:
    measures.world.chain.silence_rule = rule
    measures.world.chain.save()
    for i in range(n):
        proposed(measures, name=f"{rule} {n} {i}")


@pytest.mark.parametrize("day", [BEFORE, DEADLINE, DEADLINE + timedelta(days=1)])
def test_the_sweep_takes_the_same_number_of_queries_for_one_proposal_or_many(measures: Measures, day):
    counts = []
    for n in (1, 6):
        IndicatorVersion.objects.filter(status=VersionStatus.PROPOSED).delete()
        Notification.objects.all().delete()
        _proposals(measures, n, SilenceRule.CONSENT if day > DEADLINE else SilenceRule.NOT_CONSENT)
        with on(day), CaptureQueriesContext(connection) as queries:
            result = sweep()
        assert result["proposals"] == n and result["steps"] > 0
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 16


def test_the_beat_runs_the_sweep_every_morning_and_the_task_runs_it(measures: Measures):
    from ambitions.tasks_consent import sweep_consent_deadlines

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-consent-deadlines"]
    assert entry["task"] == "ambitions.tasks_consent.sweep_consent_deadlines"
    assert "ambitions.tasks_consent" in settings.CELERY_IMPORTS
    assert sweep_consent_deadlines.apply().get()["proposals"] == 0
