"""Keeping ChainAggregate and OrganisationAggregate equal to the sums over the raw figures.

Every write of figures goes through ``locked_rollups()``:

1. lock the chain-level aggregate rows of the (indicator, period) pairs to be written, in a fixed
   order (creating them first if needed). Every writer of those cells takes the same lock first,
   so writes to one indicator-period are serialised and can never deadlock each other;
2. the caller writes its figures;
3. on leaving the block, the organisation aggregates of the touched organisations are recomputed
   from the figures and the chain aggregates from the organisation aggregates.

Recomputing (rather than adding deltas) makes every save self-correcting; because step 3 runs in
new statements after the lock was granted, it sees every committed concurrent write.

One exception, for speed: the bulk upsert on PostgreSQL (services/bulk.py) adds the exact
difference of the figures it wrote, old values read under the same lock, in its write statement,
instead of recomputing every figure of the touched organisations. The property test
(tests/ambitions/test_rollups_property.py) holds both to the sums over the raw figures, and
``rebuild_all()`` repairs anything from scratch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from ambitions.models import ChainAggregate, Figure, Indicator, OrganisationAggregate
from ambitions.models.figures import HAS_DATA, has_data_sql
from ambitions.services import data_revision
from stakeholders.models import Chain

Key = tuple[int, date]  # (indicator id, period start)
SUM_FIELDS = ["value_sum", "numerator_sum", "denominator_sum", "reported", "late"]


def counted_sql(alias: str = "") -> str:
    """HAS_DATA in the set-based statements (models.figures.has_data_sql)."""
    return has_data_sql(alias)


def use_sql() -> bool:
    """Whether to take the set-based SQL paths (PostgreSQL) or the ORM ones (elsewhere, and in tests)."""
    return connection.vendor == "postgresql"


@contextmanager
def locked_rollups(pairs: Iterable[Key], savepoint: bool = True) -> Iterator[set[tuple[int, date, int]]]:
    """Lock the roll-ups of ``pairs``; yield a set the caller fills with (indicator, period, organisation).

    ``savepoint=False`` spares two round trips inside an outer transaction, for a caller that lets
    no exception out of the block except ones that fail that whole transaction anyway."""
    pairs = sorted(set(pairs))
    touched: set[tuple[int, date, int]] = set()
    with transaction.atomic(savepoint=savepoint):
        if use_sql():
            _lock_in_postgres(pairs)
        else:
            _lock_with_orm(pairs)
        yield touched
        recompute(touched)


def _lock_with_orm(pairs: list[Key]) -> None:
    ChainAggregate.objects.bulk_create(
        [ChainAggregate(indicator_id=i, period=p) for i, p in pairs], ignore_conflicts=True
    )
    by_indicator: dict[int, list[date]] = defaultdict(list)
    for indicator_id, period in pairs:
        by_indicator[indicator_id].append(period)
    condition = Q()
    for indicator_id, periods in by_indicator.items():
        condition |= Q(indicator_id=indicator_id, period__in=periods)
    list(ChainAggregate.objects.select_for_update().filter(condition).order_by("indicator_id", "period").values("pk"))


# Create-if-missing and lock in one statement: ON CONFLICT DO UPDATE locks the existing row.
# (A speed-up for the most frequent write, saving one cell; _lock_with_orm does the same in two.)
_LOCK = """
INSERT INTO ambitions_chainaggregate (indicator_id, period, value_sum, numerator_sum, denominator_sum, reported, late)
SELECT k.indicator_id, k.period, 0, 0, 0, 0, 0
FROM unnest(%s::integer[], %s::date[]) AS k(indicator_id, period)
ORDER BY k.indicator_id, k.period
ON CONFLICT (indicator_id, period) DO UPDATE SET indicator_id = EXCLUDED.indicator_id
"""


def _lock_in_postgres(pairs: list[Key]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK, [[i for i, _ in pairs], [p for _, p in pairs]])


def recompute(touched: Iterable[tuple[int, date, int]]) -> None:
    """Recompute the organisation aggregates of ``touched`` and the chain aggregates above them."""
    touched = set(touched)
    if not touched:
        return
    if use_sql():
        _recompute_in_postgres(touched)
        return
    indicators = {i for i, _, _ in touched}
    periods = {p for _, p, _ in touched}
    organisations = {o for _, _, o in touched}
    sums = (
        Figure.objects.filter(indicator_id__in=indicators, period__in=periods, organisation_id__in=organisations)
        .values("indicator_id", "period", "organisation_id")
        .annotate(
            value_sum=Sum("value", filter=HAS_DATA),
            numerator_sum=Sum("numerator", filter=HAS_DATA),
            denominator_sum=Sum("denominator", filter=HAS_DATA),
            reported=Count("pk", filter=HAS_DATA),
            late=Count("pk", filter=HAS_DATA & Q(is_late=True)),
        )
        .order_by()
    )
    found = {(row["indicator_id"], row["period"], row["organisation_id"]): row for row in sums}
    rows = []
    for key in touched:
        row = found.get(key, {})
        rows.append(
            OrganisationAggregate(
                indicator_id=key[0],
                period=key[1],
                organisation_id=key[2],
                **{name: row.get(name) or 0 for name in SUM_FIELDS},
            )
        )
    OrganisationAggregate.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["indicator", "period", "organisation"],
        update_fields=SUM_FIELDS,
        batch_size=2000,
    )
    _recompute_chain({(i, p) for i, p, _ in touched})


def _recompute_chain(pairs: set[Key]) -> None:
    indicators = {i for i, _ in pairs}
    periods = {p for _, p in pairs}
    sums = (
        OrganisationAggregate.objects.filter(indicator_id__in=indicators, period__in=periods)
        .values("indicator_id", "period")
        .annotate(**{name: Sum(name) for name in SUM_FIELDS})
        .order_by()
    )
    found = {(row["indicator_id"], row["period"]): row for row in sums}
    rows = [
        ChainAggregate(indicator_id=i, period=p, **{name: found.get((i, p), {}).get(name) or 0 for name in SUM_FIELDS})
        for i, p in pairs
    ]
    ChainAggregate.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["indicator", "period"], update_fields=SUM_FIELDS, batch_size=2000
    )


def rebuild_all(indicator_ids: Iterable[int] | None = None) -> None:
    """Recompute every roll-up from scratch (after a bulk data load, or to repair)."""
    indicator_ids = None if indicator_ids is None else list(indicator_ids)
    _bump_chains_of(indicator_ids)
    if use_sql():
        _rebuild_all_in_postgres(indicator_ids)
        return
    figures = Figure.objects.all()
    if indicator_ids is not None:
        figures = figures.filter(indicator_id__in=indicator_ids)
    keys = set(figures.values_list("indicator_id", "period", "organisation_id").distinct())
    with transaction.atomic():
        for chunk in chunks(sorted(keys), 5000):
            recompute(chunk)


def _bump_chains_of(indicator_ids: list[int] | None) -> None:
    """A rebuild may change any dashboard of the chains it covers (all of them when unscoped)."""
    if indicator_ids is None:
        data_revision.bump(Chain.objects.values_list("pk", flat=True))
    else:
        chains = Indicator.objects.filter(pk__in=indicator_ids).values_list("ambition__chain_id", flat=True)
        data_revision.bump(chains.distinct())


# The same sums as recompute(), set-based: one statement per level instead of one query per chunk.
# A speed-up for loading national-scale data; rebuild_all() falls back to the ORM elsewhere.
_REBUILD_ORGANISATIONS = """
INSERT INTO ambitions_organisationaggregate
    (indicator_id, period, organisation_id, value_sum, numerator_sum, denominator_sum, reported, late)
SELECT indicator_id, period, organisation_id,
       coalesce(sum(value) FILTER (WHERE {has_data}), 0),
       coalesce(sum(numerator) FILTER (WHERE {has_data}), 0),
       coalesce(sum(denominator) FILTER (WHERE {has_data}), 0),
       count(*) FILTER (WHERE {has_data}),
       count(*) FILTER (WHERE {has_data} AND is_late)
FROM ambitions_figure WHERE {where}
GROUP BY indicator_id, period, organisation_id
ON CONFLICT (indicator_id, period, organisation_id) DO UPDATE SET
    value_sum = EXCLUDED.value_sum, numerator_sum = EXCLUDED.numerator_sum,
    denominator_sum = EXCLUDED.denominator_sum, reported = EXCLUDED.reported, late = EXCLUDED.late
"""
_REBUILD_CHAIN = """
INSERT INTO ambitions_chainaggregate
    (indicator_id, period, value_sum, numerator_sum, denominator_sum, reported, late)
SELECT indicator_id, period, sum(value_sum), sum(numerator_sum), sum(denominator_sum), sum(reported), sum(late)
FROM ambitions_organisationaggregate WHERE {where}
GROUP BY indicator_id, period
ON CONFLICT (indicator_id, period) DO UPDATE SET
    value_sum = EXCLUDED.value_sum, numerator_sum = EXCLUDED.numerator_sum,
    denominator_sum = EXCLUDED.denominator_sum, reported = EXCLUDED.reported, late = EXCLUDED.late
"""


# recompute() for PostgreSQL in one statement: the organisations' sums from their figures, and
# each touched chain row from those new sums plus the stored rows of the untouched organisations
# (the statement cannot read its own organisation updates back from the table).
_RECOMPUTE = """
WITH touched AS (
    SELECT * FROM unnest(%s::integer[], %s::date[], %s::integer[]) AS t(indicator_id, period, organisation_id)
), organisation_sums AS (
    {rebuild_organisations}
    RETURNING indicator_id, period, organisation_id, value_sum, numerator_sum, denominator_sum, reported, late
), parts AS (
    SELECT * FROM organisation_sums
    UNION ALL
    SELECT indicator_id, period, organisation_id, value_sum, numerator_sum, denominator_sum, reported, late
    FROM ambitions_organisationaggregate AS o
    WHERE (indicator_id, period) IN (SELECT DISTINCT indicator_id, period FROM touched)
      AND (indicator_id, period, organisation_id) NOT IN (SELECT * FROM touched)
)
INSERT INTO ambitions_chainaggregate
    (indicator_id, period, value_sum, numerator_sum, denominator_sum, reported, late)
SELECT indicator_id, period, sum(value_sum), sum(numerator_sum), sum(denominator_sum), sum(reported), sum(late)
FROM parts GROUP BY indicator_id, period
ON CONFLICT (indicator_id, period) DO UPDATE SET
    value_sum = EXCLUDED.value_sum, numerator_sum = EXCLUDED.numerator_sum,
    denominator_sum = EXCLUDED.denominator_sum, reported = EXCLUDED.reported, late = EXCLUDED.late
"""


def _recompute_in_postgres(touched: set[tuple[int, date, int]]) -> None:
    """recompute() in one set-based statement (the same sums, no rows through Python)."""
    keys = sorted(touched)
    organisations = _REBUILD_ORGANISATIONS.format(
        has_data=counted_sql(), where="(indicator_id, period, organisation_id) IN (SELECT * FROM touched)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _RECOMPUTE.format(rebuild_organisations=organisations.strip()),
            [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
        )


def _rebuild_all_in_postgres(indicator_ids: list[int] | None) -> None:
    where, params = ("TRUE", []) if indicator_ids is None else ("indicator_id = ANY(%s)", [indicator_ids])
    has_data = counted_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows whose figures are all gone keep stale sums otherwise: zero them first.
        for table in ("ambitions_organisationaggregate", "ambitions_chainaggregate"):
            cursor.execute(
                f"UPDATE {table} SET value_sum = 0, numerator_sum = 0, denominator_sum = 0, "  # noqa: S608 - fixed names
                f"reported = 0, late = 0 WHERE {where}",
                params,
            )
        cursor.execute(_REBUILD_ORGANISATIONS.format(has_data=has_data, where=where), params)
        cursor.execute(_REBUILD_CHAIN.format(where=where), params)


def chunks(items: list, size: int) -> Iterator[list]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
