"""Entering figures, after the grid: submitting, approving and reopening a period, a cell's
history, and the index of open periods (the grid itself: test_entry.py)."""

from __future__ import annotations

from django.urls import reverse

from ambitions.models import (
    Indicator,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.services import submissions
from ambitions.services.entry import CellInput, save_cell
from tests.ambitions import test_entry
from tests.ambitions.test_entry import (
    grid_url,
    step_url,
    text_of,
)
from tests.factories import UnitFactory
from tests.measures import MISSING, adopted_version

# The grid tests' fixtures: messages in English, signed in with an English UI.
_in_english = test_entry._in_english
client_for = test_entry.client_for

# --- Submit, approve, reopen ---------------------------------------------------------------------


def status_of(m, organisation) -> str:
    submission = PeriodSubmission.objects.filter(organisation=organisation, period=m.period.start).first()
    return submission.status if submission else SubmissionStatus.OPEN


def test_submit_approve_and_reopen(measures, client_for):
    m, w = measures, measures.world
    contributor, lead, manager = client_for(w.contributor_a), client_for(w.lead_a), client_for(w.manager)
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="5"))

    page = contributor.get(grid_url(m))
    assert "Submit for approval" in page.text and "Approve the figures" not in page.text
    response = contributor.post(step_url(m, "period_submit"), {"missing_reason": MISSING})
    assert response.status_code == 302 and response["Location"] == grid_url(m)
    assert status_of(m, w.org_a) == SubmissionStatus.SUBMITTED
    # Submitting twice: a message, not an error page.
    response = contributor.post(step_url(m, "period_submit"), follow=True)
    assert "already been submitted" in response.text
    # A contributor cannot approve; the lead with the mandate can.
    assert contributor.post(step_url(m, "period_approve")).status_code == 403
    assert "Approve the figures" in lead.get(grid_url(m)).text
    response = lead.post(step_url(m, "period_approve"), {"missing_reason": MISSING}, follow=True)
    assert "approved and locked" in response.text
    assert status_of(m, w.org_a) == SubmissionStatus.APPROVED

    # Reopening: programme managers only, with a reason.
    assert lead.get(step_url(m, "period_reopen", organisation=w.org_a)).status_code == 403
    page = manager.get(grid_url(m, organisation=w.org_a))
    assert "Reopen these figures" in page.text
    response = manager.post(step_url(m, "period_reopen", organisation=w.org_a), {"reason": "  "})
    assert response.status_code == 422
    assert status_of(m, w.org_a) == SubmissionStatus.APPROVED
    response = manager.post(step_url(m, "period_reopen", organisation=w.org_a), {"reason": "Telfout Noord"})
    assert response.status_code == 302
    assert response["Location"] == grid_url(m, organisation=w.org_a)
    assert status_of(m, w.org_a) == SubmissionStatus.OPEN
    page = contributor.get(grid_url(m))
    assert "Telfout Noord" in page.text
    assert f'name="cell-{m.count.pk}-{w.unit_a.pk}-value"' in page.text  # editable again


def test_approval_needs_a_submitted_period_and_a_mandate(measures, client_for):
    m, w = measures, measures.world
    lead = client_for(w.lead_a)
    response = lead.post(step_url(m, "period_approve"), follow=True)
    assert "Only submitted figures can be approved." in response.text
    assert status_of(m, w.org_a) == SubmissionStatus.OPEN
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    # Lead B cannot approve partner A's figures, nor can a manager without a mandate.
    assert client_for(w.lead_b).post(step_url(m, "period_approve", organisation=w.org_a)).status_code == 403
    assert client_for(w.manager).post(step_url(m, "period_approve", organisation=w.org_a)).status_code == 403
    # A lead without a (valid) mandate cannot either.
    w.lead_a.mandates.all().delete()
    assert lead.post(step_url(m, "period_approve")).status_code == 403
    assert status_of(m, w.org_a) == SubmissionStatus.SUBMITTED


def test_a_period_that_is_open_cannot_be_reopened(measures, client_for):
    m, w = measures, measures.world
    response = client_for(w.manager).post(step_url(m, "period_reopen", organisation=w.org_a), {"reason": "Waarom niet"})
    assert response.status_code == 422
    assert "These figures are open already." in response.text


def test_steps_are_refused_to_other_partners(measures, client_for):
    m, w = measures, measures.world
    contributor = client_for(w.contributor_a)
    assert contributor.post(step_url(m, "period_submit", organisation=w.org_b)).status_code == 403
    assert contributor.post(step_url(m, "period_submit", organisation=w.org_c)).status_code == 404
    assert client_for(w.viewer).post(step_url(m, "period_submit")).status_code == 403
    assert not PeriodSubmission.objects.exists()
    assert client_for(w.contributor_a).get(step_url(m, "period_submit")).status_code == 405


# --- History -------------------------------------------------------------------------------------


def test_the_history_of_a_cell_lists_every_save(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="1", denominator="4"))
    figure = save_cell(
        w.lead_a, m.share, w.unit_a, m.period, CellInput(numerator="2", denominator="4", comment="Gecorrigeerd")
    )
    url = reverse("ambitions:figure_history", args=[w.chain.slug, figure.pk])
    response = client_for(w.viewer).get(url)  # every member may read it
    assert response.status_code == 200
    text = text_of(response.text)
    assert "1 / 4 (25.0)" in text and "2 / 4 (50.0)" in text
    assert "Gecorrigeerd" in text and "Lead-A" in text and "Contributor" in text
    forged = reverse("ambitions:figure_history", args=[w.other_chain.slug, figure.pk])
    assert client_for(w.admin).get(forged).status_code == 404


# --- Choosing a period ---------------------------------------------------------------------------


def test_the_index_lists_open_periods_with_the_status_per_organisation(measures, client_for):
    m, w = measures, measures.world
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="5"))
    response = client_for(w.contributor_a).get(reverse("ambitions:entry_index", args=[w.chain.slug]))
    assert response.status_code == 200
    html = response.text
    assert m.period.label() in html
    assert f'href="{grid_url(m)}"' in html
    assert "1 of 2" in text_of(html) and "Submitted" in html
    assert "Openbaar Ministerie" not in html  # a contributor sees their own organisation

    response = client_for(w.manager).get(reverse("ambitions:entry_index", args=[w.chain.slug]))
    assert "Openbaar Ministerie" in response.text
    assert f'href="{grid_url(m, organisation=w.org_b)}"' in response.text.replace("&amp;", "&")
    assert client_for(w.viewer).get(reverse("ambitions:entry_index", args=[w.chain.slug])).status_code == 403


def test_the_index_and_the_history_read_in_a_constant_number_of_queries(measures, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m, w = measures, measures.world
    figure = save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="1"))
    client = client_for(w.manager)
    index = reverse("ambitions:entry_index", args=[w.chain.slug])
    history = reverse("ambitions:figure_history", args=[w.chain.slug, figure.pk])
    client.get(index)

    def count(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = (count(index), count(history))
    for n in range(2, 8):
        save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value=str(n)))
        save_cell(w.lead_b, m.count, w.unit_b, m.period.shifted(-n), CellInput(value=str(n)))
        submissions.submit(w.lead_b, w.chain, w.org_b, m.period.shifted(-n), MISSING)
    for n in range(3):
        indicator = Indicator.objects.create(ambition=m.ambition, name=f"Nog {n}", position=30 + n)
        adopted_version(indicator, [w.unit_a, w.unit_b, UnitFactory(organisation=w.org_b)])
    after = (count(index), count(history))
    assert after == before
    assert max(after) <= 20
