"""Text at the edge: what any text field accepts, in every channel (forms, API).

One rule, applied where input enters: by ``PortalFormMixin`` (ketenportaal/forms.py) to every
text field of every portal form, and by the services that read API bodies (a figure's comment:
ambitions/services/entry.py, for the grid, the single and the bulk API alike).

- No control characters: NUL breaks PostgreSQL, the others are invisible, break the XLSX export
  (XML) and serve no purpose. A text of several lines keeps its newlines and tabs.
- No unpaired surrogates (only JSON can carry them, as "\\ud800"): they are not text, and no
  database or file can store them.
- No U+FFFE / U+FFFF (not characters; XML refuses them).
- A length limit: what a form allows (``max_length``), or ``TEXT_MAX`` where nothing is said, so
  no field can take a 20 MB text that every page showing it then has to carry.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The most any text field takes unless its form says otherwise (about ten pages of text).
TEXT_MAX = 20_000

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_NOT_TEXT = "\ud800-\udfff\ufffe\uffff"
_FORBIDDEN_IN_LINES = re.compile(f"[{_CONTROL}{_NOT_TEXT}]")
_FORBIDDEN_IN_LINE = re.compile(f"[{_CONTROL}\t\n\r{_NOT_TEXT}]")


class TextRefused(ValueError):
    """The text is refused; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def problem(text: str, *, multiline: bool = True, max_length: int | None = TEXT_MAX) -> str | None:
    """Why ``text`` cannot be accepted, or None. Checks the length first, so a huge text is not scanned."""
    if max_length is not None and len(text) > max_length:
        return ngettext(
            "Use at most %(max)s character (this text has %(length)s).",
            "Use at most %(max)s characters (this text has %(length)s).",
            max_length,
        ) % {"max": max_length, "length": len(text)}
    bad = (_FORBIDDEN_IN_LINES if multiline else _FORBIDDEN_IN_LINE).search(text)
    if bad is None:
        return None
    char = bad.group()
    if multiline or char not in "\t\n\r":
        return _("This text contains a character that cannot be stored (U+%(code)04X): remove it.") % {
            "code": ord(char)
        }
    return _("Write this on one line.")


def clean_text(text: str, *, multiline: bool = True, max_length: int | None = TEXT_MAX) -> str:
    """``text`` with its line breaks as \\n and without surrounding space; TextRefused if it breaks a rule."""
    if max_length is not None and len(text) > 2 * max_length + 1000:
        # Far too long even with every \r\n counted as one: refused without copying it.
        raise TextRefused(problem(text, multiline=multiline, max_length=max_length) or "")
    cleaned = text.replace("\r\n", "\n").strip()
    message = problem(cleaned, multiline=multiline, max_length=max_length)
    if message:
        raise TextRefused(message)
    return cleaned


@deconstructible
class TextValidator:
    """The rule for a form field (the length is the field's own max_length validator's job)."""

    def __init__(self, multiline: bool = True):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return  # a field that turns its text into something else checks that itself
        message = problem(value, multiline=self.multiline, max_length=None)
        if message:
            raise ValidationError(message, code="text")

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline
