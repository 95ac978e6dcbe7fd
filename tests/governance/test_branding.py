"""The chain's name, logo and colour in its documents (issue 14 point 6): a band in the chain's
colour with its logo and name in white on the agenda, the minutes and the progress report's PDF
(templates/stakeholders/_pdf_brand.html), and on the public page. What WeasyPrint is handed is
checked, so the test reads the markup rather than the PDF's pixels."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from ambitions.services import reports
from governance.models import MeetingStatus
from tests.governance.agenda_fixtures import build_board, item
from tests.governance.public_page_fixtures import switched_on
from tests.stakeholders.test_chain_settings import image_bytes

COLOUR = "#8A1F5C"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def branded(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    chain = world.chain
    chain.colour = COLOUR
    chain.tagline = "Recht doen binnen 24 uur"
    chain.logo.save("zsm.png", ContentFile(image_bytes()))
    chain.save()
    return world


@pytest.fixture
def handed_to_weasyprint(monkeypatch):
    """The HTML each PDF view hands to WeasyPrint (and a stand-in PDF back)."""
    import weasyprint

    seen: list[str] = []

    class Html:
        def __init__(self, string: str = "", **kwargs):
            seen.append(string)

        def write_pdf(self, **kwargs) -> bytes:
            return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(weasyprint, "HTML", Html)
    return seen


def assert_branded(html: str) -> None:
    assert f".kp-pdf-band {{ background: {COLOUR}; }}" in html
    band = html[html.index('class="kp-pdf-band') :]
    band = band[: band.index("</div>")]
    assert 'src="data:image/png;base64,' in band
    assert "ZSM" in band and "Recht doen binnen 24 uur" in band


def test_the_agenda_and_minutes_pdfs_carry_the_chains_band(branded, client_for, handed_to_weasyprint):
    board = build_board(branded)
    item(board.meeting, "Opening", order=1, duration_minutes=10)
    client = client_for(branded.viewer)
    args = [branded.chain.slug, board.meeting.pk]
    assert client.get(reverse("governance:agenda_pdf", args=args)).status_code == 200
    board.meeting.status = MeetingStatus.HELD
    board.meeting.save(update_fields=["status"])
    assert client.get(reverse("governance:minutes_pdf", args=args)).status_code == 200
    assert len(handed_to_weasyprint) == 2
    for html in handed_to_weasyprint:
        assert_branded(html)


def test_the_progress_reports_pdf_carries_the_chains_band(branded, measures, client_for, handed_to_weasyprint):
    report, _ = reports.draft_report(branded.chain, measures.period)
    response = client_for(branded.viewer).get(reverse("ambitions:report_pdf", args=[branded.chain.slug, report.pk]))
    assert response.status_code == 200
    assert_branded(handed_to_weasyprint[0])


def test_the_public_page_shows_the_chains_band(branded, measures):
    switched_on(measures)
    html = Client().get("/openbaar/zsm/").text
    assert f".kp-public-band {{ background: {COLOUR}; }}" in html
    band = html[html.index('<header class="kp-public-band">') : html.index("</header>")]
    assert 'src="/openbaar/zsm/logo/?v=' in band and 'alt="Logo van ZSM"' in band
    assert "ZSM" in band and "Recht doen binnen 24 uur" in band
