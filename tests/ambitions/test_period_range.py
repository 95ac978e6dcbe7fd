"""Periods and dates outside 2000–2100 are refused in every channel with a clear answer, never a
500 or a stored year 9999 (the one rule lives in ambitions/periods.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from ambitions.models import Ambition, Indicator, ProgressReport
from ambitions.periods import OutOfRange, Period, check_date, validate_in_range
from ambitions.services import bulk
from tests.ambitions.test_setup import version_data
from tests.measures import Measures

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "Give a period or date between 2000 and 2100."


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.mark.parametrize("slug", ["0001-01", "9999-12", "9999-K4", "1999", "1999-12", "2101-01", "0000"])
def test_it_refuses_a_period_outside_the_range(slug):
    with pytest.raises(OutOfRange):
        Period.from_slug(slug)


@pytest.mark.parametrize("slug", ["2000-01", "2000-K1", "2000", "2100-12", "2100-K4", "2100"])
def test_it_accepts_the_range_edges(slug):
    period = Period.from_slug(slug)
    assert period.slug == slug
    assert period.end.year == int(slug[:4])  # its neighbours stay within what a date holds


def test_out_of_range_is_a_value_error_so_every_existing_refusal_still_catches_it():
    with pytest.raises(ValueError, match="9999-12"):
        Period.from_slug("9999-12")


@pytest.mark.parametrize(
    ("day", "ok"),
    [(date(1999, 12, 31), False), (date(2000, 1, 1), True), (date(2100, 12, 31), True), (date(9999, 12, 1), False)],
)
def test_dates_share_the_range(day, ok):
    if ok:
        assert check_date(day) == day
        validate_in_range(day)
    else:
        with pytest.raises(OutOfRange):
            check_date(day)
        with translation.override("en"), pytest.raises(ValidationError, match="between 2000 and 2100"):
            validate_in_range(day)


# --- Query parameters: the indicator page and its export ----------------------------------------------


@pytest.mark.parametrize("tot", ["0001-01", "9999-12", "9999-K4"])
def test_the_indicator_page_explains_a_window_outside_the_range_at_the_field(measures: Measures, client_for, tot):
    m = measures
    response = client_for(m.world.viewer).get(
        reverse("ambitions:indicator_detail", args=[m.world.chain.slug, m.share.pk]) + f"?tot={tot}"
    )

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.text
    assert 'aria-invalid="true" aria-describedby="id_tot_error"' in response.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("tot", ["0001-01", "9999-12", "gisteren"])
def test_the_export_answers_400_for_a_window_it_cannot_read(measures: Measures, client_for, fmt, tot):
    m = measures
    response = client_for(m.world.viewer).get(
        reverse("ambitions:indicator_export", args=[m.world.chain.slug, m.share.pk, fmt]) + f"?tot={tot}"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() in (RANGE_MESSAGE, "Choose a period from the list.")


# --- Forms: report drafts, version periods, the ambition's horizon --------------------------------------


@pytest.mark.parametrize("period", ["0001-01", "9999-12", "1999-12"])
def test_a_report_draft_outside_the_range_is_refused_at_the_field(measures: Measures, client_for, period):
    response = client_for(measures.world.manager).post(
        reverse("ambitions:report_draft", args=[measures.world.chain.slug]), {"period": period}
    )

    assert response.status_code == 422
    assert RANGE_MESSAGE in response.text
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("field", ["effective_from", "baseline_period", "target_period"])
@pytest.mark.parametrize("value", ["9999-12", "9999-12-01", "0001-01"])
def test_a_version_period_outside_the_range_is_refused_at_the_field(measures: Measures, client_for, field, value):
    w = measures.world
    response = client_for(w.manager).post(
        reverse("ambitions:indicator_create", args=[w.chain.slug, measures.ambition.pk]),
        {"name": "Binnen 48 uur", **version_data(w, **{field: value})},
    )

    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.text
    assert RANGE_MESSAGE in response.text
    assert not Indicator.objects.filter(name="Binnen 48 uur").exists()


@pytest.mark.parametrize("horizon", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_an_ambitions_horizon_outside_the_range_is_refused_at_the_field(world, client_for, horizon):
    response = client_for(world.manager).post(
        reverse("ambitions:ambition_create", args=[world.chain.slug]),
        {"statement": "Minder recidive", "societal_interest": "", "horizon": horizon, "position": "1"},
    )

    assert response.status_code == 422
    assert 'id="id_horizon_error"' in response.text
    assert RANGE_MESSAGE in response.text
    assert not Ambition.objects.filter(statement="Minder recidive").exists()


# --- The API's period parser (filters and the bulk upsert) and a command ----------------------------------


@pytest.mark.parametrize("text", ["9999-12", "9999-K4", "0001-01", "9999-12-01", "0001-01-01"])
def test_the_api_period_parser_refuses_the_range(text):
    with pytest.raises(OutOfRange):
        bulk.parse_period(text)


@pytest.mark.parametrize("query", ["period_to=9999-K4", "period_from=0001-01", "period=9999-12"])
def test_the_figure_filters_answer_400_outside_the_range(measures: Measures, client_for, query):
    response = client_for(measures.world.viewer).get(f"/api/figures/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")  # RFC 9457, ketenportaal/api.py
    name = query.split("=")[0]
    assert [error["parameter"] for error in response.json()["errors"]] == [name]


def test_the_benchmark_command_refuses_periods_before_2000():
    expected = "--periods" if connection.vendor == "postgresql" else "PostgreSQL"
    with pytest.raises(CommandError, match=expected):
        call_command("build_national_dataset", "--periods", "400", "--chains", "0")
