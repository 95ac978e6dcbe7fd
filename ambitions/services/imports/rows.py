"""Turning a file's rows into the bulk upsert's rows (``bulk.RowInput``): which unit, indicator and
period each row means, and its numbers read the way the file writes them.

Only what is particular to a file is decided here: columns matched on their headers, units by the
template's hidden id, their code or their name (among the organisation's units only, so a unit of
another organisation or chain is simply not found), indicators by id or name (the chain's), the
ways offices write a period, and the file's decimal separator. Every rule about the figure itself
— may this person enter it, is the period open, is it a number that fits, numerator above
denominator, implausible without a comment, a row that appears twice — is the bulk upsert's, which
is save_cell's (services/bulk, services/entry): the same rule as the grid and the API.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from ambitions.models import Indicator
from ambitions.periods import Period
from ambitions.services.bulk import NON_FIELD, Errors, PeriodRef, RowInput, parse_period
from ambitions.services.entry import CellInput
from ambitions.services.export import FORMULA_STARTS
from ambitions.services.numbers import NotANumber, read_dutch
from stakeholders.models import Organisation, Unit

from .columns import INFORMATIONAL, header, match_headers
from .files import FileRefused, Table

NUMBER_FIELDS = ("value", "numerator", "denominator")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "february"),
            ("maart", "mrt", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("augustus", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAME = re.compile(r"([a-z]+)\.?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/](\d{4})")
_CBS = re.compile(r"(\d{4})\s*([MKQ])\s*(\d{1,2})")  # 2026M03, 2026K1, 2026Q1
_YES = frozenset({"ja", "j", "yes", "y", "waar", "true", "1", "x"})
_NO = frozenset({"nee", "n", "no", "onwaar", "false", "0", ""})

# How a number cell writes its decimals: "12,5" (comma), "12.5" (point), "1.500" or "1,500"
# (either: one group of three after a single separator), or neither.
_COMMA = re.compile(r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]+|[0-9]{1,3}(?:\.[0-9]{3}){2,}")
_POINT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.[0-9]+|[0-9]{1,3}(?:,[0-9]{3}){2,}")
_EITHER = re.compile(r"[0-9]{1,3}[.,][0-9]{3}")
_SIGN = "+-−"


class PeriodUnclear(ValueError):
    pass


@dataclass
class FileRow:
    """One row as read from the file, before its numbers are read (that needs the whole file)."""

    number: int
    unit_id: int
    indicator_id: int
    period: PeriodRef
    numbers: dict[str, object]
    comment: str
    follow_up: bool


@dataclass
class ReadFile:
    rows: list[FileRow] = field(default_factory=list)
    errors: dict[int, Errors] = field(default_factory=dict)  # row number → field → message
    columns: dict[str, str] = field(default_factory=dict)  # field → the file's header for it
    notes: list[str] = field(default_factory=list)
    units: dict[int, Unit] = field(default_factory=dict)
    indicators: dict[int, Indicator] = field(default_factory=dict)

    def column(self, name: str) -> str:
        """The header of the column a field's error belongs to ('' for the whole row)."""
        if name == NON_FIELD:
            return ""
        return self.columns.get(name) or self.columns.get(f"{name}_id") or header(name)


class Lookup:
    """The organisation's units and the chain's indicators, by id, code and name (case-insensitive)."""

    def __init__(self, organisation: Organisation, indicators: list[Indicator]):
        self.units = {u.pk: u for u in Unit.objects.filter(organisation=organisation)}
        self.indicators = {i.pk: i for i in indicators}
        self.organisation = organisation
        self._units_by: dict[str, list[Unit]] = {}
        for unit in self.units.values():
            for key in {f"code:{unit.code.casefold()}" if unit.code else "", f"name:{unit.name.casefold()}"} - {""}:
                self._units_by.setdefault(key, []).append(unit)
        self._indicators_by: dict[str, list[Indicator]] = {}
        for indicator in indicators:
            self._indicators_by.setdefault(indicator.name.casefold(), []).append(indicator)

    def unit(self, by_id: object, code: object, name: object) -> Unit:
        text = _text(by_id)
        if text:
            unit = self.units.get(int(text)) if text.isdigit() and len(text) < 19 else None
            if unit is None:
                raise LookupError(
                    _("There is no unit with id %(id)s in %(org)s.") % {"id": text[:20], "org": self.organisation}
                )
            return unit
        for kind, given in (("code", _text(code)), ("name", _text(name))):
            if not given:
                continue
            found = self._units_by.get(f"{kind}:{given.casefold()}", [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise LookupError(
                    _("%(org)s has more than one unit called “%(name)s”: give its code.")
                    % {"org": self.organisation, "name": given[:100]}
                )
            raise LookupError(_("%(org)s has no unit “%(name)s”.") % {"org": self.organisation, "name": given[:100]})
        raise LookupError(_("Name the unit (its name or code)."))

    def indicator(self, by_id: object, name: object) -> Indicator:
        text = _text(by_id)
        if text:
            indicator = self.indicators.get(int(text)) if text.isdigit() and len(text) < 19 else None
            if indicator is None:
                raise LookupError(_("This chain has no indicator with id %(id)s.") % {"id": text[:20]})
            return indicator
        given = _text(name)
        if not given:
            raise LookupError(_("Name the indicator."))
        found = self._indicators_by.get(given.casefold(), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise LookupError(
                _("More than one indicator is called “%(name)s”: use the template.") % {"name": given[:100]}
            )
        raise LookupError(_("This chain has no indicator “%(name)s”.") % {"name": given[:100]})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_period(value: object) -> PeriodRef:
    """A period as offices write it: 2026-03, 2026-K1, 2026, 2026-03-01, maart 2026, mrt 2026,
    03-2026, 2026M03 (and a date cell); PeriodUnclear for anything else, such as a date typed as
    a number or a day that could be read two ways."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return parse_period(value.isoformat())
    if isinstance(value, bool):
        raise PeriodUnclear
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise PeriodUnclear
        if 2000 <= value <= 2100:
            return parse_period(str(int(value)))
        raise PeriodUnclear(
            _("This looks like a date stored as a number (%(n)s); write the period as text, e.g. 2026-03.")
            % {"n": _text(value)[:20]}
        )
    return _period_text(" ".join(str(value).split()).casefold())


@lru_cache(maxsize=4096)  # a file names the same few periods on every row
def _period_text(text: str) -> PeriodRef:
    if not text:
        raise PeriodUnclear(_("Give the period, e.g. 2026-03."))
    try:
        return parse_period(text.upper())
    except ValueError:
        pass
    slug = None
    if match := _MONTH_NAME.fullmatch(text):
        month = _MONTHS.get(match[1])
        slug = f"{match[2]}-{month:02d}" if month else None
    elif match := _MONTH_YEAR.fullmatch(text):
        slug = f"{match[2]}-{int(match[1]):02d}" if 1 <= int(match[1]) <= 12 else None
    elif match := _CBS.fullmatch(text.upper()):
        number = int(match[3])
        slug = f"{match[1]}-{number:02d}" if match[2] == "M" else f"{match[1]}-K{number}"
    if slug:
        try:
            return PeriodRef(Period.from_slug(slug).start, Period.from_slug(slug))
        except ValueError:
            pass
    raise PeriodUnclear


def _period_error(refused: PeriodUnclear) -> str:
    return str(refused) or _(
        "This period cannot be read unambiguously: write it as 2026-03 (month), 2026-K1 (quarter) or 2026 (year)."
    )


def _follow_up(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError


def _comment(value: object) -> str:
    """The comment as text; the quote that our exports put before a formula-like text is dropped, so
    a template's comment comes back unchanged."""
    text = (
        ""
        if value is None
        else (value.isoformat() if isinstance(value, date) else _text(value) if not isinstance(value, str) else value)
    )
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def read_rows(table: Table, lookup: Lookup, progress=None) -> ReadFile:
    """Every row of ``table`` that is not empty, with its unit, indicator and period, or its errors."""
    found = ReadFile(notes=list(table.notes))
    positions, ignored = match_headers(table.headers)
    found.columns = {name: str(table.headers[at]).strip() for name, at in positions.items()}
    if ignored:
        found.notes.append(
            _("These columns were ignored: %(columns)s.") % {"columns": ", ".join(f"“{c}”" for c in ignored)}
        )
    missing = []
    if not {"unit_id", "unit", "unit_code"} & positions.keys():
        missing.append(header("unit"))
    if not {"indicator_id", "indicator"} & positions.keys():
        missing.append(header("indicator"))
    if "period" not in positions:
        missing.append(header("period"))
    if not set(NUMBER_FIELDS) & positions.keys():
        missing.append(f"{header('value')} / {header('numerator')} / {header('denominator')}")
    if missing:
        raise FileRefused(
            _("The file has no column for: %(columns)s. Start from the template, or name the columns as it does.")
            % {"columns": ", ".join(missing)}
        )
    wanted = {name: at for name, at in positions.items() if name not in INFORMATIONAL}
    for number, cells in table.rows:
        values = {name: cells[at] if at < len(cells) else None for name, at in wanted.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # an empty row, e.g. under the data or a hidden spacer
        _read_one(found, lookup, number, values)
        if progress is not None and number % 5000 == 0:
            progress(number)
    _read_numbers(found)
    found.units, found.indicators = lookup.units, lookup.indicators
    return found


def _read_one(found: ReadFile, lookup: Lookup, number: int, values: dict) -> None:
    errors: Errors = {}
    unit = indicator = period = None
    try:
        unit = lookup.unit(values.get("unit_id"), values.get("unit_code"), values.get("unit"))
    except LookupError as refused:
        errors["unit"] = str(refused)
    try:
        indicator = lookup.indicator(values.get("indicator_id"), values.get("indicator"))
    except LookupError as refused:
        errors["indicator"] = str(refused)
    try:
        period = read_period(values.get("period"))
    except PeriodUnclear as refused:
        errors["period"] = _period_error(refused)
    except ValueError:  # a well-formed period outside 2000–2100 (periods.OutOfRange) or no date at all
        errors["period"] = _period_error(PeriodUnclear())
    try:
        follow_up = _follow_up(values.get("follow_up"))
    except ValueError:
        errors["follow_up"] = _("Write ja or nee.")
    if errors:
        found.errors[number] = errors
        return
    found.rows.append(
        FileRow(
            number,
            unit.pk,
            indicator.pk,
            period,
            {name: values.get(name) for name in NUMBER_FIELDS},
            _comment(values.get("comment")),
            follow_up,
        )
    )


def _style(text: str) -> str:
    bare = text.replace(" ", "").lstrip(_SIGN)
    if _EITHER.fullmatch(bare):
        return "either"
    if _COMMA.fullmatch(bare):
        return "comma"
    if _POINT.fullmatch(bare):
        return "point"
    return ""


def _read_numbers(found: ReadFile) -> None:
    """Read every number cell once the file's decimal separator is known: a comma (the Dutch way, and
    the default), or a point when the file writes decimals only with points. A file that writes
    both has no convention: "1.500" there could mean either, so such cells are refused, naming rows
    that show each way."""
    example: dict[str, int] = {}
    for row in found.rows:
        for raw in row.numbers.values():
            if not isinstance(raw, str) or not raw or (raw.isascii() and raw.isdigit()):
                continue
            if style := _style(" ".join(raw.replace("\u00a0", " ").split())):
                example.setdefault(style, row.number)
    mixed = "comma" in example and "point" in example
    point = "point" in example and not mixed
    kept = []
    for row in found.rows:
        numbers, errors = {}, {}
        for name, raw in row.numbers.items():
            try:
                numbers[name] = _number(raw, point, mixed)
            except NotANumber as refused:
                errors[name] = refused.message
            except _Ambiguous:
                errors[name] = _(
                    "This file writes decimals with a comma (e.g. row %(comma)s) and with a point (e.g. row "
                    "%(point)s), so “%(typed)s” could mean either: write it without a separator, or every "
                    "number one way."
                ) % {"comma": example["comma"], "point": example["point"], "typed": str(raw).strip()[:30]}
        if errors:
            found.errors[row.number] = errors
        else:
            row.numbers = numbers
            kept.append(row)
    found.rows = kept


class _Ambiguous(Exception):
    pass


def _number(raw: object, point: bool, mixed: bool) -> Decimal | None:
    """A cell as a number (bounds are the bulk check's: numbers.fit via clean_input)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NotANumber(_("Enter a number, e.g. 12 or 12,5."))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NotANumber(_("Enter a number, e.g. 12 or 12,5."))
        return Decimal(repr(raw))
    if isinstance(raw, datetime | date):
        raise NotANumber(_("This is a date, not a number."))
    raw = raw if isinstance(raw, str) else str(raw)
    if raw == "":
        return None
    if raw.isascii() and raw.isdigit() and len(raw) < 40:  # the common case: a plain whole number
        return Decimal(raw)
    text = " ".join(raw.replace("\u00a0", " ").split())
    style = _style(text)
    if mixed and style == "either":
        raise _Ambiguous
    if (point or (mixed and style == "point")) and style in ("point", "either"):
        sign = "-" if text[:1] in "-−" else ""
        try:
            return Decimal(sign + text.lstrip(_SIGN).replace(" ", "").replace(",", ""))
        except InvalidOperation as exc:
            raise NotANumber(_("Enter a number, e.g. 12 or 12,5.")) from exc
    return read_dutch(text)


def to_bulk_rows(found: ReadFile, revisions: dict[int, int] | None = None) -> list[tuple[int, RowInput]]:
    """The rows for the bulk check and write, by row number; ``revisions``: the revision each row's
    figure had at the preview (the write holds the database to it)."""
    revisions = revisions or {}
    return [
        (
            row.number,
            RowInput(
                row.indicator_id,
                row.unit_id,
                row.period,
                CellInput(
                    row.numbers["value"],
                    row.numbers["numerator"],
                    row.numbers["denominator"],
                    row.comment,
                    row.follow_up,
                    revisions.get(row.number),
                ),
            ),
        )
        for row in found.rows
    ]
