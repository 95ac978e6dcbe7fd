"""Small timing helpers shared by the measurements."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str

    def line(self) -> str:
        return f"{self.name} {self.value:.{0 if self.unit == 'count' else 3}f} {self.unit}"


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank) of the samples."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


ROUNDS = 5


def p95_of_rounds(name: str, one_round: Callable[[], list[float]], rounds: int = ROUNDS) -> float:
    """The median of ``rounds`` rounds' p95s (each round's printed to stderr).

    The machine is shared: a burst of someone else's work during a round moves that round's p95
    by a third or more, while the other rounds agree; the median round is what the code costs."""
    results = sorted(p95(one_round()) for _ in range(rounds))
    print(f"# {name}: p95 per round " + ", ".join(f"{r:.1f}" for r in results), file=sys.stderr, flush=True)
    return results[len(results) // 2]


def timed_ms(action: Callable[[], object], runs: int, warmup: int = 10) -> list[float]:
    """Run ``action`` ``warmup`` times untimed, then ``runs`` times; milliseconds per run."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def sql_p95_ms(sql: str, params: list | dict, runs: int = 100) -> float:
    """p95 of running one SQL statement and fetching all its rows: the database's floor for the work."""

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()

    return p95(timed_ms(run, runs))
