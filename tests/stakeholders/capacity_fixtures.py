"""Helpers for the capacity tests: an assessment with given scores."""

from __future__ import annotations

from datetime import date

from stakeholders.models import Partnership
from stakeholders.models.capacity import SCORE_FIELDS, CapacityAssessment


def assess(partnership: Partnership, period_start: date, by=None, **scores) -> CapacityAssessment:
    """An assessment of ``partnership`` for the period from ``period_start``: every dimension 4
    unless given; a score of 2 or lower gets an explanation."""
    values = {name: scores.get(name, 4) for name in SCORE_FIELDS}
    notes = {f"{name}_note": "Te weinig mensen" if values[name] <= 2 else "" for name in SCORE_FIELDS}
    return CapacityAssessment.objects.create(
        chain=partnership.chain, partnership=partnership, period_start=period_start, assessed_by=by, **values, **notes
    )


def form_data(period_start: date, token: str = "", **scores) -> dict:
    """What the assessment form posts: every dimension 4 unless given."""
    data = {"period_start": period_start.isoformat(), "version_token": token}
    for name in SCORE_FIELDS:
        data[name] = scores.get(name, 4)
        data[f"{name}_note"] = scores.get(f"{name}_note", "")
    return data
