"""Reading the API's problem details (RFC 9457) in tests: messages by field, or by row and field."""

from __future__ import annotations

NON_FIELD = "non_field_errors"


def messages(body: dict) -> dict[str, list[str]]:
    """Messages by field or query parameter; the body's own (pointer "") under non_field_errors."""
    found: dict[str, list[str]] = {}
    for entry in body.get("errors", []):
        where = entry.get("parameter") or entry.get("header") or entry["pointer"].lstrip("/").replace("/", ".")
        name = where or NON_FIELD
        found.setdefault(name, []).append(entry["detail"])
    return found


def row_messages(body: dict) -> dict[int, dict[str, list[str]]]:
    """A bulk refusal's messages by row and field (/3/value → {3: {"value": [...]}}; /3 → non_field_errors)."""
    found: dict[int, dict[str, list[str]]] = {}
    for entry in body["errors"]:
        row, _, field = entry["pointer"].lstrip("/").partition("/")
        found.setdefault(int(row), {}).setdefault(field or NON_FIELD, []).append(entry["detail"])
    return found
