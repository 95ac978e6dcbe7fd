"""Streaming the rows of an XLSX sheet: the values as stored (a formula's last calculated value; a
formula is never evaluated), row by row, in little memory.

Why not openpyxl's read-only mode: it builds a cell object for every value; 100,000 rows of eight
columns took 15–20 s of the 15 s budget, this about 4.5 s. It reads the same parts of the package
with defusedxml's ``iterparse`` (which refuses DTDs, entities and external references): the
workbook (sheet names, the 1904 date system), its relationships (where each sheet is), the shared
strings, the styles (which number formats are dates, for date cells) and the sheet itself.
openpyxl's own tables say which number formats are dates and turn serial numbers into dates.

files.py has already refused the package if it unpacks to too much or if an XML part declares a
DOCTYPE (so the message can say why); defusedxml is the second guard.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_COLUMN = re.compile(r"[A-Z]+")
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})


class Unreadable(Exception):
    """The package lacks a part a workbook needs, or a part is not well-formed XML."""


def _parse(archive: zipfile.ZipFile, name: str, events: tuple[str, ...] = ("end",)):
    try:
        with archive.open(name) as part:
            yield from iterparse(part, events=events)
    except (KeyError, ParseError, DefusedXmlException) as exc:
        raise Unreadable(name) from exc


def _text(element) -> str:
    """The text of a string item: its <t>, or its rich-text runs' <t>s (not the phonetic <rPh>)."""
    direct = element.find(f"{MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for run in element.findall(f"{MAIN}r") for t in run.findall(f"{MAIN}t"))


class Workbook:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.sheets: list[tuple[str, str]] = []  # (name, part) in the workbook's order
        self.epoch = CALENDAR_WINDOWS_1900
        targets = {}
        for _, element in _parse(archive, "xl/_rels/workbook.xml.rels"):
            if element.tag == f"{RELS}Relationship":
                target = element.get("Target", "")
                targets[element.get("Id")] = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
        for _, element in _parse(archive, "xl/workbook.xml"):
            if element.tag == f"{MAIN}workbookPr" and element.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif element.tag == f"{MAIN}sheet" and element.get(R_ID) in targets:
                self.sheets.append((element.get("name", ""), targets[element.get(R_ID)]))
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.archive.namelist():
            return []
        strings = []
        for _, element in _parse(self.archive, "xl/sharedStrings.xml"):
            if element.tag == f"{MAIN}si":
                strings.append(_text(element))
                element.clear()
        return strings

    def _date_styles(self) -> set[int]:
        """The indexes of the cell styles whose number format shows a date."""
        if "xl/styles.xml" not in self.archive.namelist():
            return set()
        custom, formats, in_xfs = {}, [], False
        for event, element in _parse(self.archive, "xl/styles.xml", ("start", "end")):
            if element.tag == f"{MAIN}cellXfs":
                in_xfs = event == "start"
            elif event == "end" and element.tag == f"{MAIN}numFmt":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif event == "end" and in_xfs and element.tag == f"{MAIN}xf":
                formats.append(int(element.get("numFmtId", "0")))
        return {
            index
            for index, number in enumerate(formats)
            if number in _DATE_FORMAT_IDS or is_date_format(custom.get(number, BUILTIN_FORMATS.get(number, "")))
        }

    def rows(self, part: str) -> Iterator[tuple[int, list]]:
        """(row number, values) per row of the sheet, values as str, int, float, bool, datetime or None."""
        number = 0
        for _, element in _parse(self.archive, part):
            if element.tag != f"{MAIN}row":
                continue
            number = int(element.get("r") or number + 1)
            values: list = []
            for cell in element.iter(f"{MAIN}c"):
                reference = cell.get("r")
                if reference:
                    column = 0
                    for letter in _COLUMN.match(reference).group():
                        column = column * 26 + ord(letter) - 64
                    column -= 1
                else:
                    column = len(values)
                if column >= 16_384:
                    raise Unreadable(part)
                while len(values) < column:
                    values.append(None)
                values.append(self._value(cell))
            element.clear()
            yield number, values

    def _value(self, cell):
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return _text(inline) if inline is not None else None
        raw = cell.findtext(f"{MAIN}v")
        if raw is None:
            return None
        if kind == "s":
            return self.strings[int(raw)] if raw.isdigit() and int(raw) < len(self.strings) else None
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                return raw
        try:
            number = float(raw) if any(c in raw for c in ".eEnN") else int(raw)
        except ValueError:
            return raw  # not a number after all: the row's check says so
        style = cell.get("s")
        if style and style.isdigit() and int(style) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number
        return number
