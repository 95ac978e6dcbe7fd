"""Measurements for early warning from the forecast (issue 15, point 2), on the 1m set: five chains
× 20 indicators × 200 units × 50 months.

- ``early_warning_sweep``: one run of the scheduled task's work over every chain
  (governance/services/early_warning.py ``sweep``: each indicator's chain series over the
  dashboard's window from the roll-ups, the forecasts at P and P−1, the earlier warnings, and for
  the indicators it raises a warning for, their units' figures at P and in the baseline period, the
  inserts and the programme managers' notifications). Inside a transaction that first deletes the
  warnings and is rolled back, so every round raises the same warnings afresh. Seconds, median of
  five rounds; its queries are counted apart.
- ``early_warning_sweep_quiet``: the same run once the warnings exist (the daily case: nothing new).
- ``early_warning_floor``: PostgreSQL alone reading what the sweep reads, in one statement: the
  window's chain roll-ups of every indicator, the reporting units per version and partner, and the
  raised indicators' units' figures at P and in the baseline period; p95 of 100 runs, in seconds.
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambitions.periods import Frequency, Period
from ambitions.services.dashboard import WINDOW
from bench.timing import Result, p95, sql_p95_ms
from governance.models.early_warnings import EarlyWarning
from governance.services import early_warning

ROUNDS = 5


def _once(delete: bool) -> tuple[float, int]:
    with transaction.atomic():
        if delete:
            EarlyWarning.objects.all().delete()
        start = time.perf_counter()
        raised = len(early_warning.sweep())
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, raised


_FLOOR = """
WITH series AS (
    SELECT indicator_id, period, value_sum, numerator_sum, denominator_sum, reported, late
    FROM ambitions_chainaggregate WHERE period BETWEEN %(first)s AND %(last)s
), units AS (
    SELECT r.indicatorversion_id, u.organisation_id, o.name, count(*)
    FROM ambitions_indicatorversion_reporting_units r JOIN stakeholders_unit u ON u.id = r.unit_id
    JOIN stakeholders_organisation o ON o.id = u.organisation_id GROUP BY 1, 2, 3
), lagging AS (
    SELECT f.indicator_id, f.period, f.unit_id, u.name, f.organisation_id, o.name, f.value
    FROM ambitions_figure f JOIN stakeholders_unit u ON u.id = f.unit_id
    JOIN stakeholders_organisation o ON o.id = f.organisation_id
    WHERE f.indicator_id = ANY(%(raised)s) AND f.period = ANY(%(periods)s)
)
SELECT (SELECT count(*) FROM series), (SELECT count(*) FROM units), (SELECT count(*) FROM lagging)
"""


def early_warning_sweep() -> list[Result]:
    _once(True)  # warm: the first run in a process imports and loads what later runs reuse
    cold = [_once(True) for _ in range(ROUNDS)]
    raised = cold[-1][1]
    with transaction.atomic():
        EarlyWarning.objects.all().delete()
        early_warning.sweep()
        quiet = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            early_warning.sweep()
            quiet.append(time.perf_counter() - start)
        EarlyWarning.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            warnings = early_warning.sweep()
        transaction.set_rollback(True)
    now = Period.containing(timezone.localdate(), Frequency.MONTH)
    periods = {w.period for w in warnings} | {w.version.baseline_period for w in warnings}
    floor = sql_p95_ms(
        _FLOOR,
        {
            "first": now.shifted(-(WINDOW - 1)).start,
            "last": now.start,
            "raised": [w.indicator_id for w in warnings],
            "periods": sorted(periods),
        },
    )
    seconds = sorted(s for s, _ in cold)
    return [
        Result("early_warning_sweep", seconds[len(seconds) // 2], "s"),
        Result("early_warning_sweep_worst", p95(seconds), "s"),
        Result("early_warning_sweep_raised", raised, "count"),
        Result("early_warning_sweep_queries", len(queries), "count"),
        Result("early_warning_sweep_quiet", sorted(quiet)[len(quiet) // 2], "s"),
        Result("early_warning_floor", floor / 1000, "s"),
    ]


def early_warnings(chain) -> list[Result]:
    return early_warning_sweep()
