"""Progress reports: the frozen snapshot, revisions, commentary, publication, the calendar and pages."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ambitions.models import ProgressReport, ReportCommentary, ReportStatus
from ambitions.periods import Frequency, Period
from ambitions.services import progress, reports
from ambitions.services.reports import ReportRefused
from stakeholders.models import Notification
from tests.measures import enter_count, enter_share


def indicator_entry(report: ProgressReport, indicator) -> dict:
    return next(i for a in report.snapshot["ambitions"] for i in a["indicators"] if i["id"] == indicator.pk)


@pytest.fixture(autouse=True)
def mid_month(monkeypatch):
    """Reports are drafted on the 20th of this month, so last month (``m.period``) is past its
    ten-day deadline, and the headline, on whatever day the suite runs. chain_today(now) with a
    moment still reads the clock of that moment (the calendar tests)."""
    real = reports.chain_today
    today = real().replace(day=20)
    monkeypatch.setattr(reports, "chain_today", lambda now=None: real(now) if now else today)
    return today


@pytest.fixture
def filled(measures):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period.previous, "20", "100")
    enter_share(m, w.unit_b, m.period.previous, "30", "100")
    enter_share(m, w.unit_a, m.period, "10", "100")  # far behind the trajectory
    enter_share(m, w.unit_b, m.period, "90", "100")
    enter_count(m, w.unit_a, m.period, "300")
    return m


def test_the_snapshot_holds_value_target_status_change_and_partners(filled):
    m, w = filled, filled.world
    report, created = reports.draft_report(w.chain, m.period, by=w.manager)

    assert created and report.revision == 1 and report.status == ReportStatus.DRAFT
    entry = indicator_entry(report, m.share)
    # (10 + 90) / (100 + 100) × 100, never an average of percentages
    assert Decimal(entry["value"]) == 50
    assert Decimal(entry["previous"]) == 25
    assert Decimal(entry["change"]) == 25
    assert entry["target"] is not None
    assert entry["reported"] == 2 and entry["expected"] == 2
    assert entry["change_is_provisional"] is False  # both units reported both months
    assert entry["in_progress"] is None
    assert report.snapshot["schema"] == reports.SNAPSHOT_SCHEMA
    names = {o["name"]: o for o in entry["organisations"]}
    assert Decimal(names["Politie"]["value"]) == 10
    assert Decimal(names["Openbaar Ministerie"]["value"]) == 90
    partners = {p["name"]: p for p in report.snapshot["partners"]}
    assert partners["Politie"]["reported"] == 2 and partners["Politie"]["expected"] == 2  # share + count
    assert partners["Openbaar Ministerie"]["reported"] == 1
    assert [u["name"] for u in report.snapshot["off_track"]][:1] == ["Eenheid Amsterdam"]


def test_the_snapshot_has_a_forecast_and_costs_a_fixed_number_of_queries(measures, django_assert_max_num_queries):
    m, w = measures, measures.world
    for steps, numerator in enumerate((40, 35, 30, 25)):
        enter_share(m, w.unit_a, m.period.shifted(-steps), str(numerator), "100")

    # Ambitions, indicators, versions, units per partner, chain and partner roll-ups, unit figures.
    with django_assert_max_num_queries(7):
        snapshot = reports.build_snapshot(w.chain, m.period)

    entry = next(i.progress for i in snapshot.indicators() if i.id == m.share.pk)
    assert entry.forecast is not None and entry.forecast.period.slug == "2027-06"
    assert entry.improving is True


def test_later_figures_do_not_alter_a_drafted_report_and_regenerate_keeps_the_old_revision(filled):
    m, w = filled, filled.world
    first, _ = reports.draft_report(w.chain, m.period)
    frozen = first.snapshot

    enter_share(m, w.unit_a, m.period, "90", "100")  # changed after drafting
    again, created = reports.draft_report(w.chain, m.period)
    first.refresh_from_db()

    assert not created and again.pk == first.pk
    assert first.snapshot == frozen
    assert Decimal(indicator_entry(first, m.share)["value"]) == 50

    second = reports.regenerate(first, by=w.manager)
    first.refresh_from_db()
    assert second.revision == 2 and Decimal(indicator_entry(second, m.share)["value"]) == 90
    assert first.snapshot == frozen
    assert ProgressReport.objects.filter(chain=w.chain).count() == 2


def test_regenerate_carries_the_commentary_over(filled):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)
    reports.save_commentary(report, w.manager, {m.ambition.pk: "Op koers"}, {m.share.pk: "Politie loopt achter"})

    second = reports.regenerate(report, by=w.manager)

    assert reports.commentary_of(second) == ({m.ambition.pk: "Op koers"}, {m.share.pk: "Politie loopt achter"})


def test_publishing_notifies_every_member_once_and_refuses_a_second_publication_and_edits(filled):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)

    reports.publish(report, by=w.manager)
    report.refresh_from_db()

    assert report.status == ReportStatus.PUBLISHED and report.published_by == w.manager
    notified = set(Notification.objects.filter(key=f"report-published:{report.pk}").values_list("person", flat=True))
    assert {w.viewer.pk, w.contributor_a.pk, w.lead_a.pk, w.lead_b.pk, w.manager.pk} <= notified
    assert w.outsider.pk not in notified
    with translation.override("en"), pytest.raises(ReportRefused, match="already been published"):
        reports.publish(report, by=w.manager)
    with translation.override("en"), pytest.raises(ReportRefused, match="can no longer be changed"):
        reports.save_commentary(report, w.manager, {m.ambition.pk: "Later"}, {})
    assert not ReportCommentary.objects.filter(report=report).exists()


def test_publishing_an_older_revision_is_refused(filled):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)
    reports.regenerate(report, by=w.manager)

    with translation.override("en"), pytest.raises(ReportRefused, match="newer revision"):
        reports.publish(report, by=w.manager)


def test_commentary_ignores_subjects_outside_the_report(filled):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)

    reports.save_commentary(report, w.manager, {m.other_ambition.pk: "x"}, {m.other_indicator.pk: "y"})

    assert not ReportCommentary.objects.exists()


# --- The reporting calendar --------------------------------------------------------------------


def test_the_report_day_counts_working_days_after_the_period():
    # September 2026 ends on a Wednesday; the 10th working day after it is Wednesday 14 October.
    assert reports.report_day(Period(date(2026, 9, 1), Frequency.MONTH), 10) == date(2026, 10, 14)
    # Q1 2026 ends Tuesday 31 March: working day 1 is Wednesday 1 April.
    assert reports.report_day(Period(date(2026, 1, 1), Frequency.QUARTER), 1) == date(2026, 4, 1)
    # A period ending on a Friday: working day 1 is the Monday after.
    assert reports.report_day(Period(date(2026, 7, 1), Frequency.MONTH), 1) == date(2026, 8, 3)


@pytest.mark.parametrize(
    ("start", "end", "working_day", "expected"),
    [
        # Summer time starts on Sunday 29 March 2026 (02:00 → 03:00).
        (
            datetime(2026, 3, 20, tzinfo=UTC),
            datetime(2026, 4, 20, tzinfo=UTC),
            20,
            {"2026-02": date(2026, 3, 27)},
        ),
        # Summer time ends on Sunday 25 October 2026 (03:00 → 02:00); the 18th working day after
        # September is Monday 26 October, the first day after the change.
        (
            datetime(2026, 10, 20, tzinfo=UTC),
            datetime(2026, 11, 5, tzinfo=UTC),
            18,
            {"2026-09": date(2026, 10, 26)},
        ),
    ],
)
def test_a_daylight_saving_change_neither_skips_nor_doubles_a_run(start, end, working_day, expected):
    """An hourly beat (every half hour here) across the change drafts each period exactly once,
    on its report day in Amsterdam, whatever the UTC offset that day."""

    class FakeChain:
        reporting_frequency = Frequency.MONTH
        report_working_day = working_day

    drafted: dict[str, list[date]] = {}
    moment = start
    while moment < end:
        today = reports.chain_today(moment)
        period = reports.due_period(FakeChain, today)
        if period is not None and period.slug not in drafted:
            drafted[period.slug] = [today]
        elif period is not None:
            pass  # the report exists: the unique key makes the run a no-op
        moment += timedelta(minutes=30)

    first_days = {slug: days[0] for slug, days in drafted.items()}
    for slug, day in expected.items():
        assert first_days.get(slug) == day, (slug, first_days)
    # The day a run first finds a period due is its report day, never a day early or late,
    # even when the UTC instant of local midnight shifted by an hour.
    for slug, day in first_days.items():
        assert day == reports.report_day(Period.from_slug(slug), working_day)


def test_the_local_date_follows_amsterdam_across_the_change():
    # 22:30 UTC on Saturday 28 March is 23:30 CET (Saturday); 22:30 UTC on Sunday 29 March is 00:30 CEST (Monday).
    assert reports.chain_today(datetime(2026, 3, 28, 22, 30, tzinfo=UTC)) == date(2026, 3, 28)
    assert reports.chain_today(datetime(2026, 3, 29, 22, 30, tzinfo=UTC)) == date(2026, 3, 30)
    # 23:30 UTC on Sunday 25 October is 00:30 CET on Monday 26 October.
    assert reports.chain_today(datetime(2026, 10, 25, 22, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert reports.chain_today(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == date(2026, 10, 26)


def test_draft_due_reports_drafts_the_due_period_once(measures, monkeypatch):
    from ambitions import tasks

    w = measures.world
    monkeypatch.setattr(reports, "chain_today", lambda now=None: date(2026, 10, 26))
    w.chain.report_working_day = 18
    w.chain.save()

    assert tasks.draft_due_reports() == 2  # both chains' September reports
    assert tasks.draft_due_reports() == 0
    report = ProgressReport.objects.get(chain=w.chain)
    assert report.period == date(2026, 9, 1) and report.drafted_by is None
    # The other chain's report (working day 10 by default) is due too, but only once.
    assert ProgressReport.objects.filter(chain=w.other_chain).count() == 1


def test_the_beat_schedule_runs_draft_due_reports():
    entry = settings.CELERY_BEAT_SCHEDULE["draft-due-reports"]
    assert entry["task"] == "ambitions.tasks.draft_due_reports"


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def page(name: str, report: ProgressReport | None = None, chain: str = "zsm") -> str:
    return reverse(f"ambitions:{name}", args=[chain] if report is None else [chain, report.pk])


SCRIPT = '<script>alert("x")</script> & <b>bold</b>'


def pdf_text(content: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)


def test_the_report_page_shows_the_snapshot_and_commentary_as_text(filled, client_for, django_assert_max_num_queries):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)
    reports.save_commentary(report, w.manager, {m.ambition.pk: SCRIPT}, {m.share.pk: "Line one\nline two"})

    client = client_for(w.viewer)
    with django_assert_max_num_queries(20):
        response = client.get(page("report_detail", report))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "Line one<br>line two" in html
    assert "Binnen 24 uur afgedaan" in html and "50.0%" in html
    assert "Eenheid Amsterdam" in html  # furthest off track
    assert "Write commentary" not in html  # a viewer takes no steps


def test_the_pdf_has_the_same_content_and_shows_commentary_as_text(filled, client_for):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)
    reports.save_commentary(report, w.manager, {m.ambition.pk: SCRIPT}, {})

    response = client_for(w.viewer).get(page("report_pdf", report))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert '<script>alert("x")</script> & <b>bold</b>' in text
    assert "Binnen 24 uur afgedaan" in text and "50.0%" in text
    assert "Completeness and timeliness per partner" in text


def test_the_partner_variant_shows_its_organisation_and_units_beside_the_chain(filled, client_for):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)

    response = client_for(w.lead_a).get(page("report_detail", report) + f"?organisatie={w.org_a.pk}")

    assert response.status_code == 200
    presented = response.context["presented"]
    assert presented.organisation.name == "Politie"
    row = next(r for r in presented.blocks[0].rows if r.indicator_id == m.share.pk)
    assert row.shown.value == "50.0%" and [o.value for o in row.organisation_rows] == ["10.0%"]
    assert [u.name for u in row.unit_rows] == ["Eenheid Amsterdam"]
    assert "Parket Amsterdam" not in {u.name for r in presented.blocks[0].rows for u in r.unit_rows}
    pdf = client_for(w.lead_a).get(page("report_pdf", report) + f"?organisatie={w.org_a.pk}")
    assert "Politie" in pdf_text(pdf.content)
    # An organisation that is not in the report is not found.
    assert client_for(w.lead_a).get(page("report_detail", report) + f"?organisatie={w.org_c.pk}").status_code == 404
    assert client_for(w.lead_a).get(page("report_detail", report) + "?organisatie=x").status_code == 404


def test_a_manager_drafts_on_demand_writes_commentary_and_publishes(filled, client_for):
    m, w = filled, filled.world
    client = client_for(w.manager)

    response = client.post(page("report_draft"), {"period": m.period.slug})
    report = ProgressReport.objects.get(chain=w.chain)
    assert response.status_code == 302 and response["Location"] == page("report_detail", report)
    assert report.drafted_by == w.manager

    response = client.post(page("report_commentary", report), {f"ambition-{m.ambition.pk}": "Goed bezig"})
    assert response.status_code == 302
    assert reports.commentary_of(report)[0] == {m.ambition.pk: "Goed bezig"}

    response = client.post(page("report_publish", report), follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert "has been published and every member" in response.content.decode()

    # Publishing again and editing a published report are refused with a clear message.
    response = client.post(page("report_publish", report), follow=True)
    assert "This report has already been published." in response.content.decode()
    response = client.post(page("report_commentary", report), {f"ambition-{m.ambition.pk}": "Later"}, follow=True)
    assert "its commentary can no longer be changed" in response.content.decode()
    assert reports.commentary_of(report)[0] == {m.ambition.pk: "Goed bezig"}

    # Regenerating makes revision 2, a draft; revision 1 stays published.
    response = client.post(page("report_regenerate", report))
    second = ProgressReport.objects.get(chain=w.chain, revision=2)
    assert response["Location"] == page("report_detail", second) and second.status == ReportStatus.DRAFT
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("nonsense", "Write the period as 2026-03, 2026-K1 or 2026."),
        ("2026-K1", "This chain reports monthly"),
        ("2099-01", "only be drafted for a period that has ended"),
    ],
)
def test_a_bad_period_is_refused_at_the_field(measures, client_for, period, message):
    response = client_for(measures.world.manager).post(page("report_draft"), {"period": period})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_the_list_shows_every_revision(filled, client_for, django_assert_max_num_queries):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)
    reports.regenerate(report, by=w.manager)

    client = client_for(w.manager)
    with django_assert_max_num_queries(20):
        response = client.get(page("report_list"))

    assert response.status_code == 200
    assert len(response.context["reports"]) == 2
    assert "Draft a report now" in response.content.decode()


def test_reports_of_another_chain_are_not_found(filled, client_for):
    m, w = filled, filled.world
    report, _ = reports.draft_report(w.chain, m.period)

    assert client_for(w.manager).get(page("report_detail", report, chain="jeugd")).status_code == 404


# --- Honest headlines and units judged against their own expectation ------------------------------


def test_a_period_whose_deadline_has_not_passed_is_in_progress_not_the_headline(filled, mid_month):
    m, w = filled, filled.world
    early = mid_month.replace(day=5)  # last month's deadline (the 10th) is still to come

    snapshot = reports.build_snapshot(w.chain, m.period, today=early)

    entry = next(i.progress for i in snapshot.indicators() if i.id == m.share.pk)
    assert entry.period == m.period.previous
    assert entry.value == 25  # (20 + 30) / 200
    assert entry.in_progress.period == m.period
    assert entry.in_progress.value == 50
    assert (entry.in_progress.reported, entry.in_progress.expected) == (2, 2)
    assert entry.in_progress.deadline == m.period.end + timedelta(days=10)
    # The count has figures for last month only: nothing for a headline yet, only progress.
    count = next(i.progress for i in snapshot.indicators() if i.id == m.count.pk)
    assert count.period is None and count.status == progress.Status.NO_DATA
    assert count.in_progress.period == m.period
    stored = next(i for a in snapshot.to_json()["ambitions"] for i in a["indicators"] if i["id"] == m.count.pk)
    assert "period" not in stored and stored["in_progress"]["period"] == m.period.slug


def test_the_report_page_shows_a_period_in_progress(filled, client_for, mid_month, monkeypatch):
    m, w = filled, filled.world
    monkeypatch.setattr(reports, "chain_today", lambda now=None: mid_month.replace(day=5))
    report, _ = reports.draft_report(w.chain, m.period)

    text = client_for(w.viewer).get(page("report_detail", report)).text

    assert f"In progress: {m.period.label()}, so far 50.0% (2 of 2 units; deadline" in text


def test_a_change_between_different_units_is_marked_provisional(measures, client_for):
    m, w = measures, measures.world
    enter_share(m, w.unit_a, m.period.previous, "20", "100")
    enter_share(m, w.unit_a, m.period, "10", "100")
    enter_share(m, w.unit_b, m.period, "90", "100")  # unit B did not report the month before

    report, _ = reports.draft_report(w.chain, m.period)

    entry = indicator_entry(report, m.share)
    assert Decimal(entry["change"]) == 30 and entry["change_is_provisional"] is True
    text = client_for(w.viewer).get(page("report_detail", report)).text
    assert "+30.0 percentage points (better); provisional: not every unit reported" in text


@pytest.fixture
def counted(measures):
    """The count (lower is better, 500 → 200 from January 2024): unit A had 400 of the chain's 500
    cases in the baseline month, unit B 100, so A is held to 80% of the chain's expected total
    and B to 20%."""
    m, w = measures, measures.world
    baseline = Period(m.count_v1.baseline_period, Frequency.MONTH)
    enter_count(m, w.unit_a, baseline, "400")
    enter_count(m, w.unit_b, baseline, "100")
    return m


def test_a_unit_of_a_sum_is_compared_with_its_share_of_the_chains_expected_total(counted, client_for):
    """The report compared a unit's 288 cases with the chain's expected 3,445. Now unit B, with
    90 cases where its share of the trajectory expects about 52, is far behind; and unit A, with
    200 where about 207 is expected, is on track, though both are below the chain's total."""
    m, w = counted, counted.world
    chain_target = progress.expected(m.count_v1, m.period.start)
    enter_count(m, w.unit_a, m.period, "200")
    enter_count(m, w.unit_b, m.period, "90")
    assert chain_target > 200  # against the chain's total both units looked fine

    report, _ = reports.draft_report(w.chain, m.period)

    entry = indicator_entry(report, m.count)
    units = {u["name"]: u for u in entry["units"]}
    assert Decimal(units["Eenheid Amsterdam"]["target"]) == chain_target * Decimal("0.8")
    assert units["Eenheid Amsterdam"]["status"] == progress.Status.ON_TRACK
    assert Decimal(units["Parket Amsterdam"]["target"]) == chain_target * Decimal("0.2")
    assert units["Parket Amsterdam"]["status"] == progress.Status.OFF_TRACK
    organisations = {o["name"]: o for o in entry["organisations"]}
    assert organisations["Openbaar Ministerie"]["status"] == progress.Status.OFF_TRACK
    assert organisations["Politie"]["status"] == progress.Status.ON_TRACK
    furthest = report.snapshot["off_track"]
    assert [(u["name"], u["indicator"]) for u in furthest] == [("Parket Amsterdam", m.count.pk)]
    assert Decimal(furthest[0]["target"]) == chain_target * Decimal("0.2")

    text = client_for(w.viewer).get(page("report_detail", report)).text
    assert "Units furthest behind their own expected value" in text
    assert "its share of the chain&#x27;s expected total" in text or "its share of the chain's expected total" in text


def test_a_unit_of_a_sum_without_a_baseline_figure_is_not_judged(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, Period(m.count_v1.baseline_period, Frequency.MONTH), "400")
    enter_count(m, w.unit_a, m.period, "200")
    enter_count(m, w.unit_b, m.period, "90")

    snapshot = reports.build_snapshot(w.chain, m.period)

    entry = next(i for i in snapshot.indicators() if i.id == m.count.pk)
    units = {u.name: u for u in entry.units}
    assert units["Parket Amsterdam"].status == progress.Status.NOT_JUDGED
    assert units["Parket Amsterdam"].target is None
    assert units["Eenheid Amsterdam"].status == progress.Status.ON_TRACK
    assert not snapshot.off_track


def test_the_furthest_behind_ranks_units_in_their_own_tolerances(counted):
    """A ratio unit 30 points behind with a tolerance of 5 (6 tolerances) ranks above a sum unit
    a few tolerances behind its share, whatever the size of their numbers."""
    m, w = counted, counted.world
    chain_target = progress.expected(m.count_v1, m.period.start)
    share_target = progress.expected(m.share_v1, m.period.start)
    enter_share(m, w.unit_a, m.period, str(int(share_target) - 30), "100")
    enter_share(m, w.unit_b, m.period, "99", "100")
    # Unit B's own tolerance is 5 (25 × 20%): 3 tolerances behind its share of the target.
    enter_count(m, w.unit_b, m.period, str(int(chain_target * Decimal("0.2") + 16)))
    enter_count(m, w.unit_a, m.period, "100")

    snapshot = reports.build_snapshot(w.chain, m.period)

    assert [u.indicator for u in snapshot.off_track] == [m.share.pk, m.count.pk]
