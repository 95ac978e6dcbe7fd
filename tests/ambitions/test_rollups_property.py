"""Property: whatever happens — saves, clears, approvals, reopenings, a new version — every roll-up
equals the sum over the raw figures, and every figure's last history row is the figure as it is
(a clear is recorded like any other save). Hypothesis generates the sequences."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ambitions.models import ChainAggregate, Figure, FigureChange, IndicatorKind, OrganisationAggregate, VersionStatus
from ambitions.services import aggregates, submissions
from ambitions.services import bulk as bulk_service
from ambitions.services.bulk import BulkRefused
from ambitions.services.entry import CellConflict, CellInput, CellRefused, save_cell
from ambitions.services.submissions import StepRefused
from tests.measures import MISSING, adopted_version

number = st.integers(min_value=0, max_value=400).map(str)
save = st.tuples(
    st.just("save"),
    st.sampled_from(["share", "count"]),
    st.sampled_from(["a", "b"]),
    st.integers(min_value=0, max_value=2),  # months before last month
    st.one_of(st.none(), st.none(), number),  # None: clear the cell (refused while the period is submitted)
    number,
)
step = st.tuples(
    st.sampled_from(["submit", "approve", "reopen"]), st.sampled_from(["a", "b"]), st.integers(min_value=0, max_value=2)
)
new_version = st.tuples(st.just("new_version"), st.integers(min_value=0, max_value=2))
# A bulk upsert of a few cells at once (distinct cells; all saved or, if one is refused, none).
bulk = st.tuples(st.just("bulk"), st.lists(save, min_size=1, max_size=6, unique_by=lambda op: op[1:4]))
operations = st.lists(st.one_of(save, save, save, step, new_version, bulk), min_size=1, max_size=25)


def expected_sums():
    """The roll-ups recomputed naively from the raw figures."""
    per_org = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0), 0, 0])
    for f in Figure.objects.all():
        if f.value is None and f.numerator is None:
            continue
        row = per_org[(f.indicator_id, f.period, f.organisation_id)]
        row[0] += f.value or 0
        row[1] += f.numerator or 0
        row[2] += f.denominator or 0
        row[3] += 1
        row[4] += int(f.is_late)
    per_chain = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0), 0, 0])
    for (indicator, period, _org), row in per_org.items():
        per_chain[(indicator, period)] = [a + b for a, b in zip(per_chain[(indicator, period)], row, strict=True)]
    return per_org, per_chain


def assert_history_ends_with_each_figure():
    fields = ("revision", "value", "numerator", "denominator")
    latest = {}
    for change in FigureChange.objects.order_by("figure_id", "revision").values("figure_id", *fields):
        latest[change.pop("figure_id")] = change
    for figure in Figure.objects.values("pk", *fields):
        assert latest[figure.pop("pk")] == figure


def stored(model, key_fields):
    result = {}
    for agg in model.objects.all():
        key = tuple(getattr(agg, f) for f in key_fields)
        values = [agg.value_sum, agg.numerator_sum, agg.denominator_sum, agg.reported, agg.late]
        if agg.reported:
            result[key] = values
    return result


@pytest.fixture(params=["sql", "orm"])
def writer(request, monkeypatch):
    """Both ways of keeping the roll-ups: set-based SQL on PostgreSQL (the bulk upsert adds the
    differences of what it wrote), and the ORM elsewhere (recomputed after every write)."""
    if request.param == "orm":
        monkeypatch.setattr(aggregates, "use_sql", lambda: False)
        monkeypatch.setattr(bulk_service, "use_copy", lambda: False)
    elif not aggregates.use_sql():
        pytest.skip("the SQL path needs PostgreSQL")  # never in CI: tests/services.py requires it there
    return request.param


def cell_of(m, op):
    """The cell a generated save names, and what to type in it (a ratio gets a share)."""
    w = m.world
    _, name, side, back, first, second = op
    indicator = getattr(m, name)
    period = m.period.shifted(-back * 4)
    ratio = (
        indicator.versions.filter(effective_from__lte=period.start).order_by("-effective_from").first().kind
        == IndicatorKind.RATIO
    )
    if first is None:
        data = CellInput()
    elif ratio:
        low, high = sorted([int(first), int(second) + 1])
        data = CellInput(numerator=str(low), denominator=str(high))
    else:
        data = CellInput(value=first)
    return indicator, {"a": w.unit_a, "b": w.unit_b}[side], period, data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_every_rollup_equals_the_sum_over_the_raw_figures(measures, writer, ops):
    m, w = measures, measures.world
    units = {"a": w.unit_a, "b": w.unit_b}
    people = {"a": (w.contributor_a, w.lead_a), "b": (w.lead_b, w.lead_b)}
    with transaction.atomic():
        for op in ops:
            try:
                if op[0] == "save":
                    indicator, unit, period, data = cell_of(m, op)
                    save_cell(people[op[2]][0], indicator, unit, period, data)
                elif op[0] == "bulk":
                    rows = []
                    for cell_op in op[1]:
                        indicator, unit, period, data = cell_of(m, cell_op)
                        rows.append(
                            {
                                "indicator": indicator.pk,
                                "unit": unit.pk,
                                "period": period.slug,
                                "value": data.value,
                                "numerator": data.numerator,
                                "denominator": data.denominator,
                            }
                        )
                    bulk_service.upsert_figures(w.manager, rows)
                elif op[0] == "new_version":
                    # A new adopted definition of the count from a later month: kind changes to ratio.
                    effective = m.period.shifted(-op[1]).start
                    if not m.count.versions.filter(effective_from__gte=effective).exists():
                        m.count.versions.filter(status=VersionStatus.ADOPTED).update(status=VersionStatus.SUPERSEDED)
                        adopted_version(
                            m.count,
                            [w.unit_a, w.unit_b],
                            number=m.count.versions.count() + 1,
                            effective_from=effective,
                            kind=IndicatorKind.RATIO,
                            factor=Decimal(100),
                            unit_label="%",
                            baseline_period=date(2024, 1, 1),
                            max_value=Decimal(100),
                        )
                else:
                    action, side, back = op
                    period = m.period.shifted(-back * 4)
                    organisation = units[side].organisation
                    if action == "submit":
                        submissions.submit(people[side][0], w.chain, organisation, period, MISSING)
                    elif action == "approve":
                        submissions.approve(people[side][1], w.chain, organisation, period, MISSING)
                    else:
                        submissions.reopen(w.manager, w.chain, organisation, period, "Correctie")
            except (CellRefused, CellConflict, StepRefused, PermissionDenied, BulkRefused):
                pass  # refused operations must leave everything as it was; the check below covers that
        per_org, per_chain = expected_sums()
        assert stored(OrganisationAggregate, ["indicator_id", "period", "organisation_id"]) == {
            k: v for k, v in per_org.items()
        }
        assert stored(ChainAggregate, ["indicator_id", "period"]) == dict(per_chain)
        assert_history_ends_with_each_figure()
        transaction.set_rollback(True)
