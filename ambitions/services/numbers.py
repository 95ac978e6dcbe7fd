"""Numbers at the edge: one reader per channel, one set of bounds per column, and display.

Two channels, two readers (docs/architecture.md, "Numbers"):

- ``parse_form`` reads what people type into the portal's forms (the grid's cells, the whole
  grid, the version forms; later the CSV/XLSX import) *the Dutch way*, whatever the UI language:
  a comma before the decimals, dots (or spaces) between groups of three digits. "1.000" is one
  thousand, "1.000,5" is 1000.5; "1.5" could mean either and is refused with both spellings.
  In the English UI, input that an English reader would read as another number ("1.500",
  "1,500") is refused too.
- ``parse_api`` reads the API's values: JSON numbers, or canonical decimal strings ("1000.5",
  "-3", "0.25") — no decimal comma, no grouping, no exponent, no "+", no other digits than 0-9.

Both then ``fit`` the number to where it is stored: at most the column's digits, at most the
decimals allowed (an indicator's own ``decimals`` for its value, the column's otherwise). Too
many decimals are refused, never rounded away, so no non-zero input is ever stored as 0.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy

from ambitions.models import Figure
from ketenportaal import numbers as _edge
from ketenportaal.numbers import (  # noqa: F401  (re-exported: the form channel and display live there)
    MAX_TYPED,
    Column,
    NotANumber,
    english_reader,
    for_input,
    has_decimals_within,
    read_dutch,
    show,
)

# Figure.value / numerator / denominator (and the version's baseline, target, tolerance, range).
FIGURE = Column.of(Figure, "value")


def fit(number: Decimal | None, column: Column = FIGURE, decimals: int | None = None) -> Decimal | None:
    """ketenportaal.numbers.fit, to the figures' column unless told otherwise."""
    return _edge.fit(number, column, decimals)


def parse_form(text: str | None, column: Column = FIGURE, decimals: int | None = None) -> Decimal | None:
    """ketenportaal.numbers.parse_form, to the figures' column unless told otherwise."""
    return _edge.parse_form(text, column, decimals)


# --- The API channel: JSON numbers and canonical strings --------------------------------------------

# JSON's number grammar without the exponent: "1000.5", "-3", "0.25"; ASCII digits only.
_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?", re.ASCII)
API_NUMBER_HELP = gettext_lazy(
    'Send a JSON number or a decimal string such as "1000.5": a dot before the decimals, nothing else.'
)


def read_api(value: object) -> Decimal | None:
    """A JSON value as a number: null, absent or "" is empty; NotANumber for anything else that is
    not a JSON number or a canonical decimal string. Bounds are ``fit``'s job."""
    kind = type(value)  # not isinstance: true and false are ints to Python
    if value is None:
        return None
    if kind is str:
        if value == "":
            return None
        if len(value) > MAX_TYPED or not _CANONICAL.fullmatch(value):
            raise NotANumber(str(API_NUMBER_HELP))
        return Decimal(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        if not math.isfinite(value):  # NaN, or a JSON number too large for a float
            raise NotANumber(str(API_NUMBER_HELP))
        return Decimal(repr(value))  # the shortest text that is this float: 0.1 stays 0.1
    if kind is Decimal:  # JSON numbers read with parse_float=Decimal (the bulk endpoint)
        return value
    raise NotANumber(str(API_NUMBER_HELP))


def parse_api(value: object, column: Column = FIGURE, decimals: int | None = None) -> Decimal | None:
    """The API channel's parser: ``read_api``, then ``fit``."""
    return fit(read_api(value), column, decimals)
