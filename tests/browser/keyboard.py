"""Moving through a page by keyboard alone, for the browser tests' keyboard-only journeys."""

from __future__ import annotations


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching the CSS ``selector`` has the focus; fail after ``limit``
    presses (the element cannot be reached by keyboard)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus by Tab")
