"""The entry items of My work: figures due and overdue, approvals waiting (services/work.py)."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from ambitions.models import (
    Indicator,
    IndicatorKind,
)
from ambitions.periods import Frequency, Period
from ambitions.services import submissions
from ambitions.services.work import FiguresWork, approvals_waiting, figures_work
from stakeholders.models import MandateScope, Role
from tests.ambitions import test_entry
from tests.ambitions.test_entry import (
    grid_url,
)
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.measures import MISSING, adopted_version

# The grid tests' fixtures: messages in English, signed in with an English UI.
_in_english = test_entry._in_english
client_for = test_entry.client_for

# --- My work -------------------------------------------------------------------------------------


def test_my_work_lists_figures_due_and_overdue(measures, client_for, django_assert_max_num_queries):
    m, w = measures, measures.world
    today = timezone.localdate()
    # A quarterly indicator whose current quarter's deadline is near: due; last month is overdue
    # (ten days after it ended) unless today is still within those ten days.
    work = figures_work(w.contributor_a, today)
    overdue = {(d.chain.pk, d.period) for d in work.overdue}
    due = {(d.chain.pk, d.period) for d in work.due}
    last_deadline = m.period.end + timedelta(days=10)
    if today > last_deadline:
        assert (w.chain.pk, m.period) in overdue
    else:
        assert (w.chain.pk, m.period) in due
    assert (w.chain.pk, m.period.shifted(-1)) in overdue
    # Submitted periods are done.
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period.shifted(-1), MISSING)
    work = figures_work(w.contributor_a, today)
    assert (w.chain.pk, m.period.shifted(-1)) not in {(d.chain.pk, d.period) for d in work.overdue}
    # Nothing for people who do not enter figures.
    assert figures_work(w.viewer, today) == FiguresWork([], [])

    client = client_for(w.contributor_a)
    with django_assert_max_num_queries(24):  # incl. the session reads and the delivery terms, one more on SQLite
        response = client.get(reverse("stakeholders:my_work"))
    assert "Figures overdue" in response.text
    assert f'href="{grid_url(m, m.period.shifted(-2))}"' in response.text


def test_my_work_shows_figures_due_within_two_weeks(world, client_for):
    from ambitions.models import Ambition

    today = timezone.localdate()
    ambition = Ambition.objects.create(chain=world.chain, statement="Sneller", horizon=date(2030, 1, 1))
    indicator = Indicator.objects.create(ambition=ambition, name="Doorlooptijd")
    # Deadline: five days from today, for the latest month that has ended by then (a deadline is
    # never before its month's end: the month running now when it ends within five days, else the
    # month before it).
    due_on = today + timedelta(days=5)
    period = Period.containing(due_on, Frequency.MONTH)
    if period.end > due_on:
        period = period.previous
    adopted_version(
        indicator,
        [world.unit_a],
        effective_from=period.start,
        baseline_period=period.start,
        deadline_days=(due_on - period.end).days,
    )
    work = figures_work(world.contributor_a, today)
    assert [(d.period, d.deadline) for d in work.due] == [(period, due_on)]
    assert work.overdue == []
    response = client_for(world.contributor_a).get(reverse("stakeholders:my_work"))
    assert "Figures due within two weeks" in response.text


def test_my_work_shows_approvals_waiting_for_a_mandated_lead(measures, client_for, django_assert_max_num_queries):
    m, w = measures, measures.world
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    submissions.submit(w.lead_b, w.chain, w.org_b, m.period, MISSING)
    waiting = approvals_waiting(w.lead_a)
    assert [(a.submission.organisation, a.period) for a in waiting] == [(w.org_a, m.period)]
    assert approvals_waiting(w.contributor_a) == []
    client = client_for(w.lead_a)
    with django_assert_max_num_queries(24):  # incl. the session reads and the delivery terms, one more on SQLite
        response = client.get(reverse("stakeholders:my_work"))
    assert "Approvals waiting" in response.text
    assert f'href="{grid_url(m)}"' in response.text
    # Without the mandate, nothing waits.
    w.lead_a.mandates.filter(scope=MandateScope.APPROVE_FIGURES).delete()
    assert approvals_waiting(w.lead_a) == []


def test_my_work_queries_stay_constant(measures, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m, w = measures, measures.world
    client = client_for(w.lead_a)
    client.get(reverse("stakeholders:my_work"))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("stakeholders:my_work"))
        return len(captured)

    before = count()
    # More chains, indicators and submitted periods.
    for n in range(3):
        indicator = Indicator.objects.create(ambition=m.ambition, name=f"Meer {n}", position=20 + n)
        adopted_version(indicator, [w.unit_a], kind=IndicatorKind.SUM)
        submissions.submit(w.contributor_a, w.chain, w.org_a, m.period.shifted(-n - 1), MISSING)
    person = PersonFactory(organisation=w.org_a)
    MembershipFactory(person=person, chain=w.other_chain, role=Role.VIEWER)
    MandateFactory(person=w.lead_a, partnership=w.partner_a, scope=MandateScope.APPROVE_FIGURES)
    assert count() == before
