"""The years every date a person or a system gives the portal must lie in: 2000–2100.

One rule for every channel and every app: reporting periods build on it, and so do mandate
validity and partnership dates. Outside it a date's neighbours leave what ``date`` can hold (year 1 or
9999: "the day after" overflows) and a stored year 9999 is an absurdity nobody meant.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIRST_YEAR, LAST_YEAR = 2000, 2100


def in_range(day: date) -> bool:
    """Whether ``day`` lies in the years every channel accepts (2000–2100)."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def range_message() -> str:
    """What a form or the API says about a period or date outside the range."""
    return _("Give a period or date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def validate_in_range(day: date | None) -> None:
    """A model, form or serializer validator: the range as a field error."""
    if day is not None and not in_range(day):
        raise ValidationError(range_message(), code="out_of_range")
