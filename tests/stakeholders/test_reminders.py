"""The reminder sweep (ambitions/reminders.py): notifications for figures due and overdue, approvals
waiting and consents requested; once per person per item and period, in a constant number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ambitions import reminders
from ambitions.models import IndicatorVersion, PeriodSubmission, SubmissionStatus, VersionStatus
from ambitions.periods import Frequency, Period
from ambitions.services import consensus
from stakeholders.models import Notification, Role
from tests.factories import MembershipFactory, PersonFactory, UnitFactory
from tests.measures import Measures, adopted_version

MARCH_8 = date(2026, 3, 8)  # February's figures are due on 10 March; January's were due on 10 February
FEB, JAN = Period(date(2026, 2, 1), Frequency.MONTH), Period(date(2026, 1, 1), Frequency.MONTH)


@pytest.fixture
def short_window(measures: Measures) -> Measures:
    """Entry windows of 60 days, so only the last two months are open on 8 March 2026."""
    IndicatorVersion.objects.update(entry_window_days=60)
    return measures


def keys_of(person) -> set[str]:
    return set(Notification.objects.filter(person=person).values_list("key", flat=True))


def test_it_reminds_contributors_and_leads_of_figures_due_and_overdue(short_window: Measures, settings):
    w = short_window.world
    settings.REMINDER_DUE_DAYS, settings.REMINDER_LEAD_GRACE_DAYS = 5, 3
    counts = reminders.sweep(MARCH_8)
    a = f"{w.chain.pk}:{w.org_a.pk}"
    b = f"{w.chain.pk}:{w.org_b.pk}"
    assert keys_of(w.contributor_a) == {f"due:{a}:2026-02", f"overdue:{a}:2026-01"}
    assert keys_of(w.lead_a) == {f"due:{a}:2026-02", f"overdue-lead:{a}:2026-01"}
    assert keys_of(w.lead_b) == {f"due:{b}:2026-02", f"overdue-lead:{b}:2026-01"}
    for person in (w.viewer, w.manager, w.outsider, w.admin):
        assert keys_of(person) == set()
    assert counts == {"candidates": 6, "created": 6}
    due = Notification.objects.get(person=w.contributor_a, key=f"due:{a}:2026-02")
    assert due.chain == w.chain and due.url == reverse("ambitions:entry_grid", args=["zsm", FEB.slug])
    assert "Politie" in due.text and "ZSM" in due.text


def test_running_the_sweep_again_creates_nothing_new(short_window: Measures):
    first = reminders.sweep(MARCH_8)
    total = Notification.objects.count()
    assert first["created"] == total > 0
    assert reminders.sweep(MARCH_8) == {"candidates": first["candidates"], "created": 0}
    assert Notification.objects.count() == total


def test_the_lead_hears_of_overdue_figures_only_after_the_grace_period(short_window: Measures, settings):
    w = short_window.world
    settings.REMINDER_LEAD_GRACE_DAYS = 3
    a = f"{w.chain.pk}:{w.org_a.pk}"
    reminders.sweep(date(2026, 2, 13))  # three days after the deadline of 10 February
    assert f"overdue:{a}:2026-01" in keys_of(w.contributor_a)
    assert f"overdue-lead:{a}:2026-01" not in keys_of(w.lead_a)
    reminders.sweep(date(2026, 2, 14))
    assert f"overdue-lead:{a}:2026-01" in keys_of(w.lead_a)


def test_a_submitted_period_is_not_chased_but_waits_for_approval(short_window: Measures):
    w = short_window.world
    PeriodSubmission.objects.create(
        chain=w.chain,
        organisation=w.org_a,
        frequency=Frequency.MONTH,
        period=JAN.start,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    reminders.sweep(MARCH_8)
    a = f"{w.chain.pk}:{w.org_a.pk}"
    assert f"overdue:{a}:2026-01" not in keys_of(w.contributor_a)
    approvals = Notification.objects.filter(key__startswith="approve:")
    assert [n.person for n in approvals] == [w.lead_a]  # the mandated lead of partner A only
    assert approvals[0].url.endswith(f"?organisatie={w.org_a.pk}")
    with translation.override(settings.LANGUAGE_CODE):  # reminders are written in the portal's language
        assert "Politie" in approvals[0].text and JAN.label() in approvals[0].text


def test_consents_requested_remind_the_leads_who_have_not_answered(short_window: Measures):
    w = short_window.world
    version = adopted_version(
        short_window.share, [w.unit_a], number=2, status=VersionStatus.DRAFT, effective_from=date(2026, 6, 1)
    )
    consensus.propose(w.manager, version)
    Notification.objects.all().delete()  # as if the proposal's notifications were never made
    consensus.respond(w.lead_a, version, w.partner_a, "consent")
    reminders.sweep(MARCH_8)
    asked = Notification.objects.filter(key=f"consent-asked:{version.pk}:1")
    assert [n.person for n in asked] == [w.lead_b]


def test_the_sweep_takes_a_constant_number_of_queries(short_window: Measures):
    w = short_window.world
    with CaptureQueriesContext(connection) as few:
        reminders.sweep(MARCH_8)
    for n in range(20):
        organisation = w.org_a if n % 2 else w.org_b
        person = PersonFactory(organisation=organisation)
        MembershipFactory(person=person, chain=w.chain, role=Role.CONTRIBUTOR)
        short_window.share_v1.reporting_units.add(UnitFactory(organisation=organisation))
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        counts = reminders.sweep(MARCH_8)
    assert counts["created"] > 40
    assert len(many) == len(few) <= 15


def test_the_celery_task_runs_the_sweep(short_window: Measures):
    from ambitions.reminders import send_reminders

    counts = send_reminders.apply().get()
    assert counts["created"] == Notification.objects.count()


def test_beat_runs_the_sweep_hourly_and_the_digest_in_the_day(db):
    # db: loading the task modules runs Celery's Django fixup, which runs the system checks, and
    # on SQLite the JSONField check asks the database whether it supports JSON.
    from django.conf import settings

    from ketenportaal.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["send-reminders"]["task"] == "ambitions.reminders.send_reminders"
    assert schedule["send-daily-digests"]["task"] == "stakeholders.tasks.send_daily_digests"
    app.loader.import_default_modules()
    assert {"ambitions.reminders.send_reminders", "stakeholders.tasks.send_daily_digests"} <= set(app.tasks)


def test_without_postgresql_the_orm_inserts_the_same_reminders_once(short_window: Measures, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(reminders, "_create_with_copy", lambda _: pytest.fail("COPY used"))
    first = reminders.sweep(MARCH_8)
    assert first["created"] == Notification.objects.count() == 6
    assert reminders.sweep(MARCH_8)["created"] == 0
