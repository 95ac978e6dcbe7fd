"""Numbers at the edge, free of any app: typed the Dutch way, fitted to a column, shown.

Moved here from ambitions/services/numbers.py (which keeps the API channel and the figures'
column, and re-exports these) so that every app's forms read numbers the same way: ambitions'
figures and versions, stakeholders' contributions (issue 13). See that module's docstring for
the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _


class NotANumber(ValueError):
    """The input is refused; ``message`` says why, for the field that holds it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """What a DecimalField column holds: ``max_digits`` digits, ``decimal_places`` of them decimals."""

    max_digits: int
    decimal_places: int

    @classmethod
    def of(cls, model, name: str) -> Column:
        field = model._meta.get_field(name)
        return cls(field.max_digits, field.decimal_places)

    @property
    def whole_digits(self) -> int:
        return self.max_digits - self.decimal_places


# --- Fitting a number to its column ---------------------------------------------------------------


def has_decimals_within(number: Decimal, places: int) -> bool:
    """Whether ``number`` has at most ``places`` significant decimals (12.50 has one). Read from its
    digits, without arithmetic, so it is exact for any exponent and any number of digits."""
    text = str(number)  # the common case, cheaply (a bulk request checks 100,000s of numbers)
    dot = text.find(".")
    if "E" not in text and (dot < 0 or len(text) - dot - 1 <= places):
        return True
    _sign, digits, exponent = number.as_tuple()
    excess = -exponent - places  # decimals beyond ``places``: they must all be trailing zeros
    return excess <= 0 or (excess <= len(digits) and not any(digits[-excess:]))


def fit(number: Decimal | None, column: Column, decimals: int | None = None) -> Decimal | None:
    """``number`` if ``column`` holds it with at most ``decimals`` decimals (default: the column's);
    NotANumber otherwise. Never rounds and never computes with the number before it is bounded,
    so "1e999999999" is a message, not a decimal.Overflow."""
    if number is None:
        return None
    if not number.is_finite():
        raise NotANumber(_("Enter a number, e.g. 12 or 12,5."))
    if number.is_zero():
        return Decimal(0)  # also for -0 and 0E-10
    if number.adjusted() >= column.whole_digits:
        raise NotANumber(
            _("This number is too large: at most %(digits)s digits before the decimal separator.")
            % {"digits": column.whole_digits}
        )
    allowed = column.decimal_places if decimals is None else min(decimals, column.decimal_places)
    if not has_decimals_within(number, allowed):
        if number.adjusted() < -allowed:
            # Rounded to what is stored it would be 0: say so rather than store 0.
            if allowed == 0:
                raise NotANumber(_("This number would be stored as 0: enter a whole number."))
            raise NotANumber(
                ngettext(
                    "This number is too small: it would be stored as 0 with %(count)s decimal.",
                    "This number is too small: it would be stored as 0 with %(count)s decimals.",
                    allowed,
                )
                % {"count": allowed}
            )
        if allowed == 0:
            raise NotANumber(_("Enter a whole number: no decimals are allowed here."))
        raise NotANumber(
            ngettext(
                "Use at most %(count)s decimal.",
                "Use at most %(count)s decimals.",
                allowed,
            )
            % {"count": allowed}
        )
    return number


# --- The form channel: numbers typed the Dutch way ------------------------------------------------

MAX_TYPED = 60  # characters; far beyond any number a column holds, short enough to read cheaply
_SIGNS = {"-": -1, "\u2212": -1, "+": 1}  # the typographic minus comes with text copied from documents
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2009"), " ")  # no-break and thin spaces, as spaces
# Whole part: plain digits, or groups of three after a first group of one to three (not starting
# with 0), separated by dots or by spaces (one kind only). Then an optional decimal comma.
_PLAIN = r"[0-9]+"
_DOTTED = r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+"
_SPACED = r"[1-9][0-9]{0,2}(?: [0-9]{3})+"
_DUTCH = re.compile(rf"(?P<whole>{_PLAIN}|{_DOTTED}|{_SPACED})?(?:,(?P<fraction>[0-9]+))?", re.ASCII)
# What an English reader reads differently: one group of three after a dot or after a comma.
_ENGLISH_AMBIGUOUS = re.compile(r"[1-9][0-9]{0,2}[.,][0-9]{3}", re.ASCII)
_DOT_DECIMAL = re.compile(r"(?P<whole>[0-9]+)\.(?P<fraction>[0-9]+)", re.ASCII)


def english_reader() -> bool:
    """Whether the active UI language is English (its readers read "1.500" as one and a half)."""
    return (get_language() or "").startswith("en")


def read_dutch(text: str | None, *, english: bool = False) -> Decimal | None:
    """The number a Dutch reader reads in ``text``; None when empty; NotANumber with a message that
    shows the right way when it is ambiguous or not a number. Bounds are ``fit``'s job."""
    if text is None:
        return None
    if len(text) > 4 * MAX_TYPED:  # before reading it: a form field may bring megabytes
        raise NotANumber(_("Enter a number, e.g. 12 or 12,5."))
    cleaned = " ".join(text.translate(_SPACES).split())
    if not cleaned:
        return None
    if len(cleaned) > MAX_TYPED:
        raise NotANumber(_("Enter a number, e.g. 12 or 12,5."))
    sign = 1
    if cleaned[0] in _SIGNS:
        sign, cleaned = _SIGNS[cleaned[0]], cleaned[1:].lstrip()
    match = _DUTCH.fullmatch(cleaned)
    if not match or not (match["whole"] or match["fraction"]):
        raise NotANumber(_dutch_hint(cleaned, english))
    if english and _ENGLISH_AMBIGUOUS.fullmatch(cleaned):
        raise NotANumber(_english_hint(cleaned, "-" if sign < 0 else ""))
    whole = re.sub(r"[. ]", "", match["whole"] or "0")
    number = Decimal(f"{whole}.{match['fraction'] or '0'}")
    return -number if sign < 0 else number


def _english_hint(cleaned: str, minus: str) -> str:
    """For "1.500" or "1,500": both readings, each written so that nobody can misread it."""
    whole, rest = re.split(r"[.,]", cleaned)
    thousands = f"{minus}{whole}{rest}"
    fraction = rest.rstrip("0")
    decimal = f"{minus}{whole},{fraction}" if fraction else f"{minus}{whole}"
    dutch, english = (thousands, decimal) if "." in cleaned else (decimal, thousands)
    return _("“%(typed)s” is read differently in Dutch and in English: write %(dutch)s or %(english)s.") % {
        "typed": minus + cleaned,
        "dutch": dutch,
        "english": english,
    }


def _dutch_hint(cleaned: str, english: bool) -> str:
    """Why typed text is not a Dutch number, with the right way to write what was probably meant
    (thousands without a dot for English readers, who would read 1.500 as one and a half)."""
    dotted = _DOT_DECIMAL.fullmatch(cleaned)
    if dotted:
        whole, fraction = dotted["whole"], dotted["fraction"]
        comma = f"{whole},{fraction}"
        if len(fraction) < 3 and len(whole) <= 3 and not whole.startswith("0"):
            return _(
                "Use a comma before the decimals: write %(comma)s, or %(thousands)s for thousands "
                "(a dot separates thousands)."
            ) % {"comma": comma, "thousands": whole + ("" if english else ".") + fraction.ljust(3, "0")}
        return _("Use a comma before the decimals: write %(comma)s (a dot separates thousands).") % {"comma": comma}
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", cleaned, re.ASCII):
        return _("Write numbers the Dutch way: a dot between thousands and a comma before the decimals, e.g. 1.000,5.")
    return _("Enter a number, e.g. 12 or 12,5.")


def parse_form(text: str | None, column: Column, decimals: int | None = None) -> Decimal | None:
    """The form channel's parser: ``read_dutch`` (stricter in the English UI), then ``fit``."""
    return fit(read_dutch(text, english=english_reader()), column, decimals)


# --- Display --------------------------------------------------------------------------------------


def show(number: Decimal | None, decimals: int) -> str:
    """A number for display in the active language, or an em dash without data."""
    if number is None:
        return "—"
    return number_format(round(number, decimals), decimals, use_l10n=True)


def for_input(number: Decimal | None) -> str:
    """A stored number as it goes back into an input field, the way ``parse_form`` reads it in any
    UI language: a decimal comma and no grouping ("1234,5"). Exactly three decimals get a fourth
    zero ("1,2500"), as "1,250" would be refused in the English UI (an English reader reads 1250)."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    if "." in text:
        whole, fraction = text.split(".")
        if len(fraction) == 3 and len(whole.lstrip("-")) <= 3:
            fraction += "0"
        text = f"{whole},{fraction}"
    return text


class DecimalTextField(forms.DecimalField):
    """A decimal in a plain text box, typed the Dutch way (12,5 or 1.234,5: parse_form),
    bounded to the model field's digits and decimals with a message."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_form(str(value), Column(self.max_digits, self.decimal_places))
        except NotANumber as refused:
            raise ValidationError(refused.message, code="invalid") from None

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def prepare_value(self, value):
        return for_input(value) if isinstance(value, Decimal) else value
