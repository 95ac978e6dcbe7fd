"""Matrix rows of issue 14's public page (filled in with the feature); see tests/matrix/recognition/__init__.py."""

from __future__ import annotations

ROWS: list = []


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at (none yet)."""
