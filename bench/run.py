"""``make bench``: build the data sets when missing, run every measurement, print ``name value unit``.

Two PostgreSQL databases next to the test database, created on first use:
- ``ketenportaal_bench_1m``: 5 chains × 200 units × 20 indicators × 50 months = 1,000,000 figures,
  2,000 people (manage.py build_national_dataset);
- ``ketenportaal_bench_10k``: 1 chain × 10 units × 20 indicators × 50 months = 10,000 figures,
  for the growth ratio of the dashboard;
- ``ketenportaal_bench_10m``: 50 chains × 200 units × 20 indicators × 50 months = 10,000,000 figures,
  20,000 people (the same 400 per chain), only with ``--set 10m`` (``make bench-10m``): the dashboard,
  indicator page, cell save and bulk upsert measured again on ten times the figures, each printed
  with the suffix ``_10m``.
The 1m set also holds the governance data set (manage.py build_governance_dataset: 6,900 meetings,
50,000 decisions, 200,000 actions) and the agreements data set (manage.py build_agreements_dataset:
2,000 agreements, 6,000 versions, about 50,000 signatures) and the bottlenecks data set (manage.py
build_bottlenecks_dataset: 100,000 bottlenecks, 10,000 open) and the course checks data set (manage.py
build_course_checks_dataset: 20 course checks per chain, 2,000 respondents), each added once to a 1m set
built before it.
``--only NAME …`` runs only those measurements on the 1m set (e.g. ``python -m bench.run --only
governance``); without it, everything.
``--set 10m`` builds the 10m set when missing (about ten times the 1m set's build) and measures it.
Set BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432) to use another server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATASETS = {
    "10k": ["--chains", "1", "--units", "10", "--people", "400"],
    "1m": [],
    "10m": ["--chains", "50", "--people", "20000"],
}
# The measurements repeated on the 10m set: the ones whose work could grow with the figure table.
TEN_MILLION = ("dashboard", "indicator_page", "cell_save", "bulk_upsert")


# The data sets added once to the 1m set, each when its table is still empty: (table, command, what).
ADDITIONS = [
    ("governance_body", "build_governance_dataset", "governance"),
    ("governance_agreement", "build_agreements_dataset", "agreements"),
    ("governance_bottleneck", "build_bottlenecks_dataset", "bottlenecks"),
    ("governance_coursecheck", "build_course_checks_dataset", "course checks"),
    ("ambitions_benefit", "build_partner_health_dataset", "contributions and benefits"),
    ("ambitions_mapstep", "build_chain_map_dataset", "chain maps"),
]


def _env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{database}",
        "KETENPORTAAL_ENV": "development",
        "DEBUG": "false",
        "TWO_FACTOR_REQUIRED": "false",
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB.get(database, 3)}"),
    }


# A Redis database per data set: the cache's keys (a chain's data revision, a page kept rendered)
# carry ids, and the same ids stand for other rows in another data set's database.
REDIS_DB = {"ketenportaal_bench_1m": 3, "ketenportaal_bench_10k": 4, "ketenportaal_bench_10m": 5}


def _manage(database: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(database), check=True)  # noqa: S603 - our own commands


def ensure(name: str) -> str:
    """Create, migrate and fill the data set's database unless it is complete already."""
    database = f"ketenportaal_bench_{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
    _manage(database, "migrate", "--verbosity", "0")
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        built = conn.execute("SELECT count(*) FROM stakeholders_chain WHERE slug LIKE 'bench-%%'").fetchone()[0]
    if not built:
        print(f"# building the {name} data set (once; 1m: about a minute, 10m: about ten)", file=sys.stderr, flush=True)
        _manage(database, "build_national_dataset", *DATASETS[name])
    if name == "1m":
        for table, command, what in ADDITIONS:
            with psycopg.connect(f"{SERVER}/{database}") as conn:
                present = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our constants
            if not present:
                print(f"# adding the {what} data set (once)", file=sys.stderr, flush=True)
                _manage(database, command)
    return database


def measure(database: str, *which: str) -> dict[str, tuple[float, str]]:
    output = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.measure", *which],
        cwd=ROOT,
        env=_env(database),
        check=True,
        stdout=subprocess.PIPE,  # the results; progress and per-round figures go to stderr as they come
        text=True,
    ).stdout
    results = {}
    for line in output.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            results[row["name"]] = (row["value"], row["unit"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the benchmark data sets when missing and measure.")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these measurements (bench/measure.py)")
    parser.add_argument("--set", choices=["10m"], help="measure this data set instead (10m: make bench-10m)")
    arguments = parser.parse_args()
    only = arguments.only
    if arguments.set == "10m":
        for name, (value, unit) in measure(ensure("10m"), *(only or TEN_MILLION)).items():
            print(f"{name}_10m {value:.{0 if unit == 'count' else 3}f} {unit}")
        return
    if only:
        for name, (value, unit) in measure(ensure("1m"), *only).items():
            print(f"{name} {value:.{0 if unit == 'count' else 3}f} {unit}")
        return
    small = measure(ensure("10k"), "dashboard")
    large = measure(ensure("1m"))
    large["dashboard_growth_1m_over_10k"] = (large["dashboard_p95"][0] / small["dashboard_p95"][0], "ratio")
    large["dashboard_p95_at_10k"] = small["dashboard_p95"]
    large["dashboard_queries_at_10k"] = small["dashboard_queries"]  # the same count at both sizes
    for name, (value, unit) in large.items():
        print(f"{name} {value:.{0 if unit == 'count' else 3}f} {unit}")


if __name__ == "__main__":
    main()
