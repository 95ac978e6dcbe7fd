"""Early warning from the forecast (governance/services/early_warning.py): raised at the right
period of a bending trajectory, not before, once; dismissed it stays quiet until the forecast is
worse; accepted it files the bottleneck and goes on the steering group's agenda (issue 15)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ambitions.services import dashboard, progress
from governance.models import BodyLevel, BottleneckStatus
from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from governance.services import early_warning, suggestions
from governance.services.early_warning_decisions import DecisionRefused, accept, dismiss
from stakeholders.models import Notification
from tests.governance.agenda_fixtures import at, make_meeting
from tests.governance.body_fixtures import body_of
from tests.governance.early_warning_fixtures import BEND, FIRST, LAST, Period, months, report, seen_on

pytestmark = pytest.mark.django_db

# With unit A standing still from September 2025, the forecast for June 2027 first falls short of
# 80% by more than 5 points in December 2025 (74.7%), and again in January 2026 (72.6%).
FIRST_MISS = Period.containing(seen_on(BEND).replace(month=12, day=1), BEND.frequency)
RAISED_AT = FIRST_MISS.next


def at_noon(period: Period) -> datetime:
    return timezone.make_aware(datetime.combine(seen_on(period), time(12)))


def test_the_forecast_misses_first_in_december_and_again_in_january(measures):
    report(measures)
    gaps = {}
    for period in (FIRST_MISS.previous, FIRST_MISS, RAISED_AT):
        series = dashboard.chain_series([measures.share], seen_on(period))[measures.share.pk][1]
        found = progress.standing(series, seen_on(period), measures.ambition.horizon)
        gaps[period] = early_warning._short_by(found.headline.version, found.forecast)[0]
        # Never red meanwhile: the status is still on track or at risk.
        assert found.status in (progress.Status.ON_TRACK, progress.Status.AT_RISK)
    tolerance = measures.share_v1.tolerance
    assert gaps[FIRST_MISS.previous] <= tolerance < gaps[FIRST_MISS] < gaps[RAISED_AT]


def test_a_bending_trajectory_raises_one_warning_at_the_second_period_in_a_row(measures):
    m = measures
    report(m)
    raised_at = {}
    for period in months(FIRST.shifted(3), LAST):
        for warning in early_warning.sweep(seen_on(period)):
            raised_at[warning.pk] = period
        # Run twice on the same day: still once.
        assert early_warning.sweep(seen_on(period)) == []

    assert list(raised_at.values()) == [RAISED_AT]
    warning = EarlyWarning.objects.get()
    assert (warning.indicator, warning.version, warning.chain) == (m.share, m.share_v1, m.world.chain)
    assert warning.period == RAISED_AT.start and warning.status == EarlyWarningStatus.PROPOSED
    assert warning.gap > warning.previous_gap > m.share_v1.tolerance
    assert warning.target == 80 and warning.forecast_period == Period.containing(m.ambition.horizon, "month").start
    # The unit that stood still lags; the unit that kept up does not.
    assert [row["unit"] for row in warning.lagging] == [m.world.unit_a.name]
    assert early_warning.lagging_partners(warning) == [m.world.org_a.pk]


def test_nothing_is_raised_while_the_trajectory_holds(measures):
    report(measures, stall=None)
    for period in months(FIRST.shifted(3), LAST):
        assert early_warning.sweep(seen_on(period)) == []
    assert not EarlyWarning.objects.exists()


def test_the_programme_managers_are_told_once(measures):
    m = measures
    report(m)
    early_warning.sweep(seen_on(RAISED_AT))
    early_warning.sweep(seen_on(RAISED_AT))
    warning = EarlyWarning.objects.get()
    told = Notification.objects.filter(key=f"early-warning:{warning.pk}")
    assert [n.person for n in told] == [m.world.manager]
    assert m.share.name in told.get().text and told.get().url == warning.get_absolute_url()


def test_a_dismissed_warning_stays_quiet_until_the_forecast_is_worse(measures):
    m = measures
    report(m)
    [warning] = early_warning.sweep(seen_on(RAISED_AT))
    september = Period.containing(date(2026, 9, 1), "month")
    october, november = september.next, september.shifted(2)
    # Dismissed in September 2026, when the forecast fell short by 14.96 points.
    dismiss(warning, m.world.manager, "Bekend: de politie neemt nieuwe mensen aan.", now=at_noon(september))
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.DISMISSED and warning.gap_at_dismissal > warning.gap
    assert early_warning.sweep(seen_on(september)) == []
    assert early_warning.sweep(seen_on(october)) == []  # 14.93: not worse
    [again] = early_warning.sweep(seen_on(november))  # 15.08: worse
    assert again.period == november.start and again.gap > warning.gap_at_dismissal


def test_dismissing_needs_a_reason_and_changes_nothing_without_one(measures):
    report(measures)
    [warning] = early_warning.sweep(seen_on(RAISED_AT))
    with pytest.raises(ValidationError) as refused:
        dismiss(warning, measures.world.manager, "   ")
    assert "reason" in refused.value.message_dict
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.PROPOSED and warning.decided_at is None


def test_accepting_files_the_bottleneck_for_the_lagging_partners(measures):
    m, w = measures, measures.world
    report(m)
    steering = body_of(w)
    operational = body_of(w, "Ketenoverleg ZSM", level=BodyLevel.OPERATIONAL)
    [warning] = early_warning.sweep(seen_on(RAISED_AT))

    bottleneck = accept(warning, w.manager, "Graag bespreken.")

    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.ACCEPTED and warning.bottleneck == bottleneck
    assert warning.decided_by == w.manager and warning.reason == "Graag bespreken."
    assert bottleneck.body == operational and bottleneck.status == BottleneckStatus.REPORTED
    assert bottleneck.owner == w.manager and list(bottleneck.indicators.all()) == [m.share]
    assert list(bottleneck.partners.all()) == [w.partner_a]
    assert m.share.name in bottleneck.title and w.unit_a.name in bottleneck.description
    assert "80" in bottleneck.description
    # The steering group's next meeting gets it suggested, an operational one does not.
    steering_meeting = make_meeting(steering, at(seen_on(RAISED_AT).replace(day=25)))
    keys = [s.key for s in suggestions.compute(steering_meeting, seen_on(RAISED_AT))]
    assert f"early_warning:{warning.pk}" in keys
    other = make_meeting(operational, at(seen_on(RAISED_AT).replace(day=25)))
    assert f"early_warning:{warning.pk}" not in [s.key for s in suggestions.compute(other, seen_on(RAISED_AT))]


def test_a_warning_is_decided_once(measures):
    w = measures.world
    report(measures)
    body_of(w)
    [warning] = early_warning.sweep(seen_on(RAISED_AT))
    accept(warning, w.manager)
    with pytest.raises(DecisionRefused, match=w.manager.full_name):
        accept(warning, w.manager)
    with pytest.raises(DecisionRefused):
        dismiss(warning, w.manager, "Toch niet.")
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.ACCEPTED and warning.reason == ""


def test_accepting_without_a_body_is_refused(measures):
    report(measures)
    [warning] = early_warning.sweep(seen_on(RAISED_AT))
    with pytest.raises(DecisionRefused):
        accept(warning, measures.world.manager)
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.PROPOSED


def test_an_accepted_warning_keeps_quiet_while_its_bottleneck_is_open(measures):
    w = measures.world
    report(measures)
    body_of(w)
    [warning] = early_warning.sweep(seen_on(RAISED_AT))
    bottleneck = accept(warning, w.manager)
    assert early_warning.sweep(seen_on(RAISED_AT.next)) == []
    bottleneck.status, bottleneck.resolution, bottleneck.cause = BottleneckStatus.RESOLVED, "Opgelost", "Personeel"
    bottleneck.save()
    [again] = early_warning.sweep(seen_on(RAISED_AT.shifted(2)))
    assert again.period == RAISED_AT.shifted(2).start


def test_the_sweep_reads_every_chain_in_a_fixed_number_of_queries(measures, django_assert_max_num_queries):
    report(measures, stall=None)
    # Indicators (1), the roll-ups' window (3), nothing missing its target: nothing more.
    with django_assert_max_num_queries(4):
        assert early_warning.sweep(seen_on(RAISED_AT)) == []
