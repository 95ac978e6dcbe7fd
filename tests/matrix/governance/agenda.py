"""Matrix rows of governance (see tests/matrix/governance/__init__.py)."""

ROWS: list = []


def add_objects(w, found) -> None:
    """Objects these rows point at, one per target, in ``found.by_kind``."""
