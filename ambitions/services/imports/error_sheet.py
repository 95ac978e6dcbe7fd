"""A preview's errors as a sheet to work through: row, column, reason (CSV or XLSX)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from ambitions.services.export import neutralise


def headers() -> list[str]:
    return [_("Row"), _("Column"), _("Reason")]


def to_csv(errors: list[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    for row, column, reason in errors:
        writer.writerow([row, neutralise(column), neutralise(reason)])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(errors: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    sheet.append(headers())
    for row, column, reason in errors:
        sheet.append(
            [row, neutralise(ILLEGAL_CHARACTERS_RE.sub("", column)), neutralise(ILLEGAL_CHARACTERS_RE.sub("", reason))]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
