"""bench/imports.py runs its measurements end to end (small: 4 units × 2 indicators × 2 months),
writes what it claims and leaves nothing behind."""

from __future__ import annotations

import pytest

from ambitions.models import Figure, ImportJob
from bench import imports
from stakeholders.models import Chain
from tests.services import have_postgres

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not have_postgres(), reason="the floor uses COPY (PostgreSQL)")
def test_it_measures_every_figure_and_rolls_everything_back(monkeypatch, settings):
    settings.TWO_FACTOR_REQUIRED = False  # as bench/run.py runs it
    monkeypatch.setattr(imports, "UNITS", 4)
    monkeypatch.setattr(imports, "INDICATORS", 2)
    monkeypatch.setattr(imports, "MONTHS", 2)
    results = {result.name: result for result in imports.imports(None)}
    assert set(results) == {
        "import_csv_100k",
        "import_csv_100k_floor",
        "import_xlsx_100k",
        "import_peak_memory_mb",
        "template_xlsx_200_units",
    }
    assert all(result.value >= 0 for result in results.values())
    assert not Chain.objects.filter(slug="import-bench").exists()
    assert not ImportJob.objects.exists() and not Figure.objects.exists()
