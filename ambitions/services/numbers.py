"""Reading numbers as Dutch users type them, and showing them the same way."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.formats import get_format, number_format

_DUTCH_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")


class NotANumber(ValueError):
    pass


def parse_decimal(text: str | None) -> Decimal | None:
    """'12,5' → 12.5; '1.234,5' → 1234.5; '12.5' → 12.5; '' → None; anything else raises NotANumber.

    A comma is the decimal separator in Dutch. A dot is read as a decimal point unless the text
    is grouped in thousands with a comma after it (1.234,5) — '1.234' alone stays 1.234, as
    typed into any spreadsheet.
    """
    if text is None:
        return None
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if "," in cleaned:
        if _DUTCH_THOUSANDS.match(cleaned):
            cleaned = cleaned.replace(".", "")
        if cleaned.count(",") > 1 or "." in cleaned:
            raise NotANumber(text)
        cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation as exc:
        raise NotANumber(text) from exc
    if not number.is_finite():
        raise NotANumber(text)
    return number


def show(number: Decimal | None, decimals: int) -> str:
    """A number for display in the active language, or an em dash without data."""
    if number is None:
        return "—"
    return number_format(round(number, decimals), decimals, use_l10n=True)


def for_input(number: Decimal | None) -> str:
    """A stored number as it goes back into an input field: the language's decimal mark, no grouping."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))
