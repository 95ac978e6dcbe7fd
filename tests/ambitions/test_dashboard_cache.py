"""The dashboard's chain-wide part from the cache (ambitions/views/dashboard.py), kept under the
chain's data revision (ambitions/services/data_revision.py): served warm without reading the
roll-ups, and fresh the moment anything it shows is saved — a figure through each way in (a cell,
the whole grid, the API, the bulk API, a spreadsheet import), the definitions, the partners, the
chain map — or the calendar moves on. What depends on the viewer is never taken from it."""

from __future__ import annotations

import json
import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambitions.models import Ambition, Indicator, IndicatorVersion, PeriodSubmission
from ambitions.models.chain_map import ChainMap, MapStep
from ambitions.services import bulk, dashboard, data_revision
from ambitions.services.imports import run
from ambitions.views import dashboard as view
from tests.ambitions.import_helpers import checked_job
from tests.factories import UnitFactory
from tests.governance.bottleneck_fixtures import bottleneck, ladder
from tests.measures import Measures, adopted_version, enter_count
from tests.services import have_postgres

HTMX = {"HTTP_HX_REQUEST": "true"}
VALUE = "777"  # a count no other figure of the chain adds up to


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def on_day(monkeypatch, day: date) -> None:
    """The dashboard's today (the service's and the cache key's): ``day``."""
    monkeypatch.setattr(dashboard, "timezone", SimpleNamespace(localdate=lambda: day))
    monkeypatch.setattr(
        view,
        "timezone",
        SimpleNamespace(localdate=lambda: day, get_current_timezone_name=timezone.get_current_timezone_name),
    )


@pytest.fixture(autouse=True)
def mid_month(monkeypatch) -> date:
    """The 20th: last month (``m.period``) is past its ten-day deadline, so it is the headline."""
    today = timezone.localdate().replace(day=20)
    on_day(monkeypatch, today)
    return today


def url(m: Measures) -> str:
    return reverse("ambitions:chain_dashboard", args=[m.world.chain.slug])


def count_tile(m: Measures, html: str) -> str:
    """The count indicator's tile, as text."""
    start = html.index(f'id="indicator-{m.count.pk}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</li>", start)]))


def load(client, m: Measures) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(m))
    assert response.status_code == 200
    return response.text, [q["sql"] for q in queries.captured_queries]


def reads_rollups(queries: list[str]) -> bool:
    return any('"ambitions_chainaggregate"' in sql for sql in queries)


def warm(client, m: Measures) -> str:
    """Load the dashboard twice; the second must come from the cache. Returns its HTML."""
    load(client, m)
    html, queries = load(client, m)
    assert not reads_rollups(queries), "the second load should be served from the cache"
    return html


# --- A saved figure is on the next dashboard, whichever way it came in ----------------------------


def save_through_the_cell(m: Measures) -> None:
    w = m.world
    prefix = f"cell-{m.count.pk}-{w.unit_a.pk}"
    data = {"indicator": m.count.pk, "unit": w.unit_a.pk, f"{prefix}-revision": 0, f"{prefix}-value": VALUE}
    address = reverse("ambitions:entry_cell", args=[w.chain.slug, m.period.slug])
    response = m.client.post(address, data, **HTMX)
    assert response.status_code == 200, response.text


def save_through_the_grid(m: Measures) -> None:
    """The whole grid as one form (no JavaScript): the share cell left empty, the count filled."""
    from ambitions.forms.entry import fingerprint

    w = m.world
    data = {}
    for indicator in (m.share, m.count):
        key = f"cell-{indicator.pk}-{w.unit_a.pk}"
        data.update({f"{key}-revision": 0, f"{key}-loaded": fingerprint({})})
        data.update({f"{key}-{name}": "" for name in ("value", "numerator", "denominator", "comment")})
    data[f"cell-{m.count.pk}-{w.unit_a.pk}-value"] = VALUE
    response = m.client.post(reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]), data)
    assert response.status_code == 302, response.text


def save_through_the_api(m: Measures) -> None:
    body = {"indicator": m.count.pk, "unit": m.world.unit_a.pk, "period": m.period.slug, "value": VALUE}
    response = m.client.post(reverse("ambitions-api:figure-list"), json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


def save_through_the_bulk_api(m: Measures) -> None:
    rows = [{"indicator": m.count.pk, "unit": m.world.unit_a.pk, "period": m.period.slug, "value": VALUE}]
    response = m.client.post(reverse("ambitions-api:figure-bulk"), json.dumps(rows), content_type="application/json")
    assert response.status_code == 200, response.content


def save_through_an_import(m: Measures) -> None:
    w = m.world
    line = f"{w.unit_a.name};{m.count.name};{m.period.start:%Y-%m};{VALUE};;;"
    data = f"Onderdeel;Indicator;Periode;Waarde;Teller;Noemer;Toelichting\r\n{line}\r\n".encode()
    job = checked_job(m, data)
    assert job.error_count == 0, job.errors
    assert run.confirm(job)
    assert run.write(job.pk).status == "done"


@pytest.mark.parametrize(
    "save",
    [save_through_the_cell, save_through_the_grid, save_through_the_api, save_through_an_import],
    ids=["cell", "grid", "api", "import"],
)
def test_a_saved_figure_is_on_the_next_dashboard(measures, client_for, save):
    m, w = measures, measures.world
    viewer = client_for(w.viewer)
    before = warm(viewer, m)
    assert VALUE not in count_tile(m, before)

    m.client = client_for(w.contributor_a)
    save(m)

    after, queries = load(viewer, m)
    assert reads_rollups(queries), "built afresh"
    assert f"{VALUE} zaken" in count_tile(m, after)


@pytest.mark.parametrize("writer", ["copy", "orm"])
def test_a_figure_saved_through_the_bulk_api_is_on_the_next_dashboard(measures, client_for, monkeypatch, writer):
    if writer == "copy" and not have_postgres():
        pytest.skip("COPY needs PostgreSQL")
    monkeypatch.setattr(bulk, "use_copy", lambda: writer == "copy")
    m, w = measures, measures.world
    viewer = client_for(w.viewer)
    assert VALUE not in count_tile(m, warm(viewer, m))
    m.client = client_for(w.contributor_a)
    save_through_the_bulk_api(m)
    assert f"{VALUE} zaken" in count_tile(m, load(viewer, m)[0])


def test_a_save_on_another_chain_keeps_this_chains_page(measures, client_for):
    """The revision is per chain: a write elsewhere does not cost this chain its cached page."""
    m, w = measures, measures.world
    viewer = client_for(w.viewer)
    warm(viewer, m)
    Ambition.objects.create(chain=w.other_chain, statement="Elders", horizon=date(2030, 1, 1))
    assert not reads_rollups(load(viewer, m)[1])


# --- Everything else it shows ---------------------------------------------------------------------


def test_definitions_partners_and_the_map_are_on_the_next_dashboard(measures, client_for):
    m, w = measures, measures.world
    viewer = client_for(w.viewer)
    warm(viewer, m)

    Ambition.objects.create(chain=w.chain, statement="Minder recidive", horizon=date(2030, 1, 1))
    assert "Minder recidive" in warm(viewer, m)

    m.count.name = "Zaken op de plank"
    m.count.save()
    assert "Zaken op de plank" in warm(viewer, m)

    # A new version adopted (an adopted one is locked): its target is on the tile.
    v2 = adopted_version(m.count, [w.unit_a, w.unit_b], number=2, effective_from=date(2025, 1, 1), target_value=4321)
    assert "4321 zaken" in count_tile(m, warm(viewer, m))

    new = Indicator.objects.create(ambition=m.ambition, name="Nieuwe indicator", position=9)
    adopted_version(new, [w.unit_a])
    assert "Nieuwe indicator" in warm(viewer, m)

    # The partners' table of a tile (shown once it has figures): a new reporting unit, a renamed partner.
    enter_count(m, w.unit_b, m.period, "5")
    assert "0 of 1" in count_tile(m, warm(viewer, m))
    v2.reporting_units.add(UnitFactory(organisation=w.org_a))
    assert "0 of 2" in count_tile(m, warm(viewer, m))
    w.org_b.name = "OM Noord"
    w.org_b.save()
    assert "OM Noord" in count_tile(m, warm(viewer, m))

    chain_map = ChainMap.objects.create(chain=w.chain)
    MapStep.objects.create(chain_map=chain_map, position=1, name="Aanhouding", indicator=m.count)
    assert 'id="chain-map-heading"' in warm(viewer, m)

    IndicatorVersion.objects.filter(pk=new.versions.get().pk).delete()
    new.delete()
    assert "Nieuwe indicator" not in warm(viewer, m)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.world.chain.save(),
        lambda m: m.world.partner_a.save(),
        lambda m: m.world.unit_a.save(),
        lambda m: UnitFactory(organisation=m.world.org_a),
        lambda m: m.ambition.save(),
        lambda m: m.share_v1.save(),
        lambda m: m.share_v1.reporting_units.remove(m.world.unit_b),
        lambda m: m.world.unit_b.reported_indicator_versions.clear(),
        lambda m: PeriodSubmission.objects.create(
            chain=m.world.chain, organisation=m.world.org_a, frequency=m.count_v1.frequency, period=m.period.start
        ),
    ],
    ids=[
        "chain",
        "partnership",
        "unit",
        "new unit",
        "ambition",
        "version",
        "version's units",
        "unit's versions",
        "submission",
    ],
)
def test_each_change_it_may_show_gives_the_chain_a_new_revision(measures, change):
    m = measures
    before = data_revision.current(m.world.chain.pk)
    change(m)
    assert data_revision.current(m.world.chain.pk) != before


def test_a_new_chain_never_meets_an_old_chains_pages(measures):
    """Ids come back (SQLite, a recreated database): creating a chain starts a fresh revision."""
    from tests.factories import ChainFactory

    chain = ChainFactory(name="Nieuw", slug="nieuw")
    first = data_revision.current(chain.pk)
    chain.delete()
    again = ChainFactory(name="Nieuw", slug="nieuw", pk=chain.pk if chain.pk else None)
    assert data_revision.current(again.pk) != first


def test_deadlines_passing_by_the_calendar_show_without_any_write(measures, client_for, monkeypatch, mid_month):
    """No figure, no write: only the day changes, and with it who is overdue."""
    m, w = measures, measures.world
    viewer = client_for(w.viewer)
    on_day(monkeypatch, mid_month.replace(day=2))  # last month's ten days are not over yet
    assert "kp-flag--overdue" not in warm(viewer, m)
    on_day(monkeypatch, mid_month)
    assert "kp-flag--overdue" in warm(viewer, m)


def test_each_language_has_its_own_copy(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.viewer)
    assert "Who hasn't reported yet" in warm(client, m)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    html, queries = load(client, m)
    assert reads_rollups(queries)  # not the English copy
    assert "Wie nog niet heeft aangeleverd" in html and "Who hasn't reported yet" not in html


# --- What depends on the viewer stays out of the cache ----------------------------------------------


def _chain_wide(html: str) -> str:
    return html[html.index('<section class="kp-ambition"') : html.index("</main>")]


def test_members_share_the_chain_wide_part_but_not_their_own(measures, client_for):
    m, w = measures, measures.world
    as_viewer = warm(client_for(w.viewer), m)
    as_manager, queries = load(client_for(w.manager), m)
    assert not reads_rollups(queries)  # the viewer's rendering, reused
    assert _chain_wide(as_manager) == _chain_wide(as_viewer)
    # The layout around it is the viewer's own.
    assert w.manager.full_name in as_manager and w.manager.full_name not in as_viewer


def test_fragments_of_other_apps_are_fresh_on_every_request(world, measures, client_for):
    """Governance's bottleneck counts are outside the cached part: a new one shows at once,
    with no revision of the chain's data."""
    m, w = measures, measures.world
    viewer = client_for(w.viewer)
    assert 'id="dashboard-bottlenecks"' not in warm(viewer, m)
    revision = data_revision.current(w.chain.pk)
    bottleneck(world, ladder(world).local)
    html, queries = load(viewer, m)
    assert data_revision.current(w.chain.pk) == revision and not reads_rollups(queries)
    assert 'id="dashboard-bottlenecks"' in html


def test_adopting_with_an_update_statement_gives_the_chain_a_new_revision(measures):
    """Adoption after the consent deadline (a Celery sweep) writes the versions with UPDATE, which
    fires no signal: supersede_earlier, which every adoption passes through, bumps instead."""
    from ambitions.services.consensus import supersede_earlier

    m = measures
    later = adopted_version(m.count, [m.world.unit_a], number=2, effective_from=date(2025, 1, 1))
    before = data_revision.current(m.world.chain.pk)
    supersede_earlier([IndicatorVersion.objects.get(pk=later.pk)])  # nothing loaded: one query
    assert data_revision.current(m.world.chain.pk) != before
    assert IndicatorVersion.objects.get(pk=m.count_v1.pk).status == "superseded"
