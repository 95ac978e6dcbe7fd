"""Stored progress reports survive change: every stored version of the snapshot still renders, a new
snapshot round-trips through its typed shape, and one made by a newer version is refused clearly."""

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.models import Indicator, ProgressReport, ReportCommentary
from ambitions.periods import Frequency, Period
from ambitions.services import reports
from ambitions.services.progress import Status
from ambitions.services.report_schema import SCHEMA_VERSION, NewerSnapshot, Snapshot, UnreadableSnapshot
from tests.measures import enter_count, enter_share

SEPTEMBER = Period(date(2026, 9, 1), Frequency.MONTH)


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def stored(measures, snapshot: dict) -> ProgressReport:
    """A report as it lies in the database, with ``snapshot`` exactly as it was stored."""
    w = measures.world
    report = ProgressReport.objects.create(
        chain=w.chain, frequency=Frequency.MONTH, period=SEPTEMBER.start, revision=1, snapshot=snapshot
    )
    report.chain = w.chain
    return report


def page(name: str, report: ProgressReport, query: str = "") -> str:
    return reverse(f"ambitions:{name}", args=[report.chain.slug, report.pk]) + query


def version_1(m, new_indicator: Indicator) -> dict:
    """A snapshot as build_snapshot stored it before snapshots had a version (commit faea287):
    no ``schema``; a planned indicator carries its report period even without figures (the count
    here); partners and units have no target of their own; an indicator without a definition in
    force has only its id, name and status. The ids are this database's."""
    w = m.world
    return {
        "period": "2026-09",
        "frequency": "month",
        "ambitions": [
            {
                "id": m.ambition.pk,
                "statement": "80% van alle zaken binnen 24 uur afgedaan",
                "horizon": "2027-06-30",
                "indicators": [
                    {
                        "id": m.share.pk,
                        "name": "Binnen 24 uur afgedaan",
                        "status": "off_track",
                        "period": "2026-09",
                        "version": 1,
                        "unit_label": "%",
                        "decimals": 1,
                        "direction": "higher",
                        "value": "50",
                        "target": "72.48780487804878048780487805",
                        "previous": "25",
                        "previous_period": "2026-08",
                        "change": "25",
                        "improving": True,
                        "reported": 2,
                        "late": 1,
                        "expected": 2,
                        "forecast": {"value": "91.2", "period": "2027-06"},
                        "organisations": [
                            {
                                "id": w.org_b.pk,
                                "name": "Openbaar Ministerie",
                                "value": "90",
                                "status": "on_track",
                                "reported": 1,
                                "expected": 1,
                                "late": 0,
                            },
                            {
                                "id": w.org_a.pk,
                                "name": "Politie",
                                "value": "10",
                                "status": "off_track",
                                "reported": 1,
                                "expected": 1,
                                "late": 1,
                            },
                        ],
                        "units": [
                            {
                                "id": w.unit_a.pk,
                                "name": "Eenheid Amsterdam",
                                "organisation": w.org_a.pk,
                                "value": "10",
                                "status": "off_track",
                            },
                            {
                                "id": w.unit_b.pk,
                                "name": "Parket Amsterdam",
                                "organisation": w.org_b.pk,
                                "value": "90",
                                "status": "on_track",
                            },
                        ],
                    },
                    {
                        "id": m.count.pk,
                        "name": "Zaken in voorraad",
                        "status": "no_data",
                        "period": "2026-09",
                        "version": 1,
                        "unit_label": "zaken",
                        "decimals": 0,
                        "direction": "lower",
                        "value": None,
                        "target": "314",
                        "previous": None,
                        "previous_period": "2026-08",
                        "change": None,
                        "improving": None,
                        "reported": 0,
                        "late": 0,
                        "expected": 2,
                        "forecast": None,
                        "organisations": [
                            {
                                "id": w.org_b.pk,
                                "name": "Openbaar Ministerie",
                                "value": None,
                                "status": "no_data",
                                "reported": 0,
                                "expected": 1,
                                "late": 0,
                            },
                            {
                                "id": w.org_a.pk,
                                "name": "Politie",
                                "value": None,
                                "status": "no_data",
                                "reported": 0,
                                "expected": 1,
                                "late": 0,
                            },
                        ],
                        "units": [],
                    },
                    {"id": new_indicator.pk, "name": "Doorlooptijd", "status": "no_data"},
                ],
            }
        ],
        "partners": [
            {"id": w.org_b.pk, "name": "Openbaar Ministerie", "reported": 1, "expected": 2, "late": 0},
            {"id": w.org_a.pk, "name": "Politie", "reported": 1, "expected": 2, "late": 1},
        ],
        "off_track": [
            {
                "id": w.unit_a.pk,
                "name": "Eenheid Amsterdam",
                "organisation": w.org_a.pk,
                "value": "10",
                "status": "off_track",
                "indicator": m.share.pk,
                "indicator_name": "Binnen 24 uur afgedaan",
                "target": "72.48780487804878048780487805",
                "unit_label": "%",
                "decimals": 1,
            }
        ],
    }


def version_2(m) -> dict:
    """A snapshot as build_snapshot stored it with ``schema: 2`` (commit 6fdd7ad): the headline
    of the share is August, September is in progress, the change is provisional; the count has no
    headline (no period, partners or units), only its measure; units have their own targets."""
    w = m.world
    return {
        "schema": 2,
        "period": "2026-09",
        "frequency": "month",
        "drafted_on": "2026-10-05",
        "ambitions": [
            {
                "id": m.ambition.pk,
                "statement": "80% van alle zaken binnen 24 uur afgedaan",
                "horizon": "2027-06-30",
                "indicators": [
                    {
                        "id": m.share.pk,
                        "name": "Binnen 24 uur afgedaan",
                        "status": "at_risk",
                        "in_progress": {
                            "period": "2026-09",
                            "value": "50",
                            "reported": 1,
                            "expected": 2,
                            "deadline": "2026-10-10",
                        },
                        "unit_label": "%",
                        "decimals": 1,
                        "direction": "higher",
                        "period": "2026-08",
                        "version": 1,
                        "value": "68",
                        "target": "71.1",
                        "previous": "60",
                        "previous_period": "2026-07",
                        "change": "8",
                        "change_is_provisional": True,
                        "improving": True,
                        "reported": 2,
                        "late": 0,
                        "expected": 2,
                        "forecast": None,
                        "organisations": [
                            {
                                "id": w.org_a.pk,
                                "name": "Politie",
                                "value": "66",
                                "target": "71.1",
                                "status": "at_risk",
                                "reported": 1,
                                "expected": 1,
                                "late": 0,
                            }
                        ],
                        "units": [
                            {
                                "id": w.unit_a.pk,
                                "name": "Eenheid Amsterdam",
                                "organisation": w.org_a.pk,
                                "value": "66",
                                "target": "71.1",
                                "status": "at_risk",
                            }
                        ],
                    },
                    {
                        "id": m.count.pk,
                        "name": "Zaken in voorraad",
                        "status": "no_data",
                        "in_progress": None,
                        "unit_label": "zaken",
                        "decimals": 0,
                        "direction": "lower",
                    },
                ],
            }
        ],
        "partners": [{"id": w.org_a.pk, "name": "Politie", "reported": 1, "expected": 1, "late": 0}],
        "off_track": [],
    }


def test_it_renders_a_stored_version_1_snapshot(measures, client_for):
    m, w = measures, measures.world
    new_indicator = Indicator.objects.create(ambition=m.ambition, name="Doorlooptijd", position=3)
    report = stored(m, version_1(m, new_indicator))

    response = client_for(w.viewer).get(page("report_detail", report))

    assert response.status_code == 200
    text = response.text
    rows = {row.indicator_id: row.shown for row in response.context["presented"].blocks[0].rows}
    share, count, new = rows[m.share.pk], rows[m.count.pk], rows[new_indicator.pk]
    assert (share.value, share.target, share.status_label) == ("50.0%", "72.5%", "Off track")
    assert share.period_label == SEPTEMBER.label()
    assert share.change == "+25.0 percentage points (better)"  # like with like: v1 never said otherwise
    assert share.forecast == f"At this pace: 91.2% by {Period.from_slug('2027-06').label()}"
    assert "2 of 2 units" in text
    # The count was planned but had no figures: its period, expected value and 0 of 2 units.
    assert (count.value, count.target, count.status) == ("—", "314 zaken", Status.NO_DATA)
    assert f'Zaken in voorraad <span class="kp-muted">({SEPTEMBER.label()})</span>' in text
    assert "0 of 2 units" in text
    assert (new.value, new.period_label, new.status_label) == ("—", "", "No data")
    assert "1 of 2, 1 late" in text  # Politie's completeness and timeliness
    assert "Eenheid Amsterdam" in text and "In progress" not in text

    variant = client_for(w.lead_a).get(page("report_detail", report, f"?organisatie={w.org_a.pk}"))
    row = next(r for r in variant.context["presented"].blocks[0].rows if r.indicator_id == m.share.pk)
    assert [(o.value, o.status) for o in row.organisation_rows] == [("10.0%", "off_track")]
    assert [(u.name, u.target) for u in row.unit_rows] == [("Eenheid Amsterdam", "")]  # v1: no own target

    pdf = client_for(w.viewer).get(page("report_pdf", report))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    # The programme manager can still comment on it.
    manager = client_for(w.manager)
    assert manager.get(page("report_commentary", report)).status_code == 200
    manager.post(page("report_commentary", report), {f"indicator-{m.share.pk}": "Oud rapport"})
    assert ReportCommentary.objects.get(report=report, indicator=m.share).text == "Oud rapport"


def test_it_renders_a_stored_version_2_snapshot(measures, client_for):
    m, w = measures, measures.world
    report = stored(m, version_2(m))

    response = client_for(w.viewer).get(page("report_detail", report))

    assert response.status_code == 200
    text = response.text
    august = Period.from_slug("2026-08").label()
    assert f'Binnen 24 uur afgedaan <span class="kp-muted">({august})</span>' in text
    assert "+8.0 percentage points (better); provisional: not every unit reported" in text
    assert f"In progress: {SEPTEMBER.label()}, so far 50.0% (1 of 2 units; deadline 10 October 2026)" in text
    count = next(r.shown for r in response.context["presented"].blocks[0].rows if r.indicator_id == m.count.pk)
    assert (count.value, count.period_label, count.target) == ("—", "", "")

    variant = client_for(w.lead_a).get(page("report_detail", report, f"?organisatie={w.org_a.pk}"))
    row = next(r for r in variant.context["presented"].blocks[0].rows if r.indicator_id == m.share.pk)
    assert [(u.name, u.value, u.target) for u in row.unit_rows] == [("Eenheid Amsterdam", "66.0%", "71.1%")]
    assert client_for(w.viewer).get(page("report_pdf", report)).status_code == 200


def test_it_types_an_old_snapshot_without_changing_what_is_stored(measures):
    m = measures
    data = version_1(m, Indicator.objects.create(ambition=m.ambition, name="Doorlooptijd"))
    before = copy.deepcopy(data)

    snapshot = Snapshot.from_json(data)

    assert data == before
    share = next(i for i in snapshot.indicators() if i.id == m.share.pk)
    assert share.progress.change_is_provisional is False and share.progress.in_progress is None
    assert share.progress.value == Decimal(50) and share.progress.period == SEPTEMBER
    assert all(u.target is None for u in share.units) and snapshot.drafted_on is None
    assert snapshot.to_json()["schema"] == SCHEMA_VERSION


def test_it_round_trips_a_new_snapshot_through_its_typed_shape(measures, mid_month_reports):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period.previous, "20", "100")
    enter_share(m, w.unit_a, m.period, "10", "100")
    enter_share(m, w.unit_b, m.period, "90", "100")
    enter_count(m, w.unit_a, Period(m.count_v1.baseline_period, Frequency.MONTH), "400")
    enter_count(m, w.unit_a, m.period, "300")
    enter_count(m, w.unit_a, m.period.next, "30")

    report, _ = reports.draft_report(w.chain, m.period)
    report.refresh_from_db()  # as it comes back from the database

    assert report.snapshot["schema"] == SCHEMA_VERSION
    typed = reports.snapshot_of(report)
    assert typed.to_json() == report.snapshot
    assert Snapshot.from_json(typed.to_json()) == typed
    assert typed == reports.build_snapshot(w.chain, m.period)
    assert any(u.target is not None for i in typed.indicators() for u in i.units)
    assert any(i.progress.change_is_provisional for i in typed.indicators())


@pytest.fixture
def mid_month_reports(monkeypatch):
    """Reports drafted on the 20th, past last month's deadline (as in test_reports.py)."""
    real = reports.chain_today
    today = real().replace(day=20)
    monkeypatch.setattr(reports, "chain_today", lambda now=None: real(now) if now else today)
    return today


@pytest.mark.parametrize(
    ("snapshot", "message"),
    [
        ({"schema": SCHEMA_VERSION + 1, "period": "2026-09", "sections": []}, "made by a newer version of the portal"),
        ({"schema": "two"}, "cannot be read"),
        ({"schema": 2, "period": "2026-09", "ambitions": [{"id": 1}]}, "cannot be read"),
    ],
)
def test_it_answers_a_snapshot_it_cannot_read_with_a_clear_page_not_a_server_error(
    measures, client_for, snapshot, message
):
    w = measures.world
    report = stored(measures, snapshot)

    for name, person in (
        ("report_detail", w.viewer),
        ("report_pdf", w.viewer),
        ("report_commentary", w.manager),
    ):
        response = client_for(person).get(page(name, report))
        assert response.status_code == 409, name
        assert message in response.text and "The report itself is kept unchanged" in response.text
    response = client_for(w.manager).post(page("report_commentary", report), {"ambition-1": "x"})
    assert response.status_code == 409 and not ReportCommentary.objects.exists()
    assert client_for(w.viewer).get(reverse("ambitions:report_list", args=[w.chain.slug])).status_code == 200
    report.refresh_from_db()
    assert report.snapshot == snapshot


def test_it_refuses_a_newer_version_before_any_upgrade():
    with pytest.raises(NewerSnapshot) as refused:
        Snapshot.from_json({"schema": SCHEMA_VERSION + 1})
    assert refused.value.version == SCHEMA_VERSION + 1
    with pytest.raises(UnreadableSnapshot):
        Snapshot.from_json([])


def test_it_reads_and_types_a_stored_snapshot_once_per_process(measures, client_for, mid_month_reports):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period, "10", "100")
    report, _ = reports.draft_report(w.chain, m.period)
    report.chain = w.chain
    client = client_for(w.viewer)

    def snapshot_reads(address: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return sum('"snapshot"' in q["sql"] for q in queries.captured_queries)

    assert snapshot_reads(page("report_detail", report)) == 1
    # Typed once: the page and the partner variant read it from the process, not the database.
    assert snapshot_reads(page("report_detail", report)) == 0
    assert snapshot_reads(page("report_detail", report, f"?organisatie={w.org_a.pk}")) == 0
    assert reports.snapshot_of(ProgressReport.objects.get(pk=report.pk)) is reports.snapshot_of(report)

    # A new revision is another report with its own snapshot, read from the database once.
    enter_share(m, w.unit_b, m.period, "90", "100")
    newer = reports.regenerate(report, by=w.manager)
    newer.chain = w.chain
    assert snapshot_reads(page("report_detail", newer)) == 1
    assert reports.snapshot_of(newer) != reports.snapshot_of(report)
    shown = client.get(page("report_detail", newer)).context["presented"].blocks[0].rows
    assert next(r.shown for r in shown if r.indicator_id == m.share.pk).value == "50.0%"
