"""The reporting calendar is one rule on the indicator version (deadline, entry window, due
periods), and every page, check and reminder asks it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from ambitions import reminders
from ambitions.models import EntryDates, Figure, IndicatorVersion
from ambitions.periods import Frequency, Period
from ambitions.services import bulk, calendar, grid
from ambitions.services.entry import CellInput, save_cell
from ambitions.services.work import figures_work

MARCH = Period(date(2026, 3, 1), Frequency.MONTH)


def version(**fields) -> IndicatorVersion:
    defaults = {"effective_from": date(2026, 1, 1), "frequency": Frequency.MONTH, "deadline_days": 10}
    return IndicatorVersion(**{**defaults, "entry_window_days": 40, **fields})


def test_it_reads_the_deadline_and_entry_window_of_a_period():
    v = version()
    assert v.deadline_of(MARCH) == date(2026, 4, 10)
    assert v.entry_window_of(MARCH) == (date(2026, 3, 1), date(2026, 5, 10))
    assert v.dates_of(MARCH) == EntryDates(date(2026, 3, 1), date(2026, 4, 10), date(2026, 5, 10))
    assert not v.is_open_for(MARCH, on=date(2026, 2, 28))
    assert v.is_open_for(MARCH, on=date(2026, 3, 1))
    assert v.is_open_for(MARCH, on=date(2026, 5, 10))
    assert not v.is_open_for(MARCH, on=date(2026, 5, 11))


def test_it_lists_the_open_periods_from_the_first_one():
    v = version()
    # On 5 April: February (its window closes on 9 April), March and April are open.
    assert v.open_periods(date(2026, 4, 5)) == [MARCH.previous, MARCH, MARCH.next]
    assert v.open_periods(date(2026, 4, 15)) == [MARCH, MARCH.next]
    # Looking ahead: May opens within 20 days of 15 April.
    assert v.open_periods(date(2026, 4, 15), ahead_days=20) == [MARCH, MARCH.next, MARCH.next.next]
    # Never before the version takes effect.
    assert version(effective_from=date(2026, 3, 1)).open_periods(date(2026, 3, 5)) == [MARCH]


def test_it_gives_each_due_period_to_the_version_that_governs_it():
    first = version(effective_from=date(2026, 1, 1))
    second = version(effective_from=date(2026, 4, 1))
    siblings = [second, first]  # latest start first, as versions_in_force lists them
    on = date(2026, 4, 5)
    assert first.due_periods(on, siblings) == [MARCH.previous, MARCH]
    assert second.due_periods(on, siblings) == [MARCH.next]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 4, 1), None),  # the deadline is more than 5 days away
        (date(2026, 4, 5), "due"),
        (date(2026, 4, 10), "due"),  # the deadline itself
        (date(2026, 4, 11), "overdue"),
        (date(2026, 5, 10), "overdue"),  # the window's last day
        (date(2026, 5, 11), None),  # closed: nothing left to do
    ],
)
def test_it_tells_due_from_overdue(on, expected):
    assert version().dates_of(MARCH).due_or_overdue(on, within_days=5) == expected


def test_it_merges_the_first_deadline_and_the_widest_window():
    a = EntryDates(date(2026, 3, 1), date(2026, 4, 10), date(2026, 5, 10))
    b = EntryDates(date(2026, 3, 1), date(2026, 4, 5), date(2026, 6, 1))
    assert a.merged(b) == EntryDates(date(2026, 3, 1), date(2026, 4, 5), date(2026, 6, 1))
    assert a.merged(None) == a


def test_it_asks_the_version_everywhere(measures, monkeypatch):
    """With the version's rule replaced, the grid, the entry index, My work, the reminders, a saved
    cell and the bulk upsert all follow it: none of them computes a deadline of its own."""
    m, w = measures, measures.world
    today = timezone.localdate()

    def deadline_of(self, period: Period, working_day: int | None = None) -> date:
        return period.start + timedelta(days=1)  # always past for last month, unlike the stored 10 days

    monkeypatch.setattr(IndicatorVersion, "deadline_of", deadline_of)
    expected = m.period.start + timedelta(days=1)

    assert {s.deadline for s in grid.build(w.chain, w.org_a, m.period).sections} == {expected}
    rows = {row.period: row for row in calendar.open_periods(w.chain, [w.org_a, w.org_b], today)}
    assert rows[m.period].deadline == expected
    work = figures_work(w.contributor_a, today)
    assert [d.deadline for d in work.overdue if d.period == m.period] == [expected]
    texts = [r.text for r in reminders.figure_reminders(today) if r.key.endswith(f":{w.org_a.pk}:{m.period.slug}")]
    assert texts and all(date_format(expected, "DATE_FORMAT") in text for text in texts)

    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="5"))
    bulk.upsert_figures(w.lead_b, [{"indicator": m.count.pk, "unit": w.unit_b.pk, "period": m.period.slug, "value": 6}])
    assert set(Figure.objects.filter(period=m.period.start).values_list("is_late", flat=True)) == {True}
