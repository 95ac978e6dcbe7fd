"""The columns of an import file and of the template: Dutch headers (the template's), and the
names people give them (Dutch or English, any letter case, any order)."""

from __future__ import annotations

import re

# field → the template's (Dutch) header, then every other name it is known by, in lower case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit_id": ("Onderdeel-id", "onderdeel id", "onderdeelid", "unit id", "unit_id", "unit-id"),
    "indicator_id": ("Indicator-id", "indicator id", "indicatorid", "indicator_id"),
    "organisation": ("Organisatie", "organisation", "organization"),
    "unit": ("Onderdeel", "unit", "eenheid/onderdeel", "unit name", "naam onderdeel"),
    "unit_code": ("Code onderdeel", "onderdeelcode", "code", "unit code", "unit_code"),
    "indicator": ("Indicator", "indicator name", "naam indicator"),
    "kind": ("Soort", "kind", "type"),
    "unit_label": ("Eenheid", "unit of measure", "measure"),
    "period": ("Periode", "period", "maand", "month"),
    "value": ("Waarde", "value", "aantal"),
    "numerator": ("Teller", "numerator"),
    "denominator": ("Noemer", "denominator"),
    "comment": ("Toelichting", "opmerking", "opmerkingen", "comment", "comments", "note"),
    "follow_up": ("Opvolging nodig", "opvolging", "follow-up", "follow up", "needs follow-up", "follow_up"),
}
# Columns the template shows for the reader's sake; an import reads them without a note.
INFORMATIONAL = frozenset({"organisation", "kind", "unit_label"})
TEMPLATE_ORDER = tuple(COLUMNS)
HIDDEN = ("unit_id", "indicator_id")


def header(field: str) -> str:
    return COLUMNS[field][0]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip().rstrip("*").strip().casefold()


_BY_NAME = {_normal(name): field for field, names in COLUMNS.items() for name in names}


def match_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds which field (the first one when a field's column appears twice), and the
    headers of the columns that are ignored."""
    found: dict[str, int] = {}
    ignored: list[str] = []
    for position, text in enumerate(headers):
        field = _BY_NAME.get(_normal(text))
        if field is None:
            if _normal(text):
                ignored.append(str(text).strip()[:100])
        elif field not in found:
            found[field] = position
    return found, ignored
