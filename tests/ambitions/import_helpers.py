"""Shared helpers of the import tests: a job for a file, checked as the page checks it."""

from __future__ import annotations

from pathlib import Path

from ambitions.models import ImportJob
from ambitions.services.imports import run

CORPUS = Path(__file__).parent / "import_corpus"


def checked_job(m, data: bytes, name: str = "cijfers.csv", person=None, organisation=None) -> ImportJob:
    w = m.world
    job = run.start(w.chain, organisation or w.org_a, person or w.contributor_a, name, data)
    run.check(job)
    job.refresh_from_db()
    return job


def errors_by_row(job: ImportJob) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for row, column, reason in job.errors:
        found.setdefault(row, {})[column] = reason
    return found


def statuses(job: ImportJob) -> dict[int, str]:
    return {entry[0]: entry[1] for entry in job.preview}
