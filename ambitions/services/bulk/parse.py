"""Reading one row of the bulk upsert (and the single-figure API write, which reads its body
with the same ``read_row``): its shape, its period, and whether its numbers fit the indicator's kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from django.utils.translation import gettext as _

from ambitions.models import (
    IndicatorVersion,
)
from ambitions.periods import Frequency, Period, check_date
from ambitions.services.entry import (
    CellInput,
    CellRefused,
)
from ambitions.services.numbers import NotANumber, read_api

MAX_REVISION = 2**31 - 1  # Figure.revision is a PostgreSQL integer
NON_FIELD = "__all__"
FIELDS = frozenset(
    {"indicator", "unit", "period", "value", "numerator", "denominator", "comment", "follow_up", "revision"}
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Errors = dict[str, str]
Key = tuple[int, int, date]  # (indicator id, unit id, period start): one cell


# --- Reading one row ---------------------------------------------------------------------------


class PeriodRef(NamedTuple):
    """A period as the client named it: by slug (its frequency known) or by the date it starts."""

    start: date
    period: Period | None  # None: given as a date, so the definition's frequency decides


def parse_period(value: object) -> PeriodRef:
    """``"2026-03"``, ``"2026-K1"``, ``"2026"`` or ``"2026-03-01"``; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError(value)
    return _parse_period_text(value)


@lru_cache(maxsize=4096)  # a bulk request names the same few periods on every row
def _parse_period_text(value: str) -> PeriodRef:
    text = value.strip()
    if _ISO_DATE.match(text):
        return PeriodRef(check_date(date.fromisoformat(text)), None)
    period = Period.from_slug(text)
    return PeriodRef(period.start, period)


def resolve_period(ref: PeriodRef, version: IndicatorVersion | None) -> Period:
    """The period a row means; a date must be the first day of one of the definition's periods."""
    if ref.period is not None:
        return ref.period
    if version is None:
        # No definition, so no frequency: check_cell_open refuses the cell with its own message.
        return Period.containing(ref.start, Frequency.MONTH)
    period = Period.containing(ref.start, version.frequency)
    if period.start != ref.start:
        raise CellRefused(
            {
                "period": _(
                    "%(date)s is not the first day of a period of this indicator; that period starts on %(start)s."
                )
                % {"date": ref.start.isoformat(), "start": period.start.isoformat()}
            }
        )
    return period


@dataclass
class RowInput:
    indicator_id: int
    unit_id: int
    period: PeriodRef
    cell: CellInput


def _identifier(value: object) -> int | None:
    if type(value) is int:
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None  # also for True and False, which are ints to Python but not ids


def _revision_ok(value: object) -> bool:
    """No revision, or a whole number the column holds (10**30 is no revision, and no 500 either)."""
    return value is None or (type(value) is int and 0 <= value <= MAX_REVISION)


def _number(value: object) -> Decimal | NotANumber | None:
    """A JSON number or a canonical decimal string, read by the API's one parser (numbers.read_api;
    save_cell bounds it); None when empty (null, absent or ""); the refusal, returned rather than
    raised, when it is neither."""
    try:
        return read_api(value)
    except NotANumber as refused:
        return refused


def read_row(raw: object) -> tuple[RowInput | None, Errors]:
    """Check the shape and types of one row; the errors name the row's fields.

    The common case (a well-formed row) runs straight through: this is called for every row of a
    bulk request, up to 100,000 times.
    """
    if not isinstance(raw, dict):
        return None, {NON_FIELD: _("Each row must be an object with the fields of one figure.")}
    get = raw.get
    indicator_id = _identifier(get("indicator"))
    unit_id = _identifier(get("unit"))
    value, numerator, denominator = (
        _number(get("value")),
        _number(get("numerator")),
        _number(get("denominator")),
    )
    comment = get("comment")
    if comment is None:
        comment = ""
    follow_up = get("follow_up")
    if follow_up is None:
        follow_up = False
    revision = get("revision")
    period_text = get("period")
    try:
        period = parse_period(period_text)
    except ValueError:
        period = None
    if (
        indicator_id is None
        or unit_id is None
        or period is None
        or type(value) is NotANumber
        or type(numerator) is NotANumber
        or type(denominator) is NotANumber
        or type(comment) is not str
        or type(follow_up) is not bool
        or not _revision_ok(revision)
        or not FIELDS.issuperset(raw)
    ):
        return None, _row_errors(raw, indicator_id, unit_id, period, value, numerator, denominator)
    cell = CellInput(value, numerator, denominator, comment, follow_up, revision)
    return RowInput(indicator_id, unit_id, period, cell), {}


def _row_errors(raw: dict, indicator_id, unit_id, period, value, numerator, denominator) -> Errors:
    errors: Errors = {_field_name(name): _("Unknown field.") for name in raw if name not in FIELDS}
    if indicator_id is None:
        errors["indicator"] = _("Give the id of the indicator.")
    if unit_id is None:
        errors["unit"] = _("Give the id of the unit.")
    if period is None:
        errors["period"] = _(
            "Give the period as 2026-03 (month), 2026-K1 (quarter), 2026 (year) or the date it starts."
        )
    for name, number in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        if type(number) is NotANumber:
            errors[name] = number.message
    if not isinstance(raw.get("comment", ""), str | None):
        errors["comment"] = _("The comment must be text.")
    if not isinstance(raw.get("follow_up", False), bool | None):
        errors["follow_up"] = _("Must be true or false.")
    if not _revision_ok(raw.get("revision")):
        errors["revision"] = _("Give the figure's revision as a whole number (0 for a figure that does not exist yet).")
    return errors


def _field_name(name: str) -> str:
    """An unknown field's name as the error can show it: short, and text (JSON can carry "\\ud800")."""
    return name[:100].encode("utf-8", "backslashreplace").decode("utf-8")


def _given(raw: str | Decimal | None) -> bool:
    return raw is not None and (not isinstance(raw, str) or bool(raw.strip()))


def check_kind(version: IndicatorVersion, cell: CellInput) -> None:
    """A value for a ratio, or a numerator for a sum, is a mistake in the client, not an empty cell."""
    if version.is_ratio:
        if _given(cell.value):
            raise CellRefused({"value": _("This indicator is a ratio: give the numerator and the denominator.")})
    elif _given(cell.numerator) or _given(cell.denominator):
        message = _("This indicator is a sum: give the value.")
        raise CellRefused({name: message for name in ("numerator", "denominator") if _given(getattr(cell, name))})
