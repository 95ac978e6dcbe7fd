"""The indicator page is kept (ketenportaal/kept.py) under its indicator's figures token, the
chain's structure revision and the roster revision (ambitions/services/data_revision.py): a figure
of this indicator saved one cell at a time or in bulk, an answer to a proposal, a renamed unit
are on the next page at once, while a figure saved for another indicator of the chain keeps it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambitions.models import Consent, ConsentPosition, IndicatorVersion, VersionStatus
from ambitions.services import bulk
from ambitions.services.entry import CellInput, save_cell
from tests.api.test_bulk import writer  # noqa: F401  (the fixture: both writers, COPY and ORM)
from tests.measures import Measures


def _url(m: Measures, indicator=None, **query) -> str:
    address = reverse("ambitions:indicator_detail", args=[m.world.chain.slug, (indicator or m.share).pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _read(client, address: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_a_cell_of_this_indicator_is_on_the_next_page(measures, english_client_for):
    m, w = measures, measures.world
    client = english_client_for(w.viewer)
    page = client.get(_url(m, m.count)).context["page"]
    assert not any(row.reported for row in page.chain_rows if row.period == m.period)
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="4321"))
    page = client.get(_url(m, m.count)).context["page"]
    assert [row.reported for row in page.chain_rows if row.period == m.period] == [1]


def _reported(client, m: Measures) -> list[int]:
    page = client.get(_url(m, m.count)).context["page"]
    return [row.reported for row in page.chain_rows if row.period == m.period]


def test_a_bulk_upsert_is_on_the_next_page(measures, english_client_for, writer):  # noqa: F811
    m, w = measures, measures.world
    client = english_client_for(w.viewer)
    assert _reported(client, m) == [0]
    rows = [{"indicator": m.count.pk, "unit": w.unit_b.pk, "period": m.period.slug, "value": 8765}]
    bulk.upsert_figures(w.admin, rows)
    assert _reported(client, m) == [1]


def test_a_figure_of_another_indicator_keeps_the_page(measures, english_client_for):
    m, w = measures, measures.world
    client = english_client_for(w.viewer)
    cold, _ = _read(client, _url(m, m.count))
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="3", denominator="4"))
    kept, response = _read(client, _url(m, m.count))
    assert kept <= cold - 4, (cold, kept)  # not built again: the share's figures are not on it
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="55"))
    rebuilt, _ = _read(client, _url(m, m.count))
    assert rebuilt >= cold - 1, (cold, rebuilt)


def test_an_answer_and_a_renamed_unit_are_on_the_next_page(measures, english_client_for):
    m, w = measures, measures.world
    client = english_client_for(w.viewer)
    proposal = IndicatorVersion.objects.get(pk=m.count_v1.pk)
    proposal.pk, proposal.number, proposal.status = None, 2, VersionStatus.PROPOSED
    proposal.effective_from = m.period.next.next.start
    proposal.proposed_at = timezone.now()
    proposal.save()
    before = client.get(_url(m, m.count)).context["page"]
    counted = {version.pk: version.consent_count for version in before.versions}
    assert counted[proposal.pk] == 0
    Consent.objects.create(version=proposal, partnership=w.partner_a, person=w.lead_a, position=ConsentPosition.CONSENT)
    after = client.get(_url(m, m.count)).context["page"]
    assert {version.pk: version.consent_count for version in after.versions}[proposal.pk] == 1
    w.unit_a.name = "Basisteam Centrum-Oost"
    w.unit_a.save()
    assert "Basisteam Centrum-Oost" in client.get(_url(m, m.count)).text


@pytest.mark.parametrize("until", ["nooit", "9" * 40])
def test_a_window_that_is_no_period_is_answered_at_its_field(measures, english_client_for, until):
    m, w = measures, measures.world
    page = english_client_for(w.viewer).get(_url(m, m.count, tot=until)).context["page"]
    assert page.window_error
