"""A programme manager drafts a progress report, comments on it, publishes it, and downloads the PDF."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ambitions.models import ProgressReport, ReportStatus
from tests.conftest import World

from .conftest import use_english
from .test_pages_axe import with_figures

pytestmark = pytest.mark.browser

COMMENTARY = '<script>alert("x")</script> De Politie loopt achter.'


def test_a_manager_drafts_comments_publishes_and_downloads_the_pdf(world: World, page, visit, sign_in, live_server):
    m = with_figures(world)
    use_english(page, live_server)
    sign_in(page, world.manager)

    visit(page, f"/ketens/{world.chain.slug}/rapportages/")
    page.get_by_label("Period").fill(m.period.slug)
    visit.follow(page, page.get_by_role("button", name="Draft report").click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress report")

    visit.follow(page, page.get_by_role("link", name="Write commentary").click)
    page.get_by_label(f"Commentary on the ambition “{m.ambition.statement}”").fill(COMMENTARY)
    visit.follow(page, page.get_by_role("button", name="Save commentary").click)
    # Shown as text, never run.
    expect(page.locator(".kp-commentary").first).to_contain_text('<script>alert("x")</script>')

    visit.follow(page, page.get_by_role("button", name="Publish").click)
    expect(page.get_by_role("status")).to_contain_text("has been published")
    report = ProgressReport.objects.get(chain=world.chain)
    assert report.status == ReportStatus.PUBLISHED

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Progress report" in text and world.chain.name in text
    assert m.share.name in text and "Politie" in text
    assert '<script>alert("x")</script> De Politie loopt achter.' in text
