"""The template to fill in: one row per reporting unit × indicator × period of one organisation,
with the current values, Dutch headers, the indicator's kind and unit of measure, and the hidden
ids the import reads first (so renaming a unit later does not break a filled-in template).

The XLSX freezes the header row, hides the id columns and validates the number columns (a
number; within the plausible range as a warning, since an implausible value with a comment is
allowed). The CSV is written for Dutch Excel, like the figure export: semicolons, a decimal comma,
a byte order mark. Text a spreadsheet would take for a formula is neutralised (export.neutralise);
the import drops that quote again (rows._comment).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify

from ambitions.models import Figure, IndicatorVersion
from ambitions.periods import Period
from ambitions.services import grid
from ambitions.services.export import neutralise
from ambitions.services.numbers import FIGURE, for_input
from stakeholders.models import Chain, Organisation

from .columns import HIDDEN, TEMPLATE_ORDER, header

MAX_PERIODS = 24  # a template spans at most two years of months
SHEET = "Cijfers"
KIND = {"sum": "som", "ratio": "verhouding"}


@dataclass
class TemplateRow:
    unit_id: int
    indicator_id: int
    organisation: str
    unit: str
    unit_code: str
    indicator: str
    kind: str
    unit_label: str
    period: str
    version: IndicatorVersion
    figure: Figure | None


def collect(chain: Chain, organisation: Organisation, periods: list[Period]) -> list[TemplateRow]:
    """Every cell of the organisation's grid for each period, in the grid's order."""
    rows = []
    for period in periods:
        for cell in grid.build(chain, organisation, period).cells():
            rows.append(
                TemplateRow(
                    cell.unit.pk,
                    cell.indicator.pk,
                    organisation.name,
                    cell.unit.name,
                    cell.unit.code,
                    cell.indicator.name,
                    KIND.get(cell.version.kind, cell.version.kind),
                    cell.version.unit_label,
                    period.slug,
                    cell.version,
                    cell.figure if cell.has_data or (cell.figure and cell.figure.comment) else None,
                )
            )
    return rows


def filename(chain: Chain, organisation: Organisation, first: Period, last: Period, fmt: str) -> str:
    span = first.slug if first == last else f"{first.slug}-{last.slug}"
    return f"{chain.slug}-{slugify(organisation.name)}-{span}-sjabloon.{fmt}"


def _values(row: TemplateRow) -> dict[str, object]:
    figure = row.figure
    return {
        "unit_id": row.unit_id,
        "indicator_id": row.indicator_id,
        "organisation": row.organisation,
        "unit": row.unit,
        "unit_code": row.unit_code,
        "indicator": row.indicator,
        "kind": row.kind,
        "unit_label": row.unit_label,
        "period": row.period,
        "value": figure.value if figure is not None and not row.version.is_ratio else None,
        "numerator": figure.numerator if figure is not None else None,
        "denominator": figure.denominator if figure is not None else None,
        "comment": figure.comment if figure is not None else "",
        "follow_up": "ja" if figure is not None and figure.follow_up else "nee",
    }


def to_csv(rows: list[TemplateRow]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([header(name) for name in TEMPLATE_ORDER])
    for row in rows:
        values = _values(row)
        writer.writerow([_csv_cell(values[name]) for name in TEMPLATE_ORDER])
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return for_input(value)
    if isinstance(value, str):
        return neutralise(value)
    return "" if value is None else value


def to_xlsx(rows: list[TemplateRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([header(name) for name in TEMPLATE_ORDER])
    sheet.freeze_panes = "A2"
    letter = {name: get_column_letter(i) for i, name in enumerate(TEMPLATE_ORDER, start=1)}
    for name in HIDDEN:
        sheet.column_dimensions[letter[name]].hidden = True
    for name, width in (("unit", 28), ("indicator", 36), ("comment", 40), ("period", 10), ("organisation", 20)):
        sheet.column_dimensions[letter[name]].width = width
    # Which rows each definition covers: one validation per definition and number column.
    by_version: dict[IndicatorVersion, list[int]] = defaultdict(list)
    for number, row in enumerate(rows, start=2):
        values = _values(row)
        sheet.append(
            [
                neutralise(ILLEGAL_CHARACTERS_RE.sub("", v)) if isinstance(v, str) else v
                for v in (values[name] for name in TEMPLATE_ORDER)
            ]
        )
        by_version[row.version].append(number)
    limit = float(10**FIGURE.whole_digits)
    for version, numbers in by_version.items():
        columns = ("numerator", "denominator") if version.is_ratio else ("value",)
        ranges = " ".join(_ranges(letter[c], numbers) for c in columns)
        low = -limit if version.allow_negative and not version.is_ratio else 0
        sheet.add_data_validation(_number_rule(ranges, low, limit))
        if not version.is_ratio and (version.min_value is not None or version.max_value is not None):
            low = float(version.min_value) if version.min_value is not None else -limit
            high = float(version.max_value) if version.max_value is not None else limit
            plausible = _number_rule(_ranges(letter["value"], numbers), low, high)
            plausible.errorStyle = "warning"
            plausible.error = "Buiten het plausibele bereik: controleer de waarde of licht haar toe."
            sheet.add_data_validation(plausible)
    yes_no = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True)
    yes_no.add(f"{letter['follow_up']}2:{letter['follow_up']}{len(rows) + 1}")
    sheet.add_data_validation(yes_no)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_rule(ranges: str, low: float, high: float):
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
    rule.error = "Vul een getal in."
    rule.showErrorMessage = True
    rule.sqref = ranges
    return rule


def _ranges(column: str, numbers: list[int]) -> str:
    """Rows of one column as few ranges: ("I", [2, 3, 4, 7]) → "I2:I4 I7"."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return " ".join(f"{column}{a}" if a == b else f"{column}{a}:{column}{b}" for a, b in spans)
