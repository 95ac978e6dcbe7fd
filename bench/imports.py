"""Measurements for the import issue (12): a 100,000-row CSV and XLSX import, its peak memory, and
the XLSX template of an organisation with 200 units.

An import is for one organisation, and the 1m set's organisations have 20 units each (20,000
cells). So the measurement adds, inside a transaction that it rolls back at the end, a chain
``import-bench`` with one organisation of 200 units reporting 20 indicators (half sums, half
ratios) monthly: 200 × 20 × 25 months = 100,000 rows, next to the set's million figures (the
tables, indexes and roll-ups are the real ones). Nothing of it stays; the data set is unchanged.
Because of that, the final COMMIT of the write (a WAL flush) is not in the figures.

- ``import_csv_100k``: the preview (``run.check``: read the file, every rule of the bulk upsert,
  store the preview) plus confirming and writing it (``run.write``: read again, check again under
  the locks, write 100,000 new figures with history and roll-ups), in seconds.
- ``import_csv_100k_floor``: PostgreSQL's part of the same work, as the bulk upsert's floor:
  COPY the rows into a temporary table, one INSERT … ON CONFLICT, rebuild the roll-ups.
- ``import_xlsx_100k``: the same rows as XLSX (streamed by openpyxl's read-only mode).
- ``import_peak_memory_mb``: the process's peak resident memory during the XLSX import above
  what it held before (sampled from /proc every 20 ms, so C libraries' memory counts too).
- ``template_xlsx_200_units``: the template of one month for the 200 units (4,000 rows), through
  the page (Django's test client, as the programme manager), p95 of 5 runs after 2 to warm up, in seconds.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.test import Client
from django.urls import reverse

from ambitions.models import (
    Ambition,
    Direction,
    ImportStatus,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    VersionStatus,
)
from ambitions.periods import Frequency, Period
from ambitions.services.imports import run
from bench.timing import Result, p95
from stakeholders.models import Chain, Membership, Organisation, Partnership, PartnershipStatus, Person, Role, Unit

UNITS, INDICATORS, MONTHS = 200, 20, 25


class _Rollback(Exception):
    pass


def imports(chain: Chain) -> list[Result]:
    results: list[Result] = []
    try:
        with transaction.atomic():
            manager, organisation, rows = _world()
            csv_data, xlsx_data = _csv(rows), _xlsx(rows)
            point = transaction.savepoint_create()
            results.append(Result("import_csv_100k", _timed_import(manager, organisation, csv_data, "bench.csv"), "s"))
            transaction.savepoint_rollback(point)
            results.append(Result("import_csv_100k_floor", _floor(rows), "s"))
            with _PeakMemory() as memory:
                seconds = _timed_import(manager, organisation, xlsx_data, "bench.xlsx")
            results.append(Result("import_xlsx_100k", seconds, "s"))
            results.append(Result("import_peak_memory_mb", memory.peak_mb, "MB"))
            results.append(Result("template_xlsx_200_units", _template_seconds(manager, organisation, rows), "s"))
            raise _Rollback
    except _Rollback:
        pass
    return results


def _world() -> tuple[Person, Organisation, list[tuple]]:
    """The import's chain, organisation (200 units), 20 indicators and its programme manager;
    returns the rows of the file: (unit, indicator, kind, period)."""
    last = Period.containing(date.today(), Frequency.MONTH).previous
    first = last.shifted(-(MONTHS - 1))
    chain = Chain.objects.create(name="Importbenchmark", slug="import-bench")
    organisation = Organisation.objects.create(name="Import-benchmarkorganisatie", short_name="IBO")
    Partnership.objects.create(chain=chain, organisation=organisation, status=PartnershipStatus.CORE)
    units = Unit.objects.bulk_create(
        [Unit(organisation=organisation, name=f"Onderdeel {u + 1}", code=f"IB{u + 1:03d}") for u in range(UNITS)]
    )
    manager = Person.objects.create(email="import-manager@bench.example", full_name="Import Manager")
    Membership.objects.create(person=manager, chain=chain, role=Role.PROGRAMME_MANAGER)
    ambition = Ambition.objects.create(chain=chain, statement="Importeren", horizon=last.shifted(18).end)
    indicators = []
    for i in range(INDICATORS):
        ratio = i % 2 == 0
        indicator = Indicator.objects.create(ambition=ambition, name=f"Importindicator {i + 1}", position=i)
        version = IndicatorVersion.objects.create(
            indicator=indicator,
            number=1,
            status=VersionStatus.ADOPTED,
            effective_from=first.start,
            kind=IndicatorKind.RATIO if ratio else IndicatorKind.SUM,
            unit_label="%" if ratio else "zaken",
            direction=Direction.HIGHER,
            decimals=1 if ratio else 0,
            factor=Decimal(100) if ratio else Decimal(1),
            baseline_period=first.start,
            baseline_value=Decimal(25),
            target_period=last.shifted(12).start,
            target_value=Decimal(80),
            min_value=Decimal(0),
            max_value=Decimal(100) if ratio else Decimal(100000),
            entry_window_days=3660,
        )
        version.reporting_units.set(units)
        indicators.append((indicator, ratio))
    periods = [first.shifted(m) for m in range(MONTHS)]
    rows = [(unit, indicator, ratio, period) for period in periods for indicator, ratio in indicators for unit in units]
    return manager, organisation, rows


def _values(index: int, ratio: bool) -> tuple:
    if ratio:
        return None, Decimal(50 + index % 300), Decimal(400)
    return Decimal(100 + index % 900), None, None


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Onderdeel-id", "Indicator-id", "Onderdeel", "Indicator", "Periode", "Waarde", "Teller", "Noemer"])
    for index, (unit, indicator, ratio, period) in enumerate(rows):
        value, numerator, denominator = _values(index, ratio)
        writer.writerow([unit.pk, indicator.pk, unit.name, indicator.name, period.slug, value, numerator, denominator])
    return ("\ufeff" + buffer.getvalue()).encode()


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Cijfers")
    sheet.append(["Onderdeel-id", "Indicator-id", "Onderdeel", "Indicator", "Periode", "Waarde", "Teller", "Noemer"])
    for index, (unit, indicator, ratio, period) in enumerate(rows):
        value, numerator, denominator = _values(index, ratio)
        sheet.append([unit.pk, indicator.pk, unit.name, indicator.name, period.slug, value, numerator, denominator])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _timed_import(manager: Person, organisation: Organisation, data: bytes, name: str) -> float:
    chain = Chain.objects.get(slug="import-bench")
    reverse("ambitions:entry_index", args=[chain.slug])  # the URLs loaded, as in any running web process
    start = time.perf_counter()
    job = run.start(chain, organisation, manager, name, data)
    run.check(job)
    if job.error_count or job.status != ImportStatus.CHECKED:
        raise RuntimeError(f"{name}: {job.status} {job.message} {job.errors[:5]}")
    if not run.confirm(job):
        raise RuntimeError(f"{name}: not confirmed")
    written = run.write(job.pk)
    elapsed = time.perf_counter() - start
    if written.status != ImportStatus.DONE or written.new != UNITS * INDICATORS * MONTHS:
        raise RuntimeError(f"{name}: {written.status} {written.message} {written.new}")
    return elapsed


def _floor(rows) -> float:
    """The bulk upsert's floor for these rows (bench/ambitions.py), rolled back. Its VACUUM and
    CHECKPOINT cannot run inside this measurement's transaction and are left out."""
    import bench.ambitions as measures

    figures = []
    for index, (unit, indicator, ratio, period) in enumerate(rows):
        value, numerator, denominator = _values(index, ratio)
        figures.append((indicator.pk, unit.pk, period.start, numerator, denominator, value))
    settle, measures._settle = measures._settle, lambda: None
    try:
        return measures._bulk_floor(figures)
    finally:
        measures._settle = settle


def _template_seconds(manager: Person, organisation: Organisation, rows) -> float:
    client = Client()
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    period = rows[-1][3]
    url = reverse("ambitions:entry_template", args=["import-bench", period.slug])
    query = {"organisatie": organisation.pk, "formaat": "xlsx"}
    samples = []
    for run_number in range(7):  # two to warm up (a new process loads its templates and URLs), five timed
        start = time.perf_counter()
        response = client.get(url, query)
        if run_number >= 2:
            samples.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return p95(samples)


class _PeakMemory:
    """The peak resident memory of this process above its level at the start, sampled in a thread."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, self._rss())
            time.sleep(self.interval)

    def __enter__(self) -> _PeakMemory:
        self._base = self._peak = self._rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self._rss())
        self.peak_mb = (self._peak - self._base) / (1024 * 1024)
