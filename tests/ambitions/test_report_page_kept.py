"""The report page is kept (ketenportaal/kept.py) under the chain's structure revision and the
roster revision: the programme manager's commentary, a publication and a regenerated revision are
on the next page at once, while figures saved meanwhile (which a drafted report never shows) keep
it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.services import reports
from tests.measures import enter_count, enter_share


def _page(report) -> str:
    return reverse("ambitions:report_detail", args=["zsm", report.pk])


def _read(client, report) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_page(report))
    assert response.status_code == 200
    return len(captured.captured_queries), response.text


def test_commentary_publication_and_a_new_revision_are_on_the_next_page(measures, english_client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "10", "100")
    report, _ = reports.draft_report(w.chain, m.period)
    client = english_client_for(w.viewer)
    assert "Politie loopt achter" not in client.get(_page(report)).text
    reports.save_commentary(report, w.manager, {}, {m.share.pk: "Politie loopt achter"})
    assert "Politie loopt achter" in client.get(_page(report)).text
    reports.save_commentary(report, w.manager, {}, {m.share.pk: "Politie haalt in"})
    page = client.get(_page(report)).text
    assert "Politie haalt in" in page and "Politie loopt achter" not in page
    newer = reports.regenerate(report, w.manager)
    assert "a newer revision exists" in client.get(_page(report)).text
    assert "Politie haalt in" in client.get(_page(newer)).text  # carried over, on the new revision's page


def test_figures_saved_later_keep_the_page(measures, english_client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "10", "100")
    report, _ = reports.draft_report(w.chain, m.period)
    client = english_client_for(w.viewer)
    cold, before = _read(client, report)
    enter_count(m, w.unit_a, m.period, "300")
    enter_share(m, w.unit_b, m.period, "90", "100")
    kept, after = _read(client, report)
    assert kept < cold, (cold, kept)
    assert after.count("50.0%") == before.count("50.0%")  # the report's frozen figures, not today's
