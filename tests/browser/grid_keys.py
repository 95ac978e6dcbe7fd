"""Typing a month into the entry grid by keyboard, counting every key (issue 8, point 19).

Shared by the grid's browser tests on PostgreSQL (test_entry_grid.py) and on the demo's SQLite
(test_entry_grid_sqlite.py); not a test module itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import expect


@dataclass
class Keys:
    """The page's keyboard, counting: characters of values typed, values, and every other key."""

    page: object
    values: int = 0
    extra: int = 0
    pressed: list[str] = field(default_factory=list)

    def type(self, text: str) -> None:
        self.values += 1
        self.page.keyboard.type(text)

    def press(self, key: str) -> None:
        self.extra += 1
        self.pressed.append(key)
        self.page.keyboard.press(key)


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {name: e && e.getAttribute('name') || '', tag: e && e.tagName || '',
                           text: (e && e.textContent || '').trim()}; }"""
    )


def grid_fields(page) -> list[str]:
    """The names of the grid's number inputs in the page's order (the order of Tab)."""
    return page.eval_on_selector_all("[data-kp-cell] input[inputmode]", "inputs => inputs.map(i => i.name)")


def enter_month(page, values: dict[str, str]) -> Keys:
    """From the page as it loaded: Tab to the first skip link, Enter to jump to the first cell,
    then each value followed by Tab or Enter in turn, at full speed (no waiting for saves).
    Returns the keys used."""
    keys = Keys(page)
    names = grid_fields(page)
    assert set(names) == set(values), "a value for every field of the grid"
    keys.press("Tab")
    assert focused(page)["text"].startswith(("Skip to the first figure", "Naar het eerste cijfer")), focused(page)
    keys.press("Enter")
    assert focused(page)["name"] == names[0], f"the skip link should land in {names[0]}, not {focused(page)}"
    for index, name in enumerate(names):
        keys.type(values[name])
        keys.press("Tab" if index % 2 == 0 else "Enter")
    return keys


def expect_all_saved(page, cells: int) -> None:
    """Every cell answered "saved" and the page's counts say so."""
    expect(page.locator("[data-kp-cell].kp-cell--saved")).to_have_count(cells, timeout=30_000)
    expect(page.locator(".kp-cell--unsaved")).to_have_count(0)
    for count in page.locator("[data-kp-entered]").all():
        expect(count).to_have_text(str(cells))
