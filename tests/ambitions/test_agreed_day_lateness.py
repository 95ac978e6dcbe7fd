"""Lateness against the agreed delivery day (issue 15 point 3, the remaining places): the bulk
upsert (API and file import) marks a first report late only after the partner's agreed day, and
the dashboard's "who hasn't reported yet" says overdue / not yet due by that day. Partners without
delivery terms in force keep the version's deadline."""

from __future__ import annotations

from datetime import timedelta

from ambitions.models import Figure
from ambitions.services import bulk, dashboard
from stakeholders.working_days import add_working_days
from tests.ambitions.test_delivery_terms import AGREED_DAY, in_force, service_agreement, terms_for
from tests.api.test_bulk import writer  # noqa: F401  (the fixture: both writers, COPY and ORM)


def agreed_for_both_indicators(m, *, force: bool = True):
    agreement = service_agreement(m)
    terms = terms_for(m, agreement)  # partner A, the count
    terms.indicators.add(m.share)
    if force:
        in_force(agreement)
    return agreement


def test_a_bulk_first_report_is_late_only_after_the_agreed_day(measures, writer):  # noqa: F811
    m, w = measures, measures.world
    agreed_for_both_indicators(m)
    period = m.period.shifted(-1)
    agreed = add_working_days(period.end, AGREED_DAY)
    between = period.end + timedelta(days=20)  # past the version's ten days, before the agreed day
    assert m.count_v1.deadline_of(period) < between < agreed
    rows = [
        {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": period.slug, "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_b.pk, "period": period.slug, "value": 2},
    ]
    bulk.upsert_figures(w.admin, rows, today=between)
    late = dict(Figure.objects.filter(period=period.start).values_list("unit_id", "is_late"))
    assert late == {w.unit_a.pk: False, w.unit_b.pk: True}  # B has no terms: the version's deadline

    later = m.period.shifted(-2)
    after = add_working_days(later.end, AGREED_DAY) + timedelta(days=1)
    bulk.upsert_figures(
        w.admin, [{"indicator": m.count.pk, "unit": w.unit_a.pk, "period": later.slug, "value": 3}], today=after
    )
    assert Figure.objects.get(unit=w.unit_a, period=later.start).is_late


def test_a_bulk_report_ignores_terms_not_in_force(measures, writer):  # noqa: F811
    m, w = measures, measures.world
    agreed_for_both_indicators(m, force=False)  # a draft agreement's terms do not apply
    period = m.period.shifted(-1)
    between = period.end + timedelta(days=20)
    bulk.upsert_figures(
        w.admin, [{"indicator": m.count.pk, "unit": w.unit_a.pk, "period": period.slug, "value": 1}], today=between
    )
    assert Figure.objects.get(unit=w.unit_a, period=period.start).is_late


def test_the_import_preview_checks_with_the_agreed_day(measures):
    m, w = measures, measures.world
    agreed_for_both_indicators(m)
    period = m.period.shifted(-1)
    between = period.end + timedelta(days=20)
    read = bulk.read_rows(
        [
            {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": period.slug, "value": 1},
            {"indicator": m.count.pk, "unit": w.unit_b.pk, "period": period.slug, "value": 2},
        ],
        errors := {},
    )
    rows, _stored = bulk.check_only(w.admin, read, errors, today=between)
    assert not errors
    assert {row.unit_id: row.late_if_first for row in rows} == {w.unit_a.pk: False, w.unit_b.pk: True}


def test_who_has_not_reported_follows_each_partners_agreed_day(measures):
    m, w = measures, measures.world
    agreed_for_both_indicators(m)
    agreed = add_working_days(m.period.end, AGREED_DAY)
    chain_wide = m.count_v1.deadline_of(m.period)
    between = m.period.end + timedelta(days=20)

    board = dashboard.build(w.chain, today=between)
    missing = {(row.organisation, row.period): row for row in board.missing}
    partner_a, partner_b = missing[(w.org_a.name, m.period)], missing[(w.org_b.name, m.period)]
    assert (partner_a.deadline, partner_a.overdue) == (agreed, False)
    assert (partner_b.deadline, partner_b.overdue) == (chain_wide, True)
    # Not yet due sorts after overdue within the period.
    rows_of_period = [row.organisation for row in board.missing if row.period == m.period]
    assert rows_of_period.index(w.org_b.name) < rows_of_period.index(w.org_a.name)

    board = dashboard.build(w.chain, today=agreed + timedelta(days=1))
    row = next(r for r in board.missing if r.organisation == w.org_a.name and r.period == m.period)
    assert row.overdue


def test_who_has_not_reported_takes_the_first_deadline_of_a_partners_indicators(measures):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    terms_for(m, agreement)  # partner A agreed a later day for the count only
    in_force(agreement)
    between = m.period.end + timedelta(days=20)
    board = dashboard.build(w.chain, today=between)
    row = next(r for r in board.missing if r.organisation == w.org_a.name and r.period == m.period)
    assert (row.deadline, row.overdue) == (m.share_v1.deadline_of(m.period), True)
