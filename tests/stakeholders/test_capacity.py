"""Capacity self-assessments: the windows of the chain's cadence, the flag rule at its edges and the
database's constraints (stakeholders/models/capacity.py)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stakeholders.models.capacity import (
    CapacityAssessment,
    flags,
    is_window_start,
    shift_window,
    window_label,
    window_start,
)
from tests.conftest import World
from tests.stakeholders.capacity_fixtures import assess

FOURS = {"people": 4, "money": 4, "data_it": 4, "mandate": 4, "knowledge": 4}


@pytest.mark.parametrize(
    ("day", "months", "start"),
    [
        (date(2026, 1, 1), 6, date(2026, 1, 1)),
        (date(2026, 6, 30), 6, date(2026, 1, 1)),
        (date(2026, 7, 1), 6, date(2026, 7, 1)),
        (date(2026, 12, 31), 6, date(2026, 7, 1)),
        (date(2026, 5, 17), 3, date(2026, 4, 1)),
        (date(2026, 5, 17), 12, date(2026, 1, 1)),
        (date(2027, 5, 17), 24, date(2026, 1, 1)),  # counted from January 2000: even years
        (date(2026, 5, 17), 1, date(2026, 5, 1)),
        (date(2000, 1, 1), 5, date(2000, 1, 1)),
        (date(2001, 2, 3), 5, date(2000, 11, 1)),
    ],
)
def test_a_window_starts_on_the_first_of_a_month_counted_from_2000_in_steps_of_the_cadence(day, months, start):
    assert window_start(day, months) == start
    assert is_window_start(start, months)


def test_windows_shift_and_have_names():
    assert shift_window(date(2026, 1, 1), 6, -1) == date(2025, 7, 1)
    assert shift_window(date(2025, 7, 1), 6, 1) == date(2026, 1, 1)
    assert not is_window_start(date(2026, 3, 1), 6)
    assert not is_window_start(date(2026, 1, 2), 6)
    assert window_label(date(2026, 1, 1), 6) == "januari 2026 – juni 2026"
    assert window_label(date(2026, 5, 1), 1) == "mei 2026"


# --- the flag rule at its edges ------------------------------------------------------------------


def test_a_score_of_2_is_flagged_and_3_is_not():
    assert [f.dimension for f in flags({**FOURS, "money": 2}, None)] == ["money"]
    assert flags({**FOURS, "money": 2}, None)[0].low
    assert flags({**FOURS, "money": 3}, None) == []
    assert [f.score for f in flags({**FOURS, "people": 1}, None)] == [1]


def test_a_drop_of_2_is_flagged_and_a_drop_of_1_is_not():
    found = flags({**FOURS, "people": 3}, {**FOURS, "people": 5})
    assert [(f.dimension, f.score, f.previous, f.low, f.drop) for f in found] == [("people", 3, 5, False, True)]
    assert flags({**FOURS, "people": 4}, {**FOURS, "people": 5}) == []
    assert flags({**FOURS, "people": 5}, {**FOURS, "people": 3}) == []  # a rise is no flag


def test_a_low_score_that_also_dropped_says_both():
    (flag,) = flags({**FOURS, "knowledge": 2}, {**FOURS, "knowledge": 4})
    assert flag.low and flag.drop
    assert flag.words == "Kennis: 2, laag en gedaald van 4"
    assert flags({**FOURS, "people": 3}, {**FOURS, "people": 5})[0].words == "Mensen: 3, gedaald van 5"
    assert flags({**FOURS, "people": 2}, None)[0].words == "Mensen: 2, 2 of lager"


# --- the database -----------------------------------------------------------------------------------


def test_one_assessment_per_partner_and_period(world: World):
    assess(world.partner_a, date(2026, 1, 1))
    assess(world.partner_b, date(2026, 1, 1))  # another partner, the same period
    assess(world.partner_a, date(2026, 7, 1))  # the same partner, another period
    with pytest.raises(IntegrityError), transaction.atomic():
        assess(world.partner_a, date(2026, 1, 1))
    assert CapacityAssessment.objects.count() == 3


@pytest.mark.parametrize("score", [0, 6, 200])
def test_the_database_refuses_a_score_outside_1_to_5(world: World, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        assess(world.partner_a, date(2026, 1, 1), people=score)
    assert not CapacityAssessment.objects.exists()


def test_the_database_refuses_a_low_score_without_explanation(world: World):
    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityAssessment.objects.create(
            chain=world.chain,
            partnership=world.partner_a,
            period_start=date(2026, 1, 1),
            people=2,
            money=4,
            data_it=4,
            mandate=4,
            knowledge=4,
        )
    assert not CapacityAssessment.objects.exists()


def test_the_model_explains_what_is_wrong(world: World):
    assessment = CapacityAssessment(
        chain=world.other_chain,
        partnership=world.partner_a,
        period_start=date(2026, 1, 1),
        people=1,
        people_note="   ",
        money=6,
        data_it=4,
        mandate=4,
        knowledge=4,
    )
    with pytest.raises(ValidationError) as caught:
        assessment.full_clean()
    errors = caught.value.message_dict
    assert set(errors) >= {"people_note", "money", "partnership"}
    assert "2 of lager" in errors["people_note"][0]


def test_latest_per_partner_takes_the_newest_two_of_each(world: World):
    for year in (2024, 2025, 2026):
        assess(world.partner_a, date(year, 1, 1))
    assess(world.partner_b, date(2025, 7, 1))
    rows = CapacityAssessment.objects.latest_per_partner(2).order_by("partnership_id", "-period_start")
    assert [(a.partnership_id, a.period_start.year) for a in rows] == [
        (world.partner_a.pk, 2026),
        (world.partner_a.pk, 2025),
        (world.partner_b.pk, 2025),
    ]
