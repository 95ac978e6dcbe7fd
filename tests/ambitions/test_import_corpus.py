"""Issue 12's "bad input": every file in tests/ambitions/import_corpus/ is a test case, and the
binary or huge cases are generated here (a binary renamed .csv, a zip bomb, billion laughs, a file
over the size limit, 1,048,576 rows, XLSX with merged cells, hidden rows and several sheets).

For each: a clear message (for the file, or per row with its column), nothing written, never a
server error. The rules about the figures are the bulk upsert's (the grid's and the API's), so
these tests check that the file's cells reach them, not the rules again.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from ambitions.models import Figure, ImportStatus
from ambitions.services.imports import files
from tests.ambitions.import_helpers import CORPUS, checked_job, errors_by_row, statuses

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("only_headers.csv", "The file has column names but no rows of figures."),
    ],
)
def test_it_refuses_a_file_without_figures(measures, name, message):
    job = checked_job(measures, corpus(name), name)
    assert (job.status, job.message) == (ImportStatus.REFUSED, message)
    assert not Figure.objects.exists()


@pytest.mark.parametrize("name", ["semicolons_bom.csv", "commas_no_bom.csv"])
def test_it_reads_semicolons_and_commas_with_or_without_a_byte_order_mark(measures, name):
    job = checked_job(measures, corpus(name), name)
    assert job.status == ImportStatus.CHECKED and job.errors == []
    first = job.preview[0]
    assert first[1:7] == ["new", "Eenheid Amsterdam", "Zaken in voorraad", "2025-03-01", "", "1234"]
    assert not Figure.objects.exists(), "a preview writes nothing"


def test_it_reads_windows_1252_and_quoted_line_breaks(measures):
    job = checked_job(measures, corpus("windows_1252.csv"))
    assert job.errors == [] and job.new == 1
    job = checked_job(measures, corpus("quoted_line_breaks.csv"))
    assert job.errors == [] and job.new == 1


def test_it_takes_formulas_in_comments_as_text(measures):
    job = checked_job(measures, corpus("formula_comments.csv"))
    # 20,000 is implausible (0–10,000), but the comment explains it: accepted, the comment as text.
    assert job.errors == [] and job.new == 2


def test_it_refuses_each_number_that_is_not_one(measures):
    job = checked_job(measures, corpus("bad_numbers.csv"))
    errors = errors_by_row(job)
    assert set(errors) == {2, 3, 4, 5, 6}, "NaN, Infinity, 1e400, 40 digits and Arabic-Indic digits"
    assert errors[2]["Waarde"] == "Enter a number, e.g. 12 or 12,5."
    assert errors[5]["Waarde"] == "This number is too large: at most 14 digits before the decimal separator."
    assert statuses(job)[7] == "new", "a no-break space between thousands is read as the grid reads it"
    assert job.preview[-1][6] == "1234"


def test_it_refuses_the_ambiguous_rows_of_a_file_with_mixed_decimal_separators(measures):
    job = checked_job(measures, corpus("mixed_decimals.csv"))
    errors = errors_by_row(job)
    assert set(errors) == {4}
    assert "comma (e.g. row 2)" in errors[4]["Waarde"] and "point (e.g. row 3)" in errors[4]["Waarde"]
    assert statuses(job)[2] == statuses(job)[3] == "new"


def test_it_accepts_the_unambiguous_ways_of_writing_a_period_and_names_the_others(measures):
    job = checked_job(measures, corpus("periods.csv"))
    assert [entry[4] for entry in job.preview if entry[1] == "new"] == [
        "2025-03-01",
        "2025-04-01",
        "2025-05-01",
        "2025-06-01",
    ]
    errors = errors_by_row(job)
    assert set(errors) == {6, 7, 8}
    assert "2026-03" in errors[6]["Periode"]


def test_it_does_not_find_units_or_indicators_of_another_chain(measures):
    job = checked_job(measures, corpus("other_chain_unit.csv"))
    errors = errors_by_row(job)
    assert errors[2] == {"Onderdeel": "Politie has no unit “Wijkteam Centrum”."}
    assert errors[3] == {"Indicator": "This chain has no indicator “Aanmeldingen”."}
    assert "Jeugd" not in str(job.errors) and "Gemeente" not in str(job.errors)


def test_it_refuses_a_row_that_appears_twice(measures):
    job = checked_job(measures, corpus("duplicate_rows.csv"))
    assert errors_by_row(job) == {3: {"": "Row 2 is for this cell already."}}


def test_it_matches_english_headers_in_any_order_and_ignores_other_columns_with_a_note(measures):
    job = checked_job(measures, corpus("english_headers_any_order.csv"))
    assert job.errors == [] and job.new == 1
    assert job.notes == ["These columns were ignored: “Colour”."]


def test_it_applies_the_grids_rules_to_every_row_at_once(measures):
    job = checked_job(measures, corpus("rule_breaches.csv"))
    errors = errors_by_row(job)
    assert errors[2] == {"Teller": "The numerator cannot be greater than the denominator."}
    assert "add a comment" in errors[3]["Toelichting"]
    assert errors[4] == {"Teller": "This indicator is a sum: give the value."}
    assert job.error_count == 4


def test_it_refuses_a_binary_file_named_csv(measures):
    job = checked_job(measures, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "foto.csv")
    assert job.status == ImportStatus.REFUSED
    assert job.message == "This is not a CSV or XLSX file. Save the sheet as CSV or XLSX and upload that."


def test_it_refuses_a_csv_over_the_size_limit(measures):
    data = b"Onderdeel;Indicator;Periode;Waarde\r\n" + b"x" * files.MAX_FILE_BYTES
    job = checked_job(measures, data)
    assert job.message == "The file is larger than 20 MB; split it into smaller files."


def test_it_refuses_more_rows_than_one_import_takes(measures):
    data = b"Onderdeel;Indicator;Periode;Waarde\n" + b"E;Z;2025-03;1\n" * 1_048_576
    job = checked_job(measures, data)
    assert job.status == ImportStatus.REFUSED
    assert job.message == "The file has more than 100.000 rows of figures; split it into files of at most 100.000 rows."


def test_it_refuses_a_zip_bomb_before_unpacking_it(measures):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(files.MAX_UNPACKED_BYTES // len(chunk) + 1):
                part.write(chunk)
    assert len(buffer.getvalue()) < 1024 * 1024, "a small file…"
    job = checked_job(measures, buffer.getvalue(), "bom.xlsx")
    assert job.status == ImportStatus.REFUSED
    assert "unpacks to more than 400 MB" in job.message


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def _with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced."""
    workbook = Workbook()
    workbook.active.append(["Onderdeel"])
    source = io.BytesIO()
    workbook.save(source)
    target = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else old.read(item)
            new.writestr(item, data)
    return target.getvalue()


def test_it_refuses_xml_entities_billion_laughs(measures):
    job = checked_job(measures, _with_sheet_xml(LAUGHS), "lachen.xlsx")
    assert job.status == ImportStatus.REFUSED
    assert job.message == "This XLSX file declares XML entities, which a spreadsheet never needs; it is refused."


def test_a_doctype_after_a_long_comment_is_refused_too(measures):
    padded = LAUGHS.replace(b"<!DOCTYPE", b"<!--" + b"x" * 10_000 + b"-->\n<!DOCTYPE", 1)
    job = checked_job(measures, _with_sheet_xml(padded), "lachen.xlsx")
    assert job.message == "This XLSX file declares XML entities, which a spreadsheet never needs; it is refused."


def test_defusedxml_refuses_the_entities_too_when_the_first_check_is_passed(measures, monkeypatch):
    monkeypatch.setattr(files, "_plain_prolog", lambda start: True)
    job = checked_job(measures, _with_sheet_xml(LAUGHS), "lachen.xlsx")
    assert (job.status, job.message) == (ImportStatus.REFUSED, "This XLSX file is damaged and cannot be read.")


def _xlsx(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_the_figures_sheet_of_a_workbook_with_merged_cells_hidden_rows_and_several_sheets(measures):
    def build(workbook):
        workbook.active.title = "Uitleg"
        workbook.active.append(["Vul het tweede blad in"])
        sheet = workbook.create_sheet("Cijfers")
        sheet.append(["Onderdeel", "Indicator", "Periode", "Waarde"])
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", "2025-03", 4])
        sheet.append([None, "Zaken in voorraad", "2025-04", 5])
        sheet.merge_cells("A2:A3")  # the second row's unit is empty once merged
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", "2025-05", 6.5])
        sheet.row_dimensions[4].hidden = True  # hidden rows are read like any other
        workbook.create_sheet("Oud")

    job = checked_job(measures, _xlsx(build), "cijfers.xlsx")
    assert job.notes == ["The sheet “Cijfers” was read; the other sheets (“Uitleg”, “Oud”) were ignored."]
    errors = errors_by_row(job)
    assert errors[3] == {"Onderdeel": "Name the unit (its name or code)."}
    assert "too many decimals" in errors[4]["Waarde"] or "decimal" in errors[4]["Waarde"]
    assert statuses(job)[2] == "new"


def test_it_names_dates_typed_as_numbers_and_reads_date_cells(measures):
    from datetime import datetime

    def build(workbook):
        sheet = workbook.active
        sheet.append(["Onderdeel", "Indicator", "Periode", "Waarde"])
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", 46082, 4])
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", datetime(2025, 3, 1), 4])
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", datetime(2025, 4, 15), 4])

    job = checked_job(measures, _xlsx(build), "cijfers.xlsx")
    errors = errors_by_row(job)
    assert errors[2] == {
        "Periode": "This looks like a date stored as a number (46082); write the period as text, e.g. 2026-03."
    }
    assert statuses(job)[3] == "new"
    assert "not the first day" in errors[4]["Periode"]


def test_it_takes_the_last_calculated_value_of_a_formula_and_never_evaluates_one(measures):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Onderdeel", "Indicator", "Periode", "Waarde", "Toelichting"])
        # openpyxl stores no calculated value, as a sheet never opened in Excel: empty, not evaluated.
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", "2025-03", "=2+2", '=HYPERLINK("x")'])

    job = checked_job(measures, _xlsx(build), "cijfers.xlsx")
    assert job.errors == []
    assert not any(entry[6] == "4" for entry in job.preview)


def test_xlsx_numbers_reach_the_same_bounds(measures):
    def build(workbook):
        sheet = workbook.active
        sheet.append(["Onderdeel", "Indicator", "Periode", "Waarde"])
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", "2025-03", 10**40])
        sheet.append(["Eenheid Amsterdam", "Zaken in voorraad", "2025-04", True])

    job = checked_job(measures, _xlsx(build), "cijfers.xlsx")
    errors = errors_by_row(job)
    assert errors[2] == {"Waarde": "This number is too large: at most 14 digits before the decimal separator."}
    assert errors[3] == {"Waarde": "Enter a number, e.g. 12 or 12,5."}
