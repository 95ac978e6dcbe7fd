"""The chain dashboard: indicator tiles per ambition and who hasn't reported yet."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ambitions.models import Figure, Indicator, VersionStatus
from ambitions.periods import Frequency, Period
from ambitions.services import aggregates, dashboard, data_revision
from ambitions.services.entry import CellInput, save_cell
from ambitions.services.progress import Status
from tests.factories import UnitFactory
from tests.measures import Measures, adopted_version, enter_count, enter_share


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture(autouse=True)
def mid_month(monkeypatch):
    """The dashboard's today is the 20th of this month, so last month (``m.period``) is past its
    ten-day deadline, and the headline, on whatever day the suite runs."""
    today = timezone.localdate().replace(day=20)
    monkeypatch.setattr(dashboard, "timezone", SimpleNamespace(localdate=lambda: today))
    return today


def url(m: Measures) -> str:
    return reverse("ambitions:chain_dashboard", args=[m.world.chain.slug])


def tile_of(board: dashboard.Dashboard, indicator: Indicator) -> dashboard.Tile:
    return next(t for block in board.ambitions for t in block.tiles if t.indicator == indicator)


def test_it_shows_the_chain_ratio_as_the_sum_of_numerators_over_the_sum_of_denominators(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "1", "2")
    enter_share(m, w.unit_b, m.period, "9", "98")

    response = client_for(w.viewer).get(url(m))

    assert response.status_code == 200
    tile = tile_of(response.context["dashboard"], m.share)
    # 10 / 100 = 10%, not the average of 50% and 9.2% (29.6%).
    assert tile.shown.value == "10.0%"
    assert tile.period == m.period
    assert tile.progress.reported == 2 and tile.progress.expected == 2
    assert "10.0%" in response.text
    assert "29.6" not in response.text
    assert m.ambition.statement in response.text
    # Its link, made without reverse() per tile, is the indicator page's.
    assert f'href="{reverse("ambitions:indicator_detail", args=[w.chain.slug, m.share.pk])}"' in tile.html


def test_it_compares_the_value_with_the_trajectory_for_its_status(measures):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "1", "2")
    enter_share(m, w.unit_b, m.period, "9", "98")
    enter_count(m, w.unit_a, m.period, "100")
    enter_count(m, w.unit_b, m.period, "50")

    with translation.override("en"):
        board = dashboard.build(w.chain)

    ratio = tile_of(board, m.share)
    # The trajectory runs from 24% (January 2024) to 80% (June 2027): far above 10% by now.
    assert ratio.progress.status == Status.OFF_TRACK
    assert ratio.shown.status_label == "Off track"
    assert ratio.shown.mark == "✗"
    assert ratio.shown.target.endswith("%") and Decimal(ratio.shown.target[:-1].replace(",", ".")) > 40
    # The sum goes from 500 down to 200, lower is better: 150 cases is ahead of the trajectory.
    total = tile_of(board, m.count)
    assert total.shown.value == "150 zaken"
    assert total.progress.status == Status.ON_TRACK


def test_a_sum_waits_for_every_unit_before_it_is_judged(measures, client_for):
    """A chain total with units missing is short by their figures: it is provisional, not judged
    (here lower is better, so half a total would otherwise look comfortably on track)."""
    m, w = measures, measures.world
    enter_count(m, w.unit_a, m.period, "100")
    enter_share(m, w.unit_a, m.period, "1", "2")

    response = client_for(w.viewer).get(url(m))

    total = tile_of(response.context["dashboard"], m.count)
    assert (total.shown.status, total.shown.status_label, total.shown.mark) == (Status.PROVISIONAL, "Provisional", "…")
    assert total.progress.reported == 1 and total.progress.expected == 2
    assert "A total is judged against its target once every unit has reported." in response.text
    # A ratio of the units that did report is an estimate of the whole: judged as usual.
    assert tile_of(response.context["dashboard"], m.share).progress.status == Status.OFF_TRACK

    enter_count(m, w.unit_b, m.period, "50")
    assert tile_of(dashboard.build(w.chain), m.count).progress.status == Status.ON_TRACK


def test_it_marks_an_indicator_without_figures_as_no_data(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "1", "2")

    response = client_for(w.viewer).get(url(m))

    tile = tile_of(response.context["dashboard"], m.count)
    assert tile.progress.status == Status.NO_DATA
    assert tile.period is None
    assert "No figures reported in the recent periods." in response.text
    badge = 'kp-status--no_data"><span class="kp-status__mark" aria-hidden="true">–</span> No data'
    assert badge in response.text


def test_it_says_when_no_definition_is_in_force(measures, client_for):
    m, w = measures, measures.world
    draft = Indicator.objects.create(ambition=m.ambition, name="Tevredenheid slachtoffers", position=3)
    adopted_version(draft, [w.unit_a], status=VersionStatus.PROPOSED)

    response = client_for(w.viewer).get(url(m))

    assert tile_of(response.context["dashboard"], draft).version is None
    assert "No adopted definition is in force yet." in response.text


def test_it_shows_the_change_since_the_previous_period_and_a_sparkline(measures, client_for):
    m, w = measures, measures.world
    for unit in (w.unit_a, w.unit_b):
        enter_share(m, unit, m.period.previous, "40", "100")
        enter_share(m, unit, m.period, "50", "100")

    response = client_for(w.viewer).get(url(m))

    tile = tile_of(response.context["dashboard"], m.share)
    assert tile.shown.change == "+10.0 percentage points (better)"
    assert tile_of(dashboard.build(w.chain), m.share).shown.change.startswith("+10.0 percentage points")
    assert tile.progress.improving is True
    assert f"Change since {m.period.previous.label()}" in response.text
    assert "(better)" in response.text
    assert tile.sparkline.segments[0].count(",") == 2  # one line through two points
    assert f"from 40.0% in {m.period.previous.label()} to 50.0% in {m.period.label()}" in tile.sparkline.summary
    assert 'role="img"' in response.text


def test_it_forecasts_the_value_at_the_ambitions_horizon(measures, client_for):
    m, w = measures, measures.world
    horizon = m.period.shifted(12)
    m.ambition.horizon = horizon.end
    m.ambition.save()
    for steps, numerator in ((-2, "50"), (-1, "51"), (0, "52")):
        enter_share(m, w.unit_a, m.period.shifted(steps), numerator, "100")

    response = client_for(w.viewer).get(url(m))

    # One percentage point a month: twelve months on, 64%.
    text = f"At this pace: 64.0% by {horizon.label()}"
    assert tile_of(response.context["dashboard"], m.share).shown.forecast == text
    assert text in response.text


def test_it_makes_no_forecast_once_the_horizon_has_passed(measures):
    m, w = measures, measures.world
    m.ambition.horizon = m.period.previous.end
    m.ambition.save()
    for steps in (-2, -1, 0):
        enter_share(m, w.unit_a, m.period.shifted(steps), "50", "100")

    assert tile_of(dashboard.build(w.chain), m.share).shown.forecast == ""


def test_it_lists_who_has_not_reported_the_latest_period(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "1", "2")

    response = client_for(w.viewer).get(url(m))

    missing = {row.organisation: row for row in response.context["dashboard"].missing}
    # Politie reported the share but not the count; the OM reported nothing.
    assert set(missing) == {"Politie", "Openbaar Ministerie"}
    assert (missing["Politie"].missing, missing["Politie"].expected) == (1, 2)
    assert missing["Politie"].indicators == ["Zaken in voorraad"]
    assert (missing["Openbaar Ministerie"].missing, missing["Openbaar Ministerie"].expected) == (2, 2)
    assert missing["Politie"].period == m.period
    assert missing["Politie"].deadline == date.fromordinal(m.period.end.toordinal() + 10)
    assert "Who hasn&#x27;t reported yet" in response.text or "Who hasn't reported yet" in response.text


def test_it_drops_a_partner_from_the_list_once_every_unit_has_reported(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "1", "2")
    enter_count(m, w.unit_a, m.period, "7")

    board = dashboard.build(w.chain)

    assert [row.organisation for row in board.missing] == ["Openbaar Ministerie"]


def test_it_shows_completeness_and_timeliness_per_partner(measures):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period.shifted(-3), "1", "2")  # well after its deadline: late

    tile = tile_of(dashboard.build(w.chain), m.share)

    assert tile.period == m.period.shifted(-3)
    partners = {p.organisation: p for p in tile.partners}
    assert (partners["Politie"].reported, partners["Politie"].expected, partners["Politie"].late) == (1, 1, 1)
    assert (partners["Openbaar Ministerie"].reported, partners["Openbaar Ministerie"].expected) == (0, 1)
    assert not partners["Openbaar Ministerie"].complete
    assert tile.progress.late == 1


def test_it_escapes_partner_names_in_the_rows_it_formats_itself(measures, client_for):
    m, w = measures, measures.world
    w.org_b.name = "OM <b>&</b> co"
    w.org_b.save()
    enter_share(m, w.unit_a, m.period, "1", "2")

    text = client_for(w.viewer).get(url(m)).text

    assert "OM <b>" not in text
    assert "OM &lt;b&gt;&amp;&lt;/b&gt; co" in text


def test_a_change_of_a_sum_is_in_its_unit(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, m.period.previous, "200")
    enter_count(m, w.unit_b, m.period.previous, "120")
    enter_count(m, w.unit_a, m.period, "180")
    enter_count(m, w.unit_b, m.period, "120")

    with translation.override("en"):
        tile = tile_of(dashboard.build(w.chain), m.count)

    # Lower is better, so fewer cases is better.
    assert tile.shown.change == "−20 zaken (better)"


def test_it_does_not_show_another_chains_indicators(measures, client_for):
    m, w = measures, measures.world
    response = client_for(w.viewer).get(url(m))
    assert m.other_indicator.name not in response.text
    assert client_for(w.outsider).get(url(m)).status_code == 404


def test_the_chain_menu_links_the_dashboard_and_marks_it_current(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.viewer)

    on_dashboard = client.get(url(m)).text
    assert f'<a class="utrecht-link" href="{url(m)}" aria-current="page">Dashboard</a>' in on_dashboard
    on_indicator = client.get(reverse("ambitions:indicator_detail", args=[w.chain.slug, m.share.pk])).text
    assert f'<a class="utrecht-link" href="{url(m)}" aria-current="page">Dashboard</a>' in on_indicator
    at_home = client.get(reverse("stakeholders:chain_detail", args=[w.chain.slug])).text
    assert f'<a class="utrecht-link" href="{url(m)}">Dashboard</a>' in at_home
    assert "Dashboard: where the chain stands on its ambitions" in at_home


def _queries(client, address: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    # The roll-ups only: reading raw figures would make the page grow with the history.
    assert not [q["sql"] for q in queries.captured_queries if '"ambitions_figure"' in q["sql"]]
    return [q["sql"] for q in queries.captured_queries]


def _reads_rollups(queries: list[str]) -> bool:
    return any('"ambitions_chainaggregate"' in sql for sql in queries)


def test_its_query_count_does_not_grow_with_the_data(measures, client_for):
    m, w = measures, measures.world
    m.count.delete()
    enter_share(m, w.unit_a, m.period.previous, "1", "2")
    enter_share(m, w.unit_a, m.period, "1", "2")
    client = client_for(w.viewer)
    client.get(url(m))  # warm up: the session, the language and the cached chain-wide part
    small_warm = _queries(client, url(m))
    data_revision.bump([w.chain.pk])
    small_cold = _queries(client, url(m))

    units = [w.unit_a, w.unit_b, *(UnitFactory(organisation=w.org_a if i % 2 else w.org_b) for i in range(3))]
    m.share_v1.reporting_units.set(units)
    indicators = [m.share]
    for n in range(2):
        extra = Indicator.objects.create(ambition=m.ambition, name=f"Extra {n}", position=10 + n)
        adopted_version(extra, units)
        indicators.append(extra)
    versions = {i.pk: i.versions.get() for i in indicators}
    figures = [
        Figure(
            indicator=indicator,
            version=versions[indicator.pk],
            unit=unit,
            organisation_id=unit.organisation_id,
            period=m.period.shifted(-steps).start,
            value=Decimal(steps * 10 + 5) if indicator != m.share else None,
            numerator=Decimal(steps) if indicator == m.share else None,
            denominator=Decimal(30) if indicator == m.share else None,
        )
        for indicator in indicators
        for unit in units
        for steps in range(24)
    ]
    Figure.objects.bulk_create(figures, ignore_conflicts=True)
    aggregates.rebuild_all()
    large_cold = _queries(client, url(m))  # the writes above changed the chain's data revision
    large_warm = _queries(client, url(m))

    assert Figure.objects.count() == 3 * 5 * 24
    # Built afresh (cold) and from the cache (warm): neither grows with the data.
    assert (len(small_cold), len(small_warm)) == (len(large_cold), len(large_warm))
    assert len(large_cold) <= 20
    assert _reads_rollups(small_cold) and _reads_rollups(large_cold)
    # Warm, the chain map, the tiles and the table of who hasn't reported come from the cache:
    # what is left is the session, the chain and the viewer's rights, the menu and the fragments.
    assert not _reads_rollups(small_warm) and not _reads_rollups(large_warm)
    assert len(large_warm) <= len(large_cold) - 6
    board = dashboard.build(w.chain)
    assert all(tile.period == m.period and tile.progress.expected == 5 for tile in board.ambitions[0].tiles)


def test_it_follows_each_indicators_own_frequency(measures, client_for):
    m, w = measures, measures.world
    quarterly = Indicator.objects.create(ambition=m.ambition, name="Doorlooptijd", position=3)
    adopted_version(quarterly, [w.unit_a], frequency=Frequency.QUARTER, unit_label="dagen")
    last_quarter = Period.containing(timezone.localdate(), Frequency.QUARTER).previous
    save_cell(w.contributor_a, quarterly, w.unit_a, last_quarter, CellInput(value="12"))

    response = client_for(w.viewer).get(url(m))

    tile = tile_of(response.context["dashboard"], quarterly)
    assert tile.period == last_quarter
    assert tile.shown.value == "12 dagen"
    assert tile.shown.period_label == last_quarter.label()
    # The quarter is complete; the monthly indicators still miss figures for last month.
    assert all("Doorlooptijd" not in row.indicators for row in response.context["dashboard"].missing)


def _figure(indicator, version, unit, period: Period, value: str) -> None:
    """A figure written straight to the table (the running month is not open for entry yet)."""
    Figure.objects.create(
        indicator=indicator,
        version=version,
        unit=unit,
        organisation_id=unit.organisation_id,
        period=period.start,
        value=Decimal(value),
    )


def test_the_headline_is_the_latest_period_whose_deadline_has_passed(measures, client_for, mid_month):
    """Half a month of cases is not a fall in cases: a period still coming in is shown as in
    progress, with what has come in so far, and never as the headline."""
    m, w = measures, measures.world
    running = Period.containing(mid_month, Frequency.MONTH)
    for unit, value in ((w.unit_a, "100"), (w.unit_b, "50")):
        _figure(m.count, m.count_v1, unit, m.period.previous, value)
    _figure(m.count, m.count_v1, w.unit_a, m.period, "120")
    _figure(m.count, m.count_v1, w.unit_a, running, "7")
    aggregates.rebuild_all()

    # On the 5th, last month's deadline (the 10th) is still to come.
    with translation.override("en"):
        early = tile_of(dashboard.build(w.chain, today=running.start.replace(day=5)), m.count)
        previous_label = m.period.previous.label()
    assert early.period == m.period.previous and early.shown.value == "150 zaken"
    assert early.progress.in_progress.period == m.period
    assert early.shown.in_progress_value == "120 zaken"
    assert (early.shown.in_progress_reported, early.shown.in_progress_expected) == (1, 2)
    # The trend and the forecast stop at the headline too.
    assert early.sparkline.summary.endswith(f"to 150 zaken in {previous_label}")

    # On the 20th last month is the headline (provisional: unit B is missing) and this month runs.
    response = client_for(w.viewer).get(url(m))
    later = tile_of(response.context["dashboard"], m.count)
    assert later.period == m.period and later.progress.status == Status.PROVISIONAL
    assert later.progress.in_progress.period == running and later.shown.in_progress_value == "7 zaken"
    assert f"In progress: {running.label()}" in response.text
    assert "So far: 7 zaken" in response.text
    assert "(1 of 2 units so far; deadline " in response.text


def test_a_period_with_figures_only_in_progress_has_no_headline(measures, client_for, mid_month):
    m, w = measures, measures.world
    _figure(m.count, m.count_v1, w.unit_a, Period.containing(mid_month, Frequency.MONTH), "7")
    aggregates.rebuild_all()

    response = client_for(w.viewer).get(url(m))

    tile = tile_of(response.context["dashboard"], m.count)
    assert tile.period is None and tile.progress.status == Status.NO_DATA
    assert tile.progress.in_progress is not None and tile.sparkline is None
    assert "No figures yet for a period whose deadline has passed." in response.text


def test_a_change_between_different_sets_of_units_says_it_is_provisional(measures, client_for):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, m.period.previous, "200")
    enter_count(m, w.unit_a, m.period, "180")
    enter_count(m, w.unit_b, m.period, "120")  # unit B did not report the month before

    response = client_for(w.viewer).get(url(m))

    tile = tile_of(response.context["dashboard"], m.count)
    assert tile.progress.change_is_provisional
    assert tile.shown.change == (
        "+100 zaken (worse); provisional: not every unit reported under the same definition in both periods"
    )
    assert "provisional: not every unit reported" in response.text

    enter_count(m, w.unit_b, m.period.previous, "120")
    tile = tile_of(dashboard.build(w.chain), m.count)
    assert not tile.progress.change_is_provisional and tile.shown.change == "−20 zaken (better)"
