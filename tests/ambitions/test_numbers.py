"""The two number parsers (ambitions/services/numbers.py), table-driven: the form channel reads
numbers the Dutch way, the API channel JSON numbers and canonical decimal strings; both bound
every number to its column and its decimals, with a message, never an exception of their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from ambitions.services.numbers import FIGURE, Column, NotANumber, fit, for_input, parse_api, parse_form, read_dutch

FACTOR = Column(10, 2)  # IndicatorVersion.factor


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are checked as written (their msgids)."""
    with translation.override("en"):
        yield


def form(text: str, decimals: int | None = None, english: bool = False, column: Column = FIGURE):
    """What parse_form does, with the reader's language explicit instead of the active one."""
    return fit(read_dutch(text, english=english), column, decimals)


# (typed text, decimals allowed, English UI, the number or a part of the message)
FORM_CASES = [
    # Empty is empty.
    ("", None, False, None),
    ("   ", None, False, None),
    # Plain numbers, a decimal comma, signs, spaces around.
    ("0", 0, False, Decimal(0)),
    ("12", 0, False, Decimal(12)),
    ("007", 0, False, Decimal(7)),
    ("12,5", 1, False, Decimal("12.5")),
    ("0,5", 1, False, Decimal("0.5")),
    (",5", 1, False, Decimal("0.5")),
    ("-12", 0, False, Decimal(-12)),
    ("\u221212", 0, False, Decimal(-12)),
    ("+12", 0, False, Decimal(12)),
    ("-0", 0, False, Decimal(0)),
    ("  12  ", 0, False, Decimal(12)),
    # A dot followed by groups of three digits separates thousands: the "1.000" and "1.200 / 1.500".
    ("1.000", 0, False, Decimal(1000)),
    ("1.200", 0, False, Decimal(1200)),
    ("1.500", 0, False, Decimal(1500)),
    ("-1.500", 0, False, Decimal(-1500)),
    ("1.234.567", 0, False, Decimal(1234567)),
    ("1.000,5", 1, False, Decimal("1000.5")),
    ("1.234.567,89", 2, False, Decimal("1234567.89")),
    # Spaces (also no-break and narrow no-break ones) separate thousands as well.
    ("1 000", 0, False, Decimal(1000)),
    ("1\u00a0000", 0, False, Decimal(1000)),
    ("1\u202f000,25", 2, False, Decimal("1000.25")),
    # Trailing zeros are no decimals; the largest number the column holds.
    ("12,50", 1, False, Decimal("12.5")),
    ("12,0", 0, False, Decimal(12)),
    ("1,000", 4, False, Decimal(1)),
    ("12,345", 3, False, Decimal("12.345")),
    ("0,0001", 4, False, Decimal("0.0001")),
    ("99.999.999.999.999,9999", 4, False, Decimal("99999999999999.9999")),
    # Ambiguous: refused with the right ways to write it.
    ("1.5", 1, False, "write 1,5, or 1.500 for thousands"),
    ("12.50", 2, False, "write 12,50, or 12.500 for thousands"),
    ("0.5", 1, False, "write 0,5 (a dot separates thousands)"),
    ("0.500", 3, False, "write 0,500 (a dot separates thousands)"),
    ("1.2345", 4, False, "write 1,2345 (a dot separates thousands)"),
    ("1234.5", 1, False, "write 1234,5 (a dot separates thousands)"),
    # English notation.
    ("1,000.5", 1, False, "the Dutch way"),
    ("1,000,000", 0, False, "the Dutch way"),
    # More decimals than allowed: refused, never rounded (so never stored as 0).
    ("12,5", 0, False, "Enter a whole number"),
    ("12,55", 1, False, "Use at most 1 decimal."),
    ("1,23456", None, False, "Use at most 4 decimals."),
    ("0,00005", 4, False, "too small: it would be stored as 0 with 4 decimals"),
    ("0,4", 0, False, "would be stored as 0: enter a whole number"),
    # Too large for the column: the 1e999999999, and one past the largest.
    ("1e999999999", 4, False, "Enter a number"),
    ("100.000.000.000.000", 0, False, "too large: at most 14 digits"),
    ("123.456.789", 2, False, "too large: at most 8 digits"),  # a factor
    # Not numbers.
    ("1E5", 0, False, "Enter a number"),
    ("NaN", 0, False, "Enter a number"),
    ("Infinity", 0, False, "Enter a number"),
    ("\u0661\u0662", 0, False, "Enter a number"),  # Arabic-Indic 12
    ("\uff11\uff12", 0, False, "Enter a number"),  # full-width 12
    ("1_000", 0, False, "Enter a number"),
    ("1.00,5", 1, False, "Enter a number"),
    ("1.000.00", 2, False, "Enter a number"),
    ("12,5,6", 1, False, "Enter a number"),
    ("--5", 0, False, "Enter a number"),
    ("12 5", 0, False, "Enter a number"),
    ("1 000.000", 0, False, "Enter a number"),
    ("12%", 0, False, "Enter a number"),
    ("€ 12", 0, False, "Enter a number"),
    ("veel", 0, False, "Enter a number"),
    ("1" * 300, 0, False, "Enter a number"),
    # In the English UI, what an English reader reads as another number is refused too.
    ("1.500", 0, True, "read differently in Dutch and in English: write 1500 or 1,5."),
    ("1,500", 3, True, "read differently in Dutch and in English: write 1,5 or 1500."),
    ("-1,250", 3, True, "write -1,25 or -1250"),
    ("1.000", 0, True, "write 1000 or 1."),
    ("1.5", 1, True, "write 1,5, or 1500 for thousands"),
    ("1.000,5", 1, True, Decimal("1000.5")),
    ("1.234.567", 0, True, Decimal(1234567)),
    ("12,5", 1, True, Decimal("12.5")),
    ("1234,567", 3, True, Decimal("1234.567")),
    ("1,2500", 4, True, Decimal("1.25")),
    ("1500", 0, True, Decimal(1500)),
]


def _column(decimals: int | None, expected) -> Column:
    return FACTOR if expected == "too large: at most 8 digits" else FIGURE


@pytest.mark.parametrize(("text", "decimals", "english", "expected"), FORM_CASES)
def test_it_reads_numbers_typed_in_a_form_the_dutch_way(text, decimals, english, expected):
    column = _column(decimals, expected)
    if isinstance(expected, str):
        with pytest.raises(NotANumber) as refused:
            form(text, decimals, english, column)
        assert expected in refused.value.message
    else:
        number = form(text, decimals, english, column)
        assert number == expected
        assert (number is None) == (expected is None)


def test_the_form_table_has_forty_cases_or_more():
    assert len(FORM_CASES) >= 40


def test_parse_form_is_stricter_in_the_english_ui():
    with translation.override("nl"):
        assert parse_form("1.500") == 1500
    with translation.override("en"), pytest.raises(NotANumber, match="read differently"):
        parse_form("1.500")


# (JSON value, decimals allowed, the number or a part of the message)
API_CASES = [
    (None, None, None),
    ("", None, None),
    (0, 0, Decimal(0)),
    (12, 0, Decimal(12)),
    (-3, 0, Decimal(-3)),
    ("1000.5", 1, Decimal("1000.5")),
    ("-3", 0, Decimal(-3)),
    ("0.25", 2, Decimal("0.25")),
    ("0", 0, Decimal(0)),
    ("-0", 0, Decimal(0)),
    ("1.000", 0, Decimal(1)),  # the API's dot is always the decimal point
    ("12.50", 1, Decimal("12.5")),
    ("12.0", 0, Decimal(12)),
    (12.5, 1, Decimal("12.5")),
    (0.1, 1, Decimal("0.1")),
    (1e3, 0, Decimal(1000)),
    (1e-4, 4, Decimal("0.0001")),
    (Decimal("12.5"), 1, Decimal("12.5")),  # a JSON number read as Decimal
    (Decimal("1E+3"), 0, Decimal(1000)),
    ("99999999999999.9999", 4, Decimal("99999999999999.9999")),
    (-99999999999999, 0, Decimal(-99999999999999)),
    # Not canonical: no decimal comma, grouping, exponent, sign, spaces or other digits.
    ("12,5", 1, "Send a JSON number"),
    ("1.000,5", 1, "Send a JSON number"),
    ("1,000", 0, "Send a JSON number"),
    ("1_000", 0, "Send a JSON number"),
    ("1 000", 0, "Send a JSON number"),
    ("\u0661\u0662", 0, "Send a JSON number"),
    ("\uff11\uff12", 0, "Send a JSON number"),
    ("1e3", 0, "Send a JSON number"),
    ("1E3", 0, "Send a JSON number"),
    ("1e999999999", 0, "Send a JSON number"),
    ("NaN", 0, "Send a JSON number"),
    ("Infinity", 0, "Send a JSON number"),
    ("+1", 0, "Send a JSON number"),
    ("\u22121", 0, "Send a JSON number"),
    (" 1", 0, "Send a JSON number"),
    ("1 ", 0, "Send a JSON number"),
    (".5", 1, "Send a JSON number"),
    ("5.", 0, "Send a JSON number"),
    ("007", 0, "Send a JSON number"),
    ("0x10", 0, "Send a JSON number"),
    ("1" * 100, 0, "Send a JSON number"),
    # Not numbers at all.
    (True, 0, "Send a JSON number"),
    (False, 0, "Send a JSON number"),
    ([1], 0, "Send a JSON number"),
    ({"value": 1}, 0, "Send a JSON number"),
    (float("nan"), 0, "Send a JSON number"),
    (float("inf"), 0, "Send a JSON number"),
    # Bounded to the column and the decimals allowed.
    (Decimal("1E+999999999"), 4, "too large: at most 14 digits"),
    (10**20, 0, "too large: at most 14 digits"),
    ("100000000000000", 0, "too large: at most 14 digits"),
    (Decimal("1E-999999999"), 4, "too small: it would be stored as 0"),
    ("0.00005", 4, "too small: it would be stored as 0"),
    (12.5, 0, "Enter a whole number"),
    ("12.55", 1, "Use at most 1 decimal."),
    (0.1 + 0.2, None, "Use at most 4 decimals."),
]


@pytest.mark.parametrize(("value", "decimals", "expected"), API_CASES)
def test_it_reads_api_numbers_and_canonical_strings_only(value, decimals, expected):
    if isinstance(expected, str):
        with pytest.raises(NotANumber) as refused:
            parse_api(value, FIGURE, decimals)
        assert expected in refused.value.message
    else:
        number = parse_api(value, FIGURE, decimals)
        assert number == expected
        assert (number is None) == (expected is None)


def test_the_api_table_has_forty_cases_or_more():
    assert len(API_CASES) >= 40


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (None, ""),
        (Decimal("12.5000"), "12,5"),
        (Decimal("1500.0000"), "1500"),
        (Decimal("-0.2500"), "-0,25"),
        (Decimal("1.2500"), "1,25"),
        (Decimal("1.2340"), "1,2340"),  # "1,234" would read as 1234 to an English reader
        (Decimal("1234.5670"), "1234,567"),
    ],
)
def test_a_stored_number_goes_back_into_an_input_as_parse_form_reads_it(number, shown):
    assert for_input(number) == shown
    for language in ("nl", "en"):
        with translation.override(language):
            assert parse_form(shown) == number
