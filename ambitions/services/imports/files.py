"""Reading an uploaded file as a table: a header row and the rows under it, streamed.

What Dutch offices really produce: CSV separated by semicolons, commas or tabs, in UTF-8 with or
without a byte order mark or in Windows-1252, with quoted fields that hold line breaks; XLSX from
Excel or LibreOffice, streamed row by row (xlsx.py, with defusedxml) with the values of formula
cells as last calculated — a formula is never evaluated here.

The kind is told by the content, not the name: a binary file called ``.csv`` is refused, an XLSX
called ``.csv`` is read as the XLSX it is. Before any XLSX is unpacked, its zip directory is
checked: more than ``MAX_UNPACKED_BYTES`` unpacked (a zip bomb) is refused, and so is any XML part
that declares a DOCTYPE or entities (a "billion laughs"): a spreadsheet never needs one, and
xlsx.py parses through defusedxml as a second guard. Every refusal is ``FileRefused`` with a
message for the person who uploaded the file; nothing here ever raises anything else for bad input.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import xlsx

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MB: 100,000 rows of a template are about 8 MB as CSV
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # what an XLSX of 100,000 rows unpacks to, with room
MAX_ROWS = 100_000  # as the bulk API: one import is at most this many rows
SHEET_NAMES = ("cijfers", "figures")  # the template's sheet; otherwise the first sheet is read
_PROLOG_BYTES = 64 * 1024  # what may stand before an XML part's first element


class FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The header row and an iterator over (row number as a spreadsheet shows it, cell values)."""

    headers: list[str]
    rows: Iterator[tuple[int, list]]
    kind: str  # "csv" or "xlsx"
    notes: list[str] = field(default_factory=list)
    estimated_rows: int = 0  # for the progress bar


def too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(max)s rows of figures; split it into files of at most %(max)s rows.")
        % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def read_table(data: bytes) -> Table:
    """The table in ``data``; FileRefused when it is not a CSV or XLSX file we can read."""
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(too_large())
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    return _read_csv(data)


def too_large() -> str:
    return _("The file is larger than %(max)s MB; split it into smaller files.") % {
        "max": MAX_FILE_BYTES // (1024 * 1024)
    }


# --- CSV ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data[:8192]:
        raise FileRefused(_("This is not a CSV or XLSX file. Save the sheet as CSV or XLSX and upload that."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Excel's "CSV" on Dutch Windows
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _("This file is not text in UTF-8 or Windows-1252. Save the sheet as CSV (UTF-8) and upload that.")
        ) from exc


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)  # a semicolon wins a tie: Dutch Excel's choice
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        headers = next(reader, None)
    except csv.Error as exc:
        raise FileRefused(_("The first row of the file cannot be read as column names.")) from exc
    if not headers or not any(h.strip() for h in headers):
        raise FileRefused(_("The first row of the file must name the columns."))
    return Table(headers, _csv_rows(reader), "csv", estimated_rows=text.count("\n"))


def _csv_rows(reader) -> Iterator[tuple[int, list]]:
    number, filled = 1, 0
    try:
        for number, row in enumerate(reader, start=2):  # noqa: B007  (the header is row 1)
            if not any(cell.strip() for cell in row):
                continue  # empty lines do not count against the limit
            filled += 1
            if filled > MAX_ROWS:
                raise too_many_rows()
            yield number, row
    except csv.Error as exc:
        raise FileRefused(
            _("Row %(row)s of the file cannot be read: %(reason)s") % {"row": number + 1, "reason": exc}
        ) from exc


# --- XLSX -----------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> zipfile.ZipFile:
    """Refuse a zip bomb and XML entities before anything is unpacked (or parsed)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRefused(_("This XLSX file is damaged and cannot be read.")) from exc
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES or len(members) > 10_000:
        raise FileRefused(
            _("This XLSX file unpacks to more than %(max)s MB, far more than a sheet of figures needs; it is refused.")
            % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(member) as part:
                start = part.read(_PROLOG_BYTES)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise FileRefused(_("This XLSX file is damaged and cannot be read.")) from exc
        if not _plain_prolog(start):
            raise FileRefused(
                _("This XLSX file declares XML entities, which a spreadsheet never needs; it is refused.")
            )
    return archive


def _plain_prolog(start: bytes) -> bool:
    """Whether an XML part's prolog (before its first element) holds only the XML declaration,
    processing instructions, comments and space: no DOCTYPE, so no entities can be declared. A
    DOCTYPE can stand nowhere else, so this is the whole of what defusedxml guards against."""
    text, position = start.removeprefix(codecs.BOM_UTF8), 0
    while position < len(text):
        if text[position : position + 1].isspace():
            position += 1
        elif text.startswith(b"<?", position):
            end = text.find(b"?>", position)
            if end < 0:
                return False
            position = end + 2
        elif text.startswith(b"<!--", position):
            end = text.find(b"-->", position)
            if end < 0:
                return False
            position = end + 3
        else:
            return text.startswith(b"<", position) and not text.startswith(b"<!", position)
    return not text  # an empty part is harmless; a prolog longer than we read is refused


def _read_xlsx(data: bytes) -> Table:
    archive = _check_zip(data)
    try:
        workbook = xlsx.Workbook(archive)
    except (xlsx.Unreadable, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRefused(_("This XLSX file is damaged and cannot be read.")) from exc
    sheets = workbook.sheets
    if not sheets:
        raise FileRefused(_("This XLSX file has no sheets."))
    name, part = next(((n, p) for n, p in sheets if n.strip().casefold() in SHEET_NAMES), sheets[0])
    notes = []
    if len(sheets) > 1:
        others = ", ".join(f"“{n}”" for n, p in sheets if p != part)
        notes.append(
            ngettext(
                "The sheet “%(sheet)s” was read; the other sheet (%(others)s) was ignored.",
                "The sheet “%(sheet)s” was read; the other sheets (%(others)s) were ignored.",
                len(sheets) - 1,
            )
            % {"sheet": name, "others": others}
        )
    rows = _xlsx_rows(workbook, part)
    first = next(rows, None)
    if first is None or not any(v is not None and str(v).strip() for v in first[1]):
        raise FileRefused(_("The first row of the sheet “%(sheet)s” must name the columns.") % {"sheet": name})
    headers = ["" if v is None else str(v) for v in first[1]]
    estimate = archive.getinfo(part).file_size // 400 if part in archive.namelist() else 0
    return Table(headers, rows, "xlsx", notes, estimated_rows=estimate)


def _xlsx_rows(workbook: xlsx.Workbook, part: str) -> Iterator[tuple[int, list]]:
    filled = 0
    try:
        for number, values in workbook.rows(part):
            if all(value is None for value in values):
                continue
            filled += 1
            if filled > MAX_ROWS + 1:  # the header row counts here
                raise too_many_rows()
            yield number, values
    except (xlsx.Unreadable, zipfile.BadZipFile, OSError, EOFError, ValueError, IndexError) as exc:
        raise FileRefused(_("This XLSX file is damaged and cannot be read.")) from exc
