"""The submission rule (docs/architecture.md): submitting or approving a period with figures missing
lists the missing cells and needs a reason, stored on the submission and shown; approval locks the
figures that are in, and a late unit still delivers into its empty cell, which the partner lead
approves on its own — without unlocking what was approved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ambitions.models import ChainAggregate, Figure, PeriodSubmission, SubmissionStatus
from ambitions.services import aggregates, bulk, submissions
from ambitions.services.entry import CellInput, CellRefused, save_cell
from tests.factories import UnitFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def step_url(m, name: str, organisation=None) -> str:
    url = reverse(f"ambitions:{name}", args=[m.world.chain.slug, m.period.slug])
    return url + (f"?organisatie={organisation.pk}" if organisation else "")


def grid_url(m, organisation=None) -> str:
    return step_url(m, "entry_grid", organisation)


def submission_of(m) -> PeriodSubmission:
    return PeriodSubmission.objects.get(organisation=m.world.org_a, period=m.period.start)


@pytest.fixture
def late_unit(measures):
    """A second unit of partner A (Politie) that reports the count, and is late."""
    unit = UnitFactory(organisation=measures.world.org_a, name="Eenheid Noord")
    measures.count_v1.reporting_units.add(unit)
    return unit


def fill_unit_a(m) -> None:
    w = m.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="40"))
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="30", denominator="60"))


# --- Missing figures need a reason ---------------------------------------------------------------


def test_it_refuses_to_submit_with_missing_figures_without_a_reason_and_lists_them(measures, late_unit, client_for):
    m, w = measures, measures.world
    fill_unit_a(m)
    contributor = client_for(w.contributor_a)
    response = contributor.post(step_url(m, "period_submit"))
    assert response.status_code == 422
    assert "Submit with figures missing?" in response.text
    # The missing cell by unit and indicator, and a reason field that posts back to the step.
    assert "Eenheid Noord" in response.text and "Zaken in voorraad" in response.text
    assert 'name="missing_reason"' in response.text
    assert f'action="{step_url(m, "period_submit")}"' in response.text
    assert not PeriodSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()

    # An empty reason is refused at the field; nothing changes.
    response = contributor.post(step_url(m, "period_submit"), {"missing_reason": "   "})
    assert response.status_code == 422
    assert "Give a reason to go ahead with these figures missing." in response.text
    assert not PeriodSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()

    # htmx gets the same page part, with 422.
    response = contributor.post(step_url(m, "period_submit"), **HTMX)
    assert response.status_code == 422
    assert "<html" not in response.text and "Eenheid Noord" in response.text


def test_the_service_lists_the_missing_cells(measures, late_unit):
    m, w = measures, measures.world
    fill_unit_a(m)
    with pytest.raises(submissions.MissingFigures) as refused:
        submissions.submit(w.contributor_a, w.chain, w.org_a, m.period)
    assert [(c.unit, c.indicator) for c in refused.value.missing] == [(late_unit, m.count)]
    assert not PeriodSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()


def test_it_stores_and_shows_the_reasons(measures, late_unit, client_for):
    m, w = measures, measures.world
    fill_unit_a(m)
    contributor, lead, manager = client_for(w.contributor_a), client_for(w.lead_a), client_for(w.manager)
    response = contributor.post(step_url(m, "period_submit"), {"missing_reason": "Noord levert volgende week"})
    assert response.status_code == 302
    submission = submission_of(m)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert (submission.submitted_missing, submission.submitted_missing_reason) == (1, "Noord levert volgende week")
    assert "Noord levert volgende week" in lead.get(grid_url(m)).text

    # The lead sees the contributor's reason when asked for their own, and must give one too.
    response = lead.post(step_url(m, "period_approve"))
    assert response.status_code == 422
    assert "Approve with figures missing?" in response.text and "Noord levert volgende week" in response.text
    response = lead.post(step_url(m, "period_approve"), {"missing_reason": "Cijfers Noord volgen apart"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert (submission.approved_missing, submission.approved_missing_reason) == (1, "Cijfers Noord volgen apart")

    page = contributor.get(grid_url(m)).text
    assert "Noord levert volgende week" in page and "Cijfers Noord volgen apart" in page
    # The reopen page shows both, and the submission's history records them.
    page = manager.get(step_url(m, "period_reopen", organisation=w.org_a)).text
    assert "Cijfers Noord volgen apart" in page
    assert page.count("Noord levert volgende week") >= 2  # in the summary and in the history


def test_without_missing_figures_submit_and_approve_work_as_before(measures, client_for):
    m, w = measures, measures.world
    fill_unit_a(m)
    assert client_for(w.contributor_a).post(step_url(m, "period_submit")).status_code == 302
    assert client_for(w.lead_a).post(step_url(m, "period_approve")).status_code == 302
    submission = submission_of(m)
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.submitted_missing == submission.approved_missing == 0
    assert submission.submitted_missing_reason == submission.approved_missing_reason == ""


def test_a_reason_longer_than_the_form_allows_is_refused(measures, late_unit, client_for):
    m, w = measures, measures.world
    response = client_for(w.contributor_a).post(step_url(m, "period_submit"), {"missing_reason": "x" * 2001})
    assert response.status_code == 422
    assert not PeriodSubmission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()


# --- Late delivery after approval ----------------------------------------------------------------


def approve_without_noord(m) -> None:
    w = m.world
    fill_unit_a(m)
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, "Noord is laat")
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period, "Noord is laat")


def chain_count_total(m) -> Decimal:
    return ChainAggregate.objects.get(indicator=m.count, period=m.period.start).value_sum


def test_a_late_unit_delivers_after_approval_without_unlocking_approved_figures(measures, late_unit, client_for):
    m, w = measures, measures.world
    approve_without_noord(m)
    contributor = client_for(w.contributor_a)
    page = contributor.get(grid_url(m)).text
    assert "Open for a late delivery" in page
    assert f'name="cell-{m.count.pk}-{late_unit.pk}-value"' in page  # the empty cell takes input
    assert f'name="cell-{m.count.pk}-{w.unit_a.pk}-value"' not in page  # the approved ones do not

    # The approved figure stays locked, on every channel.
    with pytest.raises(CellRefused, match="approved and locked"):
        save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="41"))
    with pytest.raises(bulk.BulkRefused):
        bulk.upsert_figures(
            w.contributor_a, [{"indicator": m.count.pk, "unit": w.unit_a.pk, "period": m.period.slug, "value": 41}]
        )
    assert Figure.objects.get(indicator=m.count, unit=w.unit_a).value == 40

    # The late unit delivers: stored, marked late after the deadline, waiting for the lead's approval.
    response = contributor.post(
        reverse("ambitions:entry_cell", args=[w.chain.slug, m.period.slug]),
        {
            "indicator": m.count.pk,
            "unit": late_unit.pk,
            f"cell-{m.count.pk}-{late_unit.pk}-revision": 0,
            f"cell-{m.count.pk}-{late_unit.pk}-value": "7",
        },
        **HTMX,
    )
    assert response.status_code == 200
    figure = Figure.objects.get(indicator=m.count, unit=late_unit)
    assert figure.value == 7 and figure.awaiting_approval
    assert figure.is_late == (timezone.localdate() > m.count_v1.deadline_of(m.period))
    assert chain_count_total(m) == 47  # the roll-ups count it at once, exactly
    assert submission_of(m).status == SubmissionStatus.APPROVED  # the approved figures stay approved
    # The API says the late figure is submitted, the approved one approved.
    statuses = {row["unit"]: row["status"] for row in contributor.get("/api/figures/").json()["results"]}
    assert statuses[late_unit.pk] == "submitted" and statuses[w.unit_a.pk] == "approved"

    # Until the lead approves it, it can still be corrected.
    save_cell(w.contributor_a, m.count, late_unit, m.period, CellInput(value="8"))
    lead = client_for(w.lead_a)
    page = lead.get(grid_url(m)).text
    assert "Delivered late: waiting for approval" in page and "Approve the late figures" in page
    response = lead.post(step_url(m, "period_approve_late"), follow=True)
    assert "1 figure delivered late is approved and locked." in response.text
    figure.refresh_from_db()
    assert not figure.awaiting_approval
    with pytest.raises(CellRefused, match="approved and locked"):
        save_cell(w.contributor_a, m.count, late_unit, m.period, CellInput(value="9"))
    assert chain_count_total(m) == 48
    aggregates.rebuild_all()  # recomputed from the figures: the same totals
    assert chain_count_total(m) == 48


def test_the_bulk_api_delivers_late_as_the_grid_does(measures, late_unit):
    m, w = measures, measures.world
    approve_without_noord(m)
    result = bulk.upsert_figures(
        w.contributor_a, [{"indicator": m.count.pk, "unit": late_unit.pk, "period": m.period.slug, "value": 12}]
    )
    assert result.created == 1
    figure = Figure.objects.get(indicator=m.count, unit=late_unit)
    assert figure.awaiting_approval and figure.value == 12
    assert chain_count_total(m) == 52
    assert submissions.approve_late(w.lead_a, w.chain, w.org_a, m.period) == 1
    with pytest.raises(bulk.BulkRefused):
        bulk.upsert_figures(
            w.contributor_a, [{"indicator": m.count.pk, "unit": late_unit.pk, "period": m.period.slug, "value": 13}]
        )


def test_approving_a_late_delivery_needs_the_mandate_and_something_to_approve(measures, late_unit, client_for):
    m, w = measures, measures.world
    approve_without_noord(m)
    with pytest.raises(submissions.StepRefused, match="No figures delivered late"):
        submissions.approve_late(w.lead_a, w.chain, w.org_a, m.period)
    save_cell(w.contributor_a, m.count, late_unit, m.period, CellInput(value="3"))
    assert client_for(w.contributor_a).post(step_url(m, "period_approve_late")).status_code == 403
    assert client_for(w.lead_b).post(step_url(m, "period_approve_late", organisation=w.org_a)).status_code == 403
    assert Figure.objects.get(indicator=m.count, unit=late_unit).awaiting_approval


def test_reopening_leaves_no_figure_waiting(measures, late_unit):
    m, w = measures, measures.world
    approve_without_noord(m)
    save_cell(w.contributor_a, m.count, late_unit, m.period, CellInput(value="3"))
    submissions.reopen(w.manager, w.chain, w.org_a, m.period, "Telfout")
    assert not Figure.objects.filter(awaiting_approval=True).exists()
    submission = submission_of(m)
    assert submission.status == SubmissionStatus.OPEN and submission.approved_missing_reason == ""
    # Everything is in now: approving needs no reason and locks every cell.
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period)
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period)
    with pytest.raises(CellRefused):
        save_cell(w.contributor_a, m.count, late_unit, m.period, CellInput(value="4"))


def test_the_lock_rule_in_sql_matches_the_rule_in_python(measures, late_unit):
    m, w = measures, measures.world
    approve_without_noord(m)
    save_cell(w.contributor_a, m.count, late_unit, m.period, CellInput(value="3"))
    Figure.objects.create(
        indicator=m.share, unit=late_unit, organisation=w.org_a, period=m.period.start, version=m.share_v1
    )  # an empty figure row: not locked
    in_sql = set(Figure.objects.locked_by_approval().values_list("pk", flat=True))
    in_python = {f.pk for f in Figure.objects.all() if f.locked_by_approval}
    assert in_sql == in_python and len(in_python) == 2
