"""Generate a national-scale data set for the benchmarks (docs/benchmarks.md).

Default: 5 chains × 200 units × 20 indicators × 50 monthly periods = 1,000,000 figures, with
2,000 people. The structure (chains, organisations, units, people, ambitions, versions) is made
through the ORM; the figures are generated inside PostgreSQL with one INSERT … SELECT over
generate_series, and the roll-ups are rebuilt set-based — a million ORM saves would take hours
and measure nothing we care about. The figure table's secondary indexes are dropped for the INSERT
and built again afterwards under the same names and definitions: one sort per index instead of ten
million scattered B-tree inserts into each (the 10m set of ``make bench-10m``, 50 chains, took over
40 minutes the other way on the two-core machine). PostgreSQL only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from ambitions.models import Ambition, Direction, Indicator, IndicatorKind, IndicatorVersion, VersionStatus
from ambitions.periods import FIRST_YEAR, Frequency, Period
from ambitions.services import aggregates
from stakeholders.models import (
    Chain,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Partnership,
    PartnershipStatus,
    Person,
    Role,
    Unit,
)

BENCH_PASSWORD = "ketenportaal-bench"
ORGANISATIONS_PER_CHAIN = 10
AMBITIONS_PER_CHAIN = 4

# Figures for every reporting unit × period of every adopted version: ratios rise over time,
# sums vary around a level; 5% are late and about one unit in ten misses the latest period.
_FIGURES_SQL = """
INSERT INTO ambitions_figure
    (indicator_id, version_id, unit_id, organisation_id, period, value, numerator, denominator,
     comment, follow_up, source, is_late, revision, updated_at)
SELECT v.indicator_id, v.id, u.id, u.organisation_id, (date %(first)s + make_interval(months => s))::date,
       CASE WHEN v.kind = 'ratio' THEN round(n.numerator / d.denominator * 100, 4) ELSE n.amount END,
       CASE WHEN v.kind = 'ratio' THEN n.numerator END,
       CASE WHEN v.kind = 'ratio' THEN d.denominator END,
       '', false, 'import', random() < 0.05, 1, now()
FROM ambitions_indicatorversion v
JOIN ambitions_indicatorversion_reporting_units r ON r.indicatorversion_id = v.id
JOIN stakeholders_unit u ON u.id = r.unit_id
CROSS JOIN generate_series(0, %(periods)s - 1) AS s
-- The "0 * …" terms tie each draw to its cell; otherwise the planner may draw once and reuse it.
CROSS JOIN LATERAL (SELECT round((50 + random() * 350)::numeric) + 0 * (u.id + v.id + s) AS denominator) d
CROSS JOIN LATERAL (
    SELECT floor(d.denominator * least(0.95, 0.2 + 0.5 * s::numeric / %(periods)s + random()::numeric * 0.1))
               AS numerator,
           round((100 + random() * 400)::numeric) + 0 * d.denominator AS amount
) n
-- About one in ten units has not reported the latest period yet ("who hasn't reported"). The draw
-- names the cell, so it is made per cell: a condition on s alone may be filtered once per period
-- (at 50 chains the planner did, and every unit had reported).
WHERE v.id = ANY(%(versions)s) AND (s < %(periods)s - 1 OR random() + 0 * (u.id + v.id) >= 0.1)
"""


# The figure table's indexes other than its primary key (which grows in order and is cheap to keep):
# (index, constraint or None, the statement that makes it again, exactly as PostgreSQL states it).
_SECONDARY_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, c.conname, pg_get_indexdef(i.indexrelid), pg_get_constraintdef(c.oid)
FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
WHERE i.indrelid = 'ambitions_figure'::regclass AND NOT i.indisprimary
ORDER BY 1
"""


def _drop_figure_indexes(cursor: CursorWrapper) -> list[str]:
    """Drop the figure table's secondary indexes (a unique constraint with its index); return the
    statements that make them again."""
    cursor.execute(_SECONDARY_INDEXES_SQL)
    again = []
    for index, constraint, index_sql, constraint_sql in cursor.fetchall():
        if constraint:
            cursor.execute(f'ALTER TABLE ambitions_figure DROP CONSTRAINT "{constraint}"')
            again.append(f'ALTER TABLE ambitions_figure ADD CONSTRAINT "{constraint}" {constraint_sql}')
        else:
            cursor.execute(f"DROP INDEX {index}")
            again.append(index_sql)
    return again


# Periods start in 2000 at the earliest, as everywhere (ambitions/periods.py).
FIRST = Period(date(FIRST_YEAR, 1, 1), Frequency.MONTH)


class Command(BaseCommand):
    help = "Generate the national-scale benchmark data set (PostgreSQL only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chains", type=int, default=5)
        parser.add_argument("--units", type=int, default=200, help="reporting units per chain")
        parser.add_argument("--indicators", type=int, default=20, help="indicators per chain")
        parser.add_argument("--periods", type=int, default=50, help="monthly periods, ending last month")
        parser.add_argument("--people", type=int, default=2000)

    def handle(self, *args, chains, units, indicators, periods, people, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark data set needs PostgreSQL (set DATABASE_URL).")
        if Chain.objects.filter(slug__startswith="bench-").exists():
            raise CommandError("This database already holds a benchmark data set; use a fresh database.")
        last = Period.containing(timezone.localdate(), Frequency.MONTH).previous
        if not 1 <= periods <= FIRST.steps_until(last) + 1:
            raise CommandError(f"--periods must be between 1 and {FIRST.steps_until(last) + 1} (from {FIRST_YEAR} on).")
        first = last.shifted(-(periods - 1))
        password = make_password(BENCH_PASSWORD)  # hashed once, shared: 2,000 hashes would take minutes
        versions: list[int] = []
        with transaction.atomic():
            for number in range(1, chains + 1):
                versions += self._chain(number, units, indicators, first, last, people // chains, password)
            with connection.cursor() as cursor:
                # Sorting ten million keys per index in memory rather than in many runs on disk.
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                indexes = _drop_figure_indexes(cursor)
                cursor.execute(_FIGURES_SQL, {"first": first.start, "periods": periods, "versions": versions})
                self.stdout.write(f"{cursor.rowcount} figures")
                for statement in indexes:
                    cursor.execute(statement)
            aggregates.rebuild_all()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _chain(self, number, units, indicators, first, last, people, password) -> list[int]:
        chain = Chain.objects.create(name=f"Benchmarkketen {number}", slug=f"bench-{number}")
        organisations = [
            Organisation.objects.create(name=f"Bench {number} organisatie {o}", short_name=f"B{number}O{o}")
            for o in range(1, ORGANISATIONS_PER_CHAIN + 1)
        ]
        partnerships = [
            Partnership.objects.create(chain=chain, organisation=org, status=PartnershipStatus.CORE)
            for org in organisations
        ]
        all_units = Unit.objects.bulk_create(
            [Unit(organisation=organisations[u % len(organisations)], name=f"Onderdeel {u + 1}") for u in range(units)]
        )
        self._people(number, chain, organisations, partnerships, people, password)
        version_ids = []
        per_ambition = max(indicators // AMBITIONS_PER_CHAIN, 1)
        for a in range(AMBITIONS_PER_CHAIN):
            ambition = Ambition.objects.create(
                chain=chain, statement=f"Ambitie {a + 1}", horizon=last.shifted(18).end, position=a
            )
            for i in range(per_ambition):
                if len(version_ids) == indicators:
                    break
                ratio = i % 2 == 0
                indicator = Indicator.objects.create(ambition=ambition, name=f"Indicator {a + 1}.{i + 1}", position=i)
                version = IndicatorVersion.objects.create(
                    indicator=indicator,
                    number=1,
                    status=VersionStatus.ADOPTED,
                    effective_from=first.start,
                    kind=IndicatorKind.RATIO if ratio else IndicatorKind.SUM,
                    unit_label="%" if ratio else "zaken",
                    direction=Direction.HIGHER if ratio or i % 3 else Direction.LOWER,
                    decimals=1 if ratio else 0,
                    factor=Decimal(100) if ratio else Decimal(1),
                    baseline_period=first.start,
                    baseline_value=Decimal(25) if ratio else Decimal(300),
                    target_period=last.shifted(12).start,
                    target_value=Decimal(80) if ratio else Decimal(250),
                    min_value=Decimal(0),
                    max_value=Decimal(100) if ratio else Decimal(100000),
                    # Every period open for entry, so the bulk benchmark can write 100,000 cells.
                    entry_window_days=3660,
                )
                version.reporting_units.set(all_units)
                version_ids.append(version.pk)
        return version_ids

    def _people(self, number, chain, organisations, partnerships, count, password) -> None:
        persons = Person.objects.bulk_create(
            [
                Person(
                    email=f"persoon{p}@bench{number}.example",
                    full_name=f"Persoon {p} (keten {number})",
                    organisation=organisations[p % len(organisations)],
                    password=password,
                )
                for p in range(count)
            ]
        )
        roles = {0: Role.PROGRAMME_MANAGER}
        roles.update({p: Role.PARTNER_LEAD for p in range(1, 1 + len(organisations))})
        Membership.objects.bulk_create(
            [
                Membership(person=person, chain=chain, role=roles.get(p, Role.CONTRIBUTOR))
                for p, person in enumerate(persons)
            ]
        )
        by_org = {p.organisation_id: p for p in partnerships}
        Mandate.objects.bulk_create(
            [
                Mandate(
                    person=persons[p],
                    partnership=by_org[persons[p].organisation_id],
                    scope=scope,
                    valid_from=date(2020, 1, 1),
                )
                for p in range(1, 1 + len(organisations))
                for scope in (MandateScope.CONSENT_INDICATORS, MandateScope.APPROVE_FIGURES)
            ]
        )
