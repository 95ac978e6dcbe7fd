"""The forecast on an early warning's chart (issue 15, point 2): a dotted line from the chain's
last value to the forecast at the ambition's horizon, named in the legend, and the chart's numbers
as a table (its text alternative, rendered on the server: no script needed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ambitions.services.display import NumberFormat
from ambitions.services.progress import Measure
from governance.models.early_warnings import EarlyWarning
from governance.services import early_warning_page
from tests.governance.test_early_warning_pages import warning  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def loaded(pk: int) -> EarlyWarning:
    return EarlyWarning.objects.select_related("indicator__ambition", "version").get(pk=pk)


def test_the_chart_runs_on_to_the_horizon_with_the_forecast(warning):  # noqa: F811
    page = early_warning_page.build(loaded(warning.pk))
    chart = page.chart
    assert chart is not None and len(chart.forecast) == 1
    start, end = chart.forecast[0].split(" ")
    last_dot = ",".join(chart.dots[-1])
    assert start == last_dot  # from the last reported value
    assert end == ",".join(chart.forecast_dot)
    assert float(chart.forecast_dot[0]) == chart.plot_right  # the horizon is the last period drawn
    assert chart.x_ticks[-1][1] == warning.forecast_period_obj.short_label()

    measure, fmt = Measure.of(warning.version), NumberFormat()
    horizon = page.rows[-1]
    assert horizon.period == warning.forecast_period_obj.label()
    assert horizon.forecast == fmt.with_unit(warning.forecast_value, measure) and horizon.value == ""
    assert all(row.value and not row.forecast for row in page.rows[:-1])


def test_the_page_names_the_forecast_line_and_lists_the_numbers(warning, measures, client_for):  # noqa: F811
    response = client_for(measures.world.viewer).get(warning.get_absolute_url())
    text = response.text
    assert 'class="kp-chart__forecast"' in text and 'class="kp-chart__forecast-dot"' in text
    assert "Forecast at this pace (dotted line to an open circle)" in text
    table = text.split('id="warning-chart-table"')[1].split("</table>")[0]
    forecast = NumberFormat().with_unit(warning.forecast_value, Measure.of(warning.version))
    assert warning.forecast_period_obj.label() in table and forecast in table
    assert "<script" not in text.split('id="chart-heading"')[1].split("</section>")[0]


def test_a_horizon_within_the_window_gets_no_forecast_line(warning):  # noqa: F811
    warning.forecast_period = warning.period  # as if the horizon had been reached
    page = early_warning_page.build(warning)
    assert page.chart is not None and page.chart.forecast == [] and page.chart.forecast_dot is None
    assert page.rows and not any(row.forecast for row in page.rows)


def test_the_indicator_page_chart_has_no_forecast_line(measures, client_for):
    url = reverse("ambitions:indicator_detail", args=[measures.world.chain.slug, measures.share.pk])
    response = client_for(measures.world.viewer).get(url)
    assert response.status_code == 200 and 'role="img"' in response.text
    assert "kp-chart__forecast" not in response.text
