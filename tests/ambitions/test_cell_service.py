"""save_cell: the one path that writes a single figure (pages and API call it)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from ambitions.models import ChainAggregate, Figure, FigureChange, OrganisationAggregate, VersionStatus
from ambitions.periods import Frequency, Period
from ambitions.services import submissions
from ambitions.services.entry import CellConflict, CellInput, CellRefused, save_cell
from tests.factories import UnitFactory
from tests.measures import MISSING


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English, the language they are written in."""
    with translation.override("en"):
        yield


def test_it_saves_a_ratio_typed_with_a_dutch_comma_and_rolls_it_up(measures):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="12,5", denominator="50"))

    figure = Figure.objects.get(indicator=m.share, unit=w.unit_a, period=m.period.start)
    assert figure.value == Decimal("25.0000")
    chain = ChainAggregate.objects.get(indicator=m.share, period=m.period.start)
    assert (chain.numerator_sum, chain.denominator_sum, chain.reported) == (Decimal("12.5"), 50, 1)
    assert chain.value(m.share_v1) == Decimal(25)
    assert FigureChange.objects.filter(figure=figure, revision=1).exists()


def test_the_chain_ratio_is_the_sum_of_numerators_over_the_sum_of_denominators(measures):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="1", denominator="2"))
    save_cell(w.lead_b, m.share, w.unit_b, m.period, CellInput(numerator="9", denominator="98"))

    chain = ChainAggregate.objects.get(indicator=m.share, period=m.period.start)
    # 10 / 100, not the average of 50% and 9.2%.
    assert chain.value(m.share_v1) == Decimal(10)
    per_org = dict(
        OrganisationAggregate.objects.filter(indicator=m.share, period=m.period.start).values_list(
            "organisation_id", "reported"
        )
    )
    assert per_org == {w.org_a.pk: 1, w.org_b.pk: 1}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (CellInput(numerator="veel", denominator="10"), "numerator", "Enter a number"),
        (CellInput(numerator="-1", denominator="10"), "numerator", "cannot be negative"),
        (CellInput(numerator="11", denominator="10"), "numerator", "cannot be greater than the denominator"),
        (CellInput(numerator="1", denominator=""), "denominator", "both the numerator and the denominator"),
        (CellInput(numerator="0", denominator="0"), "denominator", "cannot be zero"),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(measures, data, field, message):
    m, w = measures, measures.world
    with pytest.raises(CellRefused) as refused:
        save_cell(w.contributor_a, m.share, w.unit_a, m.period, data)
    assert message in refused.value.errors[field]
    assert not Figure.objects.exists()
    assert not OrganisationAggregate.objects.filter(reported__gt=0).exists()


def test_an_implausible_value_needs_a_comment(measures):
    m, w = measures, measures.world
    with pytest.raises(CellRefused) as refused:
        save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="20000"))
    assert "add a comment" in refused.value.errors["comment"]
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="20000", comment="Grote actie"))
    assert Figure.objects.get().value == 20000


def test_the_second_of_two_saves_from_the_same_state_is_a_conflict(measures):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="10", revision=0))
    with pytest.raises(CellConflict) as conflict:
        save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="12", revision=0))
    assert conflict.value.current.value == 10
    assert Figure.objects.get().value == 10


def test_it_refuses_cells_that_cannot_take_a_figure(measures):
    m, w = measures, measures.world
    elsewhere = UnitFactory(organisation=w.org_a, name="Eenheid Noord")
    with pytest.raises(CellRefused, match="does not report"):
        save_cell(w.contributor_a, m.count, elsewhere, m.period, CellInput(value="1"))
    future = Period.containing(m.period.start + timedelta(days=70), Frequency.MONTH)
    with pytest.raises(CellRefused, match="can be entered from"):
        save_cell(w.contributor_a, m.count, w.unit_a, future, CellInput(value="1"))
    m.count_v1.status = VersionStatus.PROPOSED
    m.count_v1.save(update_fields=["status"])
    with pytest.raises(CellRefused, match="no adopted definition"):
        save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="1"))
    assert not Figure.objects.exists()


def test_partners_write_only_their_own_units(measures):
    m, w = measures, measures.world
    with pytest.raises(PermissionDenied):
        save_cell(w.contributor_a, m.count, w.unit_b, m.period, CellInput(value="1"))
    with pytest.raises(PermissionDenied):
        save_cell(w.viewer, m.count, w.unit_a, m.period, CellInput(value="1"))


def test_an_approved_period_is_locked_until_reopened(measures):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="10"))
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period, MISSING)
    with pytest.raises(CellRefused, match="approved and locked"):
        save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="11", revision=1))
    submissions.reopen(w.manager, w.chain, w.org_a, m.period, "Correctie van het parket")
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="11", revision=1))
    assert Figure.objects.get().value == 11


def test_approving_needs_a_mandate(measures):
    m, w = measures, measures.world
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    with pytest.raises(PermissionDenied):
        submissions.approve(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    with pytest.raises(PermissionDenied):
        submissions.approve(w.lead_b, w.chain, w.org_a, m.period, MISSING)


def test_a_figure_entered_after_the_deadline_is_late(measures):
    m, w = measures, measures.world
    old = m.period.shifted(-3)
    save_cell(w.contributor_a, m.count, w.unit_a, old, CellInput(value="5"))
    assert Figure.objects.get().is_late
    assert ChainAggregate.objects.get(indicator=m.count, period=old.start).late == 1
