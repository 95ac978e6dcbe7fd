"""The indicator page: definition, version history, chart with data table, partner and unit tables."""

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ambitions.models import Consent, ConsentPosition, Figure, IndicatorVersion, VersionStatus
from ambitions.periods import Frequency, Period
from ambitions.services import aggregates, data_revision, indicator_page
from ambitions.services.display import NumberFormat
from ambitions.services.entry import CellInput, save_cell
from ambitions.services.numbers import show
from tests.factories import UnitFactory
from tests.measures import Measures, enter_share


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture(autouse=True)
def mid_month(monkeypatch):
    """The page's today is the 20th of this month, so last month (``m.period``) is past its
    ten-day deadline and judged, on whatever day the suite runs."""
    today = timezone.localdate().replace(day=20)
    monkeypatch.setattr(indicator_page, "timezone", SimpleNamespace(localdate=lambda: today))
    return today


def url(m: Measures, indicator=None, **query) -> str:
    address = reverse("ambitions:indicator_detail", args=[m.world.chain.slug, (indicator or m.share).pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def star(period: Period) -> str:
    """The late mark of a figure for ``period`` saved today."""
    return "*" if timezone.localdate() > period.end + timedelta(days=10) else ""


def now() -> Period:
    return Period.containing(timezone.localdate(), Frequency.MONTH)


def test_it_shows_the_definition_in_force(measures, client_for):
    m, w = measures, measures.world
    response = client_for(w.viewer).get(url(m))

    assert response.status_code == 200
    text = response.text
    assert '<h1 class="utrecht-heading-1">Binnen 24 uur afgedaan</h1>' in text
    assert "Definition (version 1)" in text
    assert "Zaken binnen 24 uur afgedaan" in text and "Alle zaken" in text
    assert "Openbaar Ministerie: 1; Politie: 1" in text
    assert m.ambition.statement in text


def test_it_lists_every_version_with_its_consents(measures, client_for):
    m, w = measures, measures.world
    v2 = IndicatorVersion.objects.get(pk=m.share_v1.pk)
    v2.pk, v2.number, v2.status = None, 2, VersionStatus.PROPOSED
    v2.effective_from = now().next.start
    v2.proposed_at = timezone.now()
    v2.save()
    Consent.objects.create(version=v2, partnership=w.partner_a, person=w.lead_a, position=ConsentPosition.CONSENT)
    Consent.objects.create(
        version=v2, partnership=w.partner_b, person=w.lead_b, position=ConsentPosition.OBJECTION, reason="Te vroeg"
    )

    response = client_for(w.viewer).get(url(m))

    versions = response.context["page"].versions
    assert [(v.number, v.consent_count, v.objection_count) for v in versions] == [(2, 1, 1), (1, 0, 0)]
    for number in (1, 2):
        link = reverse("ambitions:version_detail", args=[w.chain.slug, m.share.pk, number])
        assert f'href="{link}">Version {number}</a>' in response.text
    assert "Proposed" in response.text and "Adopted" in response.text
    # The definition shown is the one in force, not the proposal.
    assert "Definition (version 1)" in response.text


def test_it_draws_the_chain_against_its_target_with_an_equal_table(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period.previous, "30", "100")
    enter_share(m, w.unit_a, m.period, "1", "2")
    enter_share(m, w.unit_b, m.period, "9", "98")

    response = client_for(w.viewer).get(url(m))

    text = response.text
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in text
    assert '<title id="chart-title">Binnen 24 uur afgedaan (%): chain value and target' in text
    assert "from 30.0% in" in text and "to 10.0% in" in text
    page = response.context["page"]
    assert len(page.chart.dots) == 2
    assert len(page.chart.target) == 1 and page.chart.target[0].count(",") == 24
    rows = {row.period: row for row in page.chain_rows}
    assert (rows[m.period].value, rows[m.period].reported, rows[m.period].expected) == ("10.0%", 2, 2)
    assert rows[m.period].status == "off_track"
    assert rows[now()].value == "—" and rows[now()].status == "no_data"
    assert "The same figures as a table" in text


def test_a_sums_chain_row_is_provisional_until_every_unit_has_reported(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="100"))
    count_url = reverse("ambitions:indicator_detail", args=[w.chain.slug, m.count.pk])

    row = {r.period: r for r in client_for(w.viewer).get(count_url).context["page"].chain_rows}[m.period]
    assert (row.status, row.status_label, row.reported, row.expected) == ("provisional", "Provisional", 1, 2)

    save_cell(w.lead_b, m.count, w.unit_b, m.period, CellInput(value="50"))
    row = {r.period: r for r in client_for(w.viewer).get(count_url).context["page"].chain_rows}[m.period]
    assert row.status == "on_track"


def test_a_period_whose_deadline_has_not_passed_is_in_progress_not_judged(measures, client_for, mid_month):
    """The running month's 1 in 2 cases is not "off track": its figures are still coming in."""
    m, w = measures, measures.world
    Figure.objects.create(
        indicator=m.share,
        version=m.share_v1,
        unit=w.unit_a,
        organisation_id=w.unit_a.organisation_id,
        period=now().start,
        numerator=Decimal(1),
        denominator=Decimal(2),
        value=Decimal(50),
    )
    enter_share(m, w.unit_a, m.period, "1", "10")
    aggregates.rebuild_all()

    response = client_for(w.viewer).get(url(m))

    rows = {row.period: row for row in response.context["page"].chain_rows}
    assert (rows[now()].value, rows[now()].status, rows[now()].status_label) == ("50.0%", "in_progress", "In progress")
    assert rows[m.period].status == "off_track"
    early = indicator_page.build(m.share, today=mid_month.replace(day=5))
    assert {row.period: row for row in early.chain_rows}[m.period].status == "in_progress"


def test_it_shows_partner_and_unit_tables_with_status_in_text(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "79", "100")
    enter_share(m, w.unit_b, m.period.previous, "1", "100")

    response = client_for(w.viewer).get(url(m))

    page = response.context["page"]
    politie = next(row for row in page.partner_rows if row.label == "Politie")
    cells = re.findall(r"<td[^>]*>.*?</td>", politie.cells)
    assert len(cells) == 24
    # The partner table is read from the roll-ups, which know nothing of lateness.
    assert cells[-2] == '<td class="kp-h kp-on">79.0 ✓</td>'
    assert cells[-1] == '<td class="kp-h kp-nd">—</td>'
    assert [g.organisation for g in page.unit_groups] == ["Openbaar Ministerie", "Politie"]
    [om] = page.unit_groups[0].rows
    assert om.label == "Parket Amsterdam"
    om_cells = re.findall(r"<td[^>]*>.*?</td>", om.cells)
    # A text symbol next to every colour; * marks a figure saved after the deadline.
    assert om_cells[-3] == '<td class="kp-h kp-off">1.0 ✗*</td>'
    [unit_a] = page.unit_groups[1].rows
    assert re.findall(r"<td[^>]*>.*?</td>", unit_a.cells)[-2] == f'<td class="kp-h kp-on">79.0 ✓{star(m.period)}</td>'
    assert 'scope="rowgroup" colspan="25">Openbaar Ministerie</th>' in response.text
    legend = response.text[response.text.index('id="heat-legend"') :]
    explained = ("✓</span> on track", "!</span> at risk", "✗</span> off track", "—</span> no figure", "* reported")
    assert all(words in legend[:1500] for words in explained)
    assert 'aria-describedby="heat-legend"' in response.text


def test_it_escapes_names_in_the_tables_it_formats_itself(measures, client_for):
    m, w = measures, measures.world
    w.unit_a.name = "<script>alert(1)</script>"
    w.unit_a.save()
    w.org_b.name = "OM & <b>partners</b>"
    w.org_b.save()
    enter_share(m, w.unit_a, m.period, "1", "2")
    enter_share(m, w.unit_b, m.period, "1", "2")

    text = client_for(w.viewer).get(url(m)).text

    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "OM &amp; &lt;b&gt;partners&lt;/b&gt;" in text


def test_a_sums_parts_have_no_status_of_their_own(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="120"))

    response = client_for(w.viewer).get(url(m, m.count))

    page = response.context["page"]
    assert not page.has_status_per_part
    politie = next(group for group in page.unit_groups if group.organisation == "Politie")
    cells = re.findall(r"<td[^>]*>.*?</td>", politie.rows[0].cells)
    assert cells[-2] == f'<td class="kp-h kp-in">120{star(m.period)}</td>'
    assert "a sum's target is for the chain as a whole" in response.text.lower().replace("&#x27;", "'")


def test_it_shows_the_latest_24_periods_by_default_and_another_window_on_request(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.viewer)

    default = client.get(url(m)).context["page"]
    assert len(default.columns) == 24
    assert default.periods[-1] == now() and default.periods[0] == now().shifted(-23)

    earlier = now().shifted(-6)
    chosen = client.get(url(m, tot=earlier.slug))
    page = chosen.context["page"]
    assert page.periods[-1] == earlier and len(page.periods) == 24
    assert f'<option value="{earlier.slug}" selected>' in chosen.text
    assert f"?tot={earlier.slug}" in chosen.text  # the export links keep the window


def test_it_explains_a_window_it_cannot_read_and_clamps_one_in_the_future(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.viewer)

    bad = client.get(url(m, tot="gisteren"))
    assert bad.status_code == 200
    assert "Choose a period from the list." in bad.text
    assert 'aria-invalid="true" aria-describedby="id_tot_error"' in bad.text
    assert bad.context["page"].periods[-1] == now()

    future = client.get(url(m, tot=now().shifted(5).slug)).context["page"]
    assert future.periods[-1] == now() and not future.window_error


def test_it_explains_an_indicator_without_an_adopted_version(measures, client_for):
    m, w = measures, measures.world
    IndicatorVersion.objects.filter(pk=m.count_v1.pk).update(status=VersionStatus.PROPOSED)

    response = client_for(w.viewer).get(url(m, m.count))

    assert response.status_code == 200
    assert "No version of this indicator has been adopted yet" in response.text
    assert "Version history" in response.text


def test_it_hides_another_chains_indicator_behind_a_404(measures, client_for):
    m, w = measures, measures.world
    forged = reverse("ambitions:indicator_detail", args=[w.chain.slug, m.other_indicator.pk])
    assert client_for(w.viewer).get(forged).status_code == 404
    assert client_for(w.outsider).get(url(m)).status_code == 404


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_its_query_count_does_not_grow_with_the_data(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "1", "2")
    client = client_for(w.viewer)
    client.get(url(m))
    data_revision.bump([w.chain.pk])  # built afresh, not the page kept (test_indicator_page_kept.py)
    small = _queries(client, url(m))

    units = [w.unit_a, w.unit_b, *(UnitFactory(organisation=w.org_a if i % 2 else w.org_b) for i in range(18))]
    m.share_v1.reporting_units.set(units)
    Figure.objects.bulk_create(
        [
            Figure(
                indicator=m.share,
                version=m.share_v1,
                unit=unit,
                organisation_id=unit.organisation_id,
                period=m.period.shifted(-steps).start,
                numerator=Decimal(steps),
                denominator=Decimal(30),
            )
            for unit in units
            for steps in range(30)
        ],
        ignore_conflicts=True,
    )
    aggregates.rebuild_all()
    large = _queries(client, url(m))

    assert small == large
    assert large <= 20
    page = client.get(url(m)).context["page"]
    assert sum(len(group.rows) for group in page.unit_groups) == 20


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("number", ["0", "12.5", "12.45", "12.55", "-0.04", "1234567.891", "-3.5", "80"])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_its_quick_number_format_equals_the_portals(language, number, decimals):
    with translation.override(language):
        assert NumberFormat()(Decimal(number), decimals) == show(Decimal(number), decimals)


def test_the_window_for_the_export_is_the_pages(measures):
    m = measures
    first, last = indicator_page.window(m.share, now().shifted(-3).slug)
    assert (first, last) == (now().shifted(-26), now().shifted(-3))


def test_each_period_is_shown_under_the_definition_it_was_reported_against(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period.previous, "50", "100")
    IndicatorVersion.objects.filter(pk=m.share_v1.pk).update(status=VersionStatus.SUPERSEDED)
    v2 = IndicatorVersion.objects.get(pk=m.share_v1.pk)
    v2.pk, v2.number, v2.status = None, 2, VersionStatus.ADOPTED
    v2.effective_from, v2.factor, v2.unit_label, v2.max_value = m.period.start, Decimal(1000), "‰", Decimal(1000)
    v2.save()
    v2.reporting_units.set([w.unit_a, w.unit_b])
    enter_share(m, w.unit_a, m.period, "5", "100")

    page = client_for(w.viewer).get(url(m)).context["page"]

    rows = {row.period: row for row in page.chain_rows}
    assert rows[m.period.previous].value == "50.0%"
    assert rows[m.period].value == "50.0 ‰"
    assert page.current.number == 2
