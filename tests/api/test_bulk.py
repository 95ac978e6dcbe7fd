"""The bulk upsert: POST /api/figures/bulk/ and services.bulk.upsert_figures.

Every test that writes runs with both writers: COPY + set-based SQL (PostgreSQL) and the ORM's
bulk_create(update_conflicts=True) (the fallback elsewhere), which must write the same rows.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.test import Client
from django.urls import reverse

from ambitions.models import ChainAggregate, Figure, FigureChange, FigureSource, OrganisationAggregate
from ambitions.models.figures import HAS_DATA
from ambitions.services import bulk, submissions
from ambitions.services.entry import CellInput, save_cell
from stakeholders.models import ApiToken
from tests.api.problems import row_messages
from tests.conftest import in_english
from tests.factories import UnitFactory
from tests.measures import MISSING, Measures
from tests.services import have_postgres

BULK = reverse("ambitions-api:figure-bulk")


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture(params=["copy", "orm"])
def writer(request, monkeypatch) -> str:
    if request.param == "copy" and not have_postgres():
        pytest.skip("COPY needs PostgreSQL")
    monkeypatch.setattr(bulk, "use_copy", lambda: request.param == "copy")
    return request.param


def send(client: Client, rows: list, **extra):
    return client.post(BULK, json.dumps(rows), content_type="application/json", **extra)


def rows_for(m: Measures, periods, share=(3, 4), count=10, **extra) -> list[dict]:
    w = m.world
    rows = []
    for period in periods:
        for unit in (w.unit_a,):
            rows.append({"indicator": m.share.pk, "unit": unit.pk, "period": period.slug,
                         "numerator": share[0], "denominator": share[1], **extra})  # fmt: skip
            rows.append({"indicator": m.count.pk, "unit": unit.pk, "period": period.slug, "value": count, **extra})
    return rows


def assert_rollups_equal_the_raw_figures() -> None:
    has_data = HAS_DATA  # the model's one definition
    raw = {
        (row["indicator_id"], row["period"]): row
        for row in Figure.objects.values("indicator_id", "period").annotate(
            value_sum=Sum("value", filter=has_data),
            numerator_sum=Sum("numerator", filter=has_data),
            denominator_sum=Sum("denominator", filter=has_data),
            reported=Count("pk", filter=has_data),
            late=Count("pk", filter=has_data & Q(is_late=True)),
        )
    }
    for aggregate in ChainAggregate.objects.all():
        row = raw.get((aggregate.indicator_id, aggregate.period), {})
        for name in ("value_sum", "numerator_sum", "denominator_sum", "reported", "late"):
            assert getattr(aggregate, name) == (row.get(name) or 0), (aggregate, name)


def test_it_creates_updates_and_counts_unchanged_figures(measures, client_for, writer):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    periods = [m.period.shifted(-i) for i in range(3)]

    created = send(client, rows_for(m, periods))
    assert created.status_code == 200, created.content
    assert created.json() == {"created": 6, "updated": 0, "unchanged": 0}
    assert Figure.objects.filter(source=FigureSource.API, revision=1, entered_by=w.contributor_a).count() == 6

    rows = rows_for(m, periods)
    rows[1]["value"] = "12"  # the first period's count changes, as a canonical decimal string
    rows[2]["comment"] = "Herteld"
    again = send(client, rows)
    assert again.json() == {"created": 0, "updated": 2, "unchanged": 4}
    count = Figure.objects.get(indicator=m.count, period=periods[0].start)
    assert (count.value, count.revision) == (Decimal(12), 2)
    share = Figure.objects.get(indicator=m.share, period=periods[1].start)
    assert (share.value, share.comment, share.revision) == (75, "Herteld", 2)
    assert list(FigureChange.objects.filter(figure=count).values_list("revision", "value")) == [
        (2, Decimal(12)),
        (1, Decimal(10)),
    ]
    assert FigureChange.objects.count() == 8
    assert_rollups_equal_the_raw_figures()


def test_it_saves_nothing_when_one_row_is_refused_and_names_every_refused_row(measures, client_for, writer):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    send(client, rows_for(m, [m.period.previous]))
    before = list(ChainAggregate.objects.values_list("indicator_id", "period", "value_sum", "numerator_sum"))
    rows = rows_for(m, [m.period, m.period.previous], share=(5, 4), count=11)
    rows[1]["value"] = "veel"
    rows.append({"indicator": m.count.pk, "unit": w.unit_b.pk, "period": m.period.slug, "value": 1})
    rows.append("not a row")

    response = send(client, rows)

    assert response.status_code == 400
    body = response.json()
    assert body["error_count"] == 5
    errors = row_messages(body)
    assert "cannot be greater than the denominator" in errors[0]["numerator"][0]
    assert "Send a JSON number" in errors[1]["value"][0]
    assert "cannot be greater than the denominator" in errors[2]["numerator"][0]
    assert "Openbaar Ministerie" in errors[4]["unit"][0]
    assert "object" in errors[5]["non_field_errors"][0]
    assert 3 not in errors
    assert Figure.objects.count() == 2
    assert FigureChange.objects.count() == 2
    assert list(ChainAggregate.objects.values_list("indicator_id", "period", "value_sum", "numerator_sum")) == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"numerator": -1}, "numerator", "cannot be negative"),
        ({"denominator": 0, "numerator": 0}, "denominator", "cannot be zero"),
        ({"denominator": None}, "denominator", "both the numerator and the denominator"),
        ({"value": 3}, "value", "is a ratio"),
        ({"numerator": 1e15, "denominator": 1e16}, "numerator", "too large"),
        ({"period": "2026-13"}, "period", "2026-K1"),
        ({"period": "2019-01"}, "non_field_errors", "no adopted definition"),
        ({"indicator": "share"}, "indicator", "id of the indicator"),
        ({"revision": -1}, "revision", "whole number"),
        ({"nummer": 1}, "nummer", "Unknown field"),
    ],
)
def test_it_applies_the_rules_of_a_single_figure_to_every_row(measures, client_for, change, field, message):
    m, w = measures, measures.world
    rows = rows_for(m, [m.period])
    rows[0].update(change)
    response = send(client_for(w.contributor_a), rows)
    assert response.status_code == 400
    assert list(row_messages(response.json())) == [0]
    assert message in row_messages(response.json())[0][field][0]
    assert not Figure.objects.exists()


def test_it_refuses_cells_that_cannot_take_a_figure(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period.previous, CellInput(value="10"))
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period.previous, MISSING)
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period.previous, MISSING)
    elsewhere = UnitFactory(organisation=w.org_a, name="Eenheid Noord")
    rows = [
        {"indicator": m.count.pk, "unit": elsewhere.pk, "period": m.period.slug, "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.shifted(3).slug, "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.previous.slug, "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.slug, "value": 20000},
        {"indicator": m.other_indicator.pk, "unit": w.unit_a.pk, "period": m.period.slug, "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_c.pk, "period": m.period.slug, "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.start.isoformat(), "value": 1},
        {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.start.replace(day=2).isoformat()},
        {"indicator": m.share.pk, "unit": w.unit_a.pk, "period": m.period.slug, "numerator": 1, "denominator": 2},
    ]
    response = send(client_for(w.contributor_a), rows)
    assert response.status_code == 400
    errors = row_messages(response.json())
    assert "does not report" in errors[0]["non_field_errors"][0]
    assert "can be entered from" in errors[1]["non_field_errors"][0]
    assert "approved and locked" in errors[2]["non_field_errors"][0]
    assert "add a comment" in errors[3]["comment"][0]
    assert "no indicator with this id that you can see" in errors[4]["indicator"][0]
    assert "no unit with this id that you can see" in errors[5]["unit"][0]
    assert "Row 3 is for this cell already" in errors[6]["non_field_errors"][0]
    assert "not the first day of a period" in errors[7]["period"][0]
    assert 8 not in errors
    assert Figure.objects.count() == 1


def test_a_stale_revision_refuses_the_request_with_a_409(measures, client_for, writer):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    send(client, rows_for(m, [m.period]))
    save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="11"))
    rows = rows_for(m, [m.period], count=12, revision=1)
    rows.append({"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.previous.slug, "value": 1,
                 "revision": 0})  # fmt: skip

    response = send(client, rows)

    assert response.status_code == 409
    assert {row: list(fields) for row, fields in row_messages(response.json()).items()} == {1: ["revision"]}
    assert "revision 2 now" in row_messages(response.json())[1]["revision"][0]
    assert Figure.objects.get(indicator=m.count, period=m.period.start).value == 11
    assert not Figure.objects.filter(period=m.period.previous.start).exists()
    rows[1]["revision"] = 2
    assert send(client, rows).json() == {"created": 1, "updated": 1, "unchanged": 1}


def test_it_keeps_the_roll_ups_equal_to_the_raw_figures(measures, client_for, writer):
    m, w = measures, measures.world
    periods = [m.period.shifted(-i) for i in range(4)]
    send(client_for(w.contributor_a), rows_for(m, periods, share=(3, 4), count=10))
    send(client_for(w.lead_b), [{**row, "unit": w.unit_b.pk} for row in rows_for(m, periods, share=(1, 4), count=5)])
    assert_rollups_equal_the_raw_figures()
    chain = ChainAggregate.objects.get(indicator=m.share, period=m.period.start)
    assert chain.value(m.share_v1) == 50  # (3 + 1) / (4 + 4), not the average of 75% and 25%

    rows = rows_for(m, periods[:2], share=(None, None), count=7)  # empty two shares, change two counts
    assert send(client_for(w.contributor_a), rows).json() == {"created": 0, "updated": 4, "unchanged": 0}
    assert_rollups_equal_the_raw_figures()
    organisation = OrganisationAggregate.objects.get(indicator=m.share, period=m.period.start, organisation=w.org_a)
    assert (organisation.reported, organisation.numerator_sum) == (0, 0)
    assert ChainAggregate.objects.get(indicator=m.count, period=m.period.start).value_sum == 12


def test_a_first_report_after_the_deadline_is_late_and_a_correction_keeps_its_timeliness(measures, writer):
    m, w = measures, measures.world
    period = m.period.shifted(-1)
    on_time = period.end + timedelta(days=5)
    late = period.end + timedelta(days=20)
    row = {"indicator": m.count.pk, "unit": w.unit_a.pk, "period": period.slug, "value": 1}
    other = {**row, "unit": w.unit_b.pk}

    bulk.upsert_figures(w.admin, [row, {**other, "value": None}], today=on_time)
    bulk.upsert_figures(w.admin, [{**row, "value": 2}, {**other, "value": 3}], today=late)

    figures = dict(Figure.objects.filter(period=period.start).values_list("unit_id", "is_late"))
    assert figures == {w.unit_a.pk: False, w.unit_b.pk: True}
    assert ChainAggregate.objects.get(indicator=m.count, period=period.start).late == 1
    bulk.upsert_figures(w.admin, [{**other, "value": None}], today=late)
    assert not Figure.objects.get(unit=w.unit_b, period=period.start).is_late


def test_an_api_connections_token_writes_only_its_organisations_units(measures):
    m, w = measures, measures.world
    _token, key = ApiToken.issue(w.contributor_a, expires_at=None)
    client = in_english(Client(headers={"Authorization": f"Token {key}"}))
    mine = rows_for(m, [m.period])
    assert send(client, mine).json() == {"created": 2, "updated": 0, "unchanged": 0}
    theirs = [{**row, "unit": w.unit_b.pk} for row in mine]
    response = send(client, theirs)
    assert response.status_code == 400
    assert {row: list(fields) for row, fields in row_messages(response.json()).items()} == {0: ["unit"], 1: ["unit"]}
    assert not Figure.objects.filter(unit=w.unit_b).exists()


def test_it_refuses_what_is_not_a_list_of_figures_or_too_much(measures, client_for, monkeypatch):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    assert send(client, {"indicator": m.count.pk}).status_code == 400
    assert client.post(BULK, "[{", content_type="application/json").status_code == 400
    assert client.post(BULK, {"rows": "1"}).status_code == 415
    assert send(client, []).json() == {"created": 0, "updated": 0, "unchanged": 0}
    monkeypatch.setattr(bulk, "MAX_ROWS", 1)
    response = send(client, rows_for(m, [m.period]))
    assert response.status_code == 400
    assert "at most 1 rows" in response.json()["detail"]
    monkeypatch.setattr("ambitions.api.views.BulkJSONParser.max_bytes", 100)
    assert send(client, rows_for(m, [m.period])).status_code == 413
    assert not Figure.objects.exists()


def test_it_takes_more_than_the_site_wide_upload_limit(measures, client_for, settings):
    m, w = measures, measures.world
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = rows_for(m, [m.period.shifted(-i) for i in range(30)])
    assert len(json.dumps(rows)) > 1000
    assert send(client_for(w.contributor_a), rows).json()["created"] == 60


def test_it_answers_in_a_constant_number_of_queries(measures, client_for, django_assert_max_num_queries):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    with django_assert_max_num_queries(40) as few:
        send(client, rows_for(m, [m.period]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert send(client, rows_for(m, [m.period.shifted(-i) for i in range(1, 25)])).json()["created"] == 48


def test_deleting_a_figure_deletes_its_history(measures, client_for, writer):
    # FigureChange.figure has no constraint in the database (ambitions/models/figures.py): the cascade is Django's.
    m, w = measures, measures.world
    send(client_for(w.contributor_a), rows_for(m, [m.period]))
    figure = Figure.objects.get(indicator=m.count)
    figure.delete()
    assert list(FigureChange.objects.values_list("figure_id", flat=True)) == [Figure.objects.get().pk]


@pytest.mark.skipif(not have_postgres(), reason="planner settings are PostgreSQL's")
def test_the_writes_planner_settings_end_with_the_write(measures):
    """The write joins through the indexes (write_postgres._WRITE_PLAN, SET LOCAL); whatever the
    same connection runs next in the request is planned as usual."""
    from django.db import connection, transaction

    m, w = measures, measures.world

    def shown() -> list[str]:
        with connection.cursor() as cursor:
            return [cursor.execute(f"SHOW {name}").fetchone()[0] for name in bulk.write_postgres._WRITE_PLAN]

    before = shown()
    with transaction.atomic():
        result = bulk.upsert_figures(w.contributor_a, rows_for(m, [m.period]))
        assert shown() == before  # within the same transaction, right after the write
    assert (result.created, shown()) == (2, before)
