"""``make bench-load``: many people at once against gunicorn on the 1m data set (issue 16).

    .venv/bin/python -m bench.load.runner            # warm-up, 50 users, 150 users, CPU per page
    .venv/bin/python -m bench.load.runner --users 20 --duration 60 --no-cpu   # a short trial

Steps: the 1m database (bench/run.py builds it once); the cast and its sessions
(bench/load/plan.py); gunicorn as docker-compose.yml starts it — ``gunicorn ketenportaal.wsgi
--config gunicorn.conf.py``, WEB_CONCURRENCY=3 sync workers, DEBUG off, settings from bench/run.py
(two-factor off, which none of the cast needs anyway: it is for programme managers); a warm-up;
then each stage with locust, headless, readers and contributors 4 : 1 (bench/load/locustfile.py),
statistics reset once every user has started. Last, CPU per request by page (bench/load/cpu.py).

Prints ``name value unit`` lines like bench/run.py (``load50_p95``, ``load150_p95``: the worst
endpoint's p95 in ms; ``load150_errors``; ``load150_rps``; per endpoint ``load150_p95_<page>``;
``cpu_app_ms_<page>`` and ``cpu_db_ms_<page>``), and per stage a Markdown table per endpoint
(requests, median, p95, errors) on stderr, for docs/benchmarks.md. Locust's percentiles are
rounded (to 10 ms above 100 ms, to 100 ms above 1 s). The load generator runs on the same
machine: its CPU is not the server's, but it competes for the same cores.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.load import cpu
from bench.load.server import ROOT, cpu_seconds, free_port, gunicorn
from bench.run import SERVER, _env, ensure

LOCUST = Path(sys.executable).parent / "locust"
WARM_UP = (20, 45)  # users, seconds: every worker has imported every view and the caches are warm
SPAWN_RATE = 10  # users started per second


def _server_env(database: str, **extra: str) -> dict[str, str]:
    env = _env(database)
    env.update(
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "3"),
        LOG_LEVEL="warning",
    )
    env.update(extra)
    return env


def _stage(base: str, env: dict[str, str], users: int, seconds: int, csv_prefix: Path) -> list[dict]:
    """One locust run; the per-endpoint rows of its statistics (the last one: all together)."""
    with open(f"{csv_prefix}.log", "w", encoding="utf-8") as log:
        return _locust(base, env, users, seconds, csv_prefix, log)


def _locust(base: str, env: dict[str, str], users: int, seconds: int, csv_prefix: Path, log) -> list[dict]:
    subprocess.run(  # noqa: S603 - our own command line
        [
            str(LOCUST),
            *("-f", str(ROOT / "bench" / "load" / "locustfile.py")),
            "--headless",
            *("--host", base),
            *("--users", str(users), "--spawn-rate", str(SPAWN_RATE)),
            *("--run-time", f"{seconds + users // SPAWN_RATE}s"),
            "--reset-stats",  # measure once every user runs, not the ramp
            *("--csv", str(csv_prefix)),
            "--only-summary",
            *("--loglevel", "WARNING"),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},  # the locustfile imports bench.load.cells
        check=False,  # locust exits 1 when a request failed; the failures are in the results
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    stats = Path(f"{csv_prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics:\n{Path(log.name).read_text()[-3000:]}")
    failures = Path(f"{csv_prefix}_failures.csv")
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print(f"# {csv_prefix.name}: failures\n{failures.read_text()}", file=sys.stderr)
    with stats.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _endpoint(row: dict) -> str:
    return row["Name"].replace(" (conflict)", "_conflict").replace(" ", "_")


def _report(stage: str, rows: list[dict], seconds_of_cpu: float) -> dict[str, tuple[float, str]]:
    pages = [row for row in rows if row["Name"] != "Aggregated" and int(row["Request Count"])]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    count = int(total["Request Count"])
    print(f"\n# {stage}: per endpoint", file=sys.stderr)
    print("| endpoint | requests | median (ms) | p95 (ms) | errors |\n|---|---|---|---|---|", file=sys.stderr)
    for row in [*pages, total]:
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['50%']} | {row['95%']} | {row['Failure Count']} |",
            file=sys.stderr,
        )
    results = {
        f"{stage}_p95": (max(float(row["95%"]) for row in pages), "ms"),
        f"{stage}_errors": (float(total["Failure Count"]), "count"),
        f"{stage}_rps": (float(total["Requests/s"]), "req/s"),
        f"{stage}_app_cpu_per_request": (seconds_of_cpu * 1000 / max(count, 1), "ms"),
    }
    results.update({f"{stage}_p95_{_endpoint(row)}": (float(row["95%"]), "ms") for row in pages})
    return results


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the locust runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load(database: str, plan_file: Path, work: Path, stages: list[int], seconds: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _server_env(database, KP_LOAD_PLAN=str(plan_file))
    results = {}
    with gunicorn(env, port, work / "gunicorn.log") as master:
        _stage(base, env, *WARM_UP, work / "warm-up")
        for users in stages:
            load = ", ".join(f"{one:.1f}" for one in os.getloadavg())
            print(f"# load{users}: machine load average before the stage {load} (1, 5, 15 min)", file=sys.stderr)
            before, locust_before = cpu_seconds(master), _children_cpu()
            rows = _stage(base, env, users, seconds, work / f"load{users}")
            results.update(_report(f"load{users}", rows, cpu_seconds(master) - before))
            # Locust shares the two cores with the server: how much of them it took.
            print(f"# load{users}: locust used {_children_cpu() - locust_before:.0f} s of CPU", file=sys.stderr)
    return results


def _cpu_per_page(database: str, plan: dict, work: Path) -> dict:
    port = free_port()
    application = f"kp-load-cpu-{port}"
    env = _server_env(
        database,
        DATABASE_URL=f"{SERVER}/{database}?application_name={application}",
        WEB_CONCURRENCY="1",
        DB_CONN_MAX_AGE="600",
        GUNICORN_MAX_REQUESTS="0",
    )
    with gunicorn(env, port, work / "gunicorn-cpu.log") as master:
        pages = cpu.measure(f"http://127.0.0.1:{port}", master, plan, SERVER, database, application)
    print("\n# CPU per request by page (one person, one worker)", file=sys.stderr)
    print("| page | gunicorn CPU (ms) | PostgreSQL CPU (ms) | median time (ms) |\n|---|---|---|---|", file=sys.stderr)
    results = {}
    for name, row in pages.items():
        print(f"| {name} | {row['app_ms']:.1f} | {row['db_ms']:.1f} | {row['wall_ms']:.1f} |", file=sys.stderr)
        results[f"cpu_app_ms_{name}"] = (row["app_ms"], "ms")
        results[f"cpu_db_ms_{name}"] = (row["db_ms"], "ms")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Load test: many people at once against gunicorn on the 1m set.")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 150], help="one stage per number")
    parser.add_argument("--duration", type=int, default=180, help="seconds per stage once every user runs")
    parser.add_argument("--no-cpu", action="store_true", help="skip CPU per request by page")
    parser.add_argument("--cpu-only", action="store_true", help="only CPU per request by page (no load stages)")
    parser.add_argument("--database", help="use this database as it is (default: the 1m set, built when missing)")
    options = parser.parse_args()
    database = options.database or ensure("1m")
    with tempfile.TemporaryDirectory(prefix="kp-load-") as folder:
        work = Path(folder)
        made = subprocess.run(  # noqa: S603 - our own module
            [sys.executable, "-m", "bench.load.plan"], cwd=ROOT, env=_env(database), check=True, capture_output=True
        )
        plan_file = work / "plan.json"
        plan_file.write_bytes(made.stdout)
        plan = json.loads(made.stdout)
        try:
            results = {} if options.cpu_only else _load(database, plan_file, work, options.users, options.duration)
            if not options.no_cpu:
                results.update(_cpu_per_page(database, plan, work))
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                subprocess.run(  # noqa: S603 - our own module
                    [sys.executable, "-m", "bench.load.plan", "clean"],
                    cwd=ROOT,
                    env=_env(database),
                    input=made.stdout,
                    check=True,
                )
            if (work / "gunicorn.log").exists() and os.environ.get("KP_LOAD_KEEP_LOG"):
                (work / "gunicorn.log").rename(os.environ["KP_LOAD_KEEP_LOG"])
    for name, (value, unit) in results.items():
        print(f"{name} {value:.{0 if unit == 'count' else 3}f} {unit}")


if __name__ == "__main__":
    main()
