"""The national benchmark data set (manage.py build_national_dataset, docs/benchmarks.md) drops the
figure table's secondary indexes for its one big INSERT and builds them again afterwards. What it
leaves must be the table the migrations made: the same indexes and constraints under the same names,
the one-figure-per-cell rule still enforced, and every figure in place."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from ambitions.models import Figure, OrganisationAggregate
from tests.services import requires_services

pytestmark = requires_services(postgres=True)

_SCHEMA_SQL = """
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
FROM pg_index WHERE indrelid = 'ambitions_figure'::regclass
UNION ALL
SELECT 'constraint', conname, pg_get_constraintdef(oid) || ' deferrable=' || condeferrable
FROM pg_constraint WHERE conrelid = 'ambitions_figure'::regclass
ORDER BY 1, 2
"""


def _figure_schema() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_SCHEMA_SQL)
        return cursor.fetchall()


@pytest.mark.django_db
def test_the_figure_table_keeps_its_indexes_and_constraints_and_gets_every_figure():
    before = _figure_schema()
    assert {name for kind, name, _ in before if kind == "index"} >= {"figure_one_per_cell", "figure_org_rollup"}

    out = io.StringIO()
    call_command("build_national_dataset", chains=2, units=3, indicators=4, periods=5, people=60, stdout=out)

    assert _figure_schema() == before
    # 2 chains × 3 units × 4 indicators × 5 periods, less the latest period of some units (random).
    count = Figure.objects.count()
    assert f"{count} figures" in out.getvalue()
    assert 2 * 3 * 4 * 4 <= count <= 2 * 3 * 4 * 5
    # The roll-ups were rebuilt from the figures, through the rebuilt indexes.
    assert sum(OrganisationAggregate.objects.values_list("reported", flat=True)) == count
    figure = Figure.objects.order_by("pk").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(
            indicator_id=figure.indicator_id,
            version_id=figure.version_id,
            unit_id=figure.unit_id,
            organisation_id=figure.organisation_id,
            period=figure.period,
            value=1,
        )


@pytest.mark.django_db
def test_about_one_unit_in_ten_has_not_reported_the_latest_period():
    call_command("build_national_dataset", chains=1, units=50, indicators=4, periods=2, people=20, stdout=io.StringIO())
    latest = Figure.objects.latest("period").period
    missing = 50 * 4 - Figure.objects.filter(period=latest).count()
    # Drawn per cell (P(none of 200 missing) ≈ 1e-9); drawn once per period it would be 0 or 200.
    assert 0 < missing < 60
    assert Figure.objects.exclude(period=latest).count() == 50 * 4
