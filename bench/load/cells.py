"""The entry grid as a browser with htmx sees it: which cells can be saved, and the post that
saves one (templates/ambitions/_cell.html). Used by the locust contributors and the CPU run.

A cell row's inputs are posted by htmx: every input of the row, including the hidden
``loaded`` token (the revision and fingerprint the row was loaded with), with ``indicator``
and ``unit``, and the CSRF token from the page's ``hx-headers``. Two markups are read, as
static/js/entry-grid.js reads them: a row with its own ``hx-post`` and ``hx-vals``, or (the
lighter grid) a row inside a tbody whose ``data-kp-save`` is the address, with indicator and
unit in the row's id (``cell-<indicator>-<unit>``) and a number text box
(``inputmode="decimal"``) when it can be entered. After a save the response is the row again,
with the new tokens, which the next save of that cell must send.

Parsed with regular expressions rather than an HTML parser: the grid is about a megabyte and the
load generator runs on the same two cores as the server, so its own CPU time matters.
"""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass, field

_ROW = re.compile(r"<tr\b([^>]*\bdata-kp-cell\b[^>]*)>(.*?)</tr>", re.S)
_SAVE = re.compile(r"\bdata-kp-save=\"([^\"]*)\"")
_ID = re.compile(r"cell-(\d+)-(\d+)$")
_INPUT = re.compile(r"<(input|textarea)\b([^>]*)>(?:([^<]*)</textarea>)?", re.S)
_ATTR = re.compile(r"([\w:-]+)=(\"[^\"]*\"|'[^']*')")


def _attrs(text: str) -> dict[str, str]:
    return {name: html.unescape(value[1:-1]) for name, value in _ATTR.findall(text)}


@dataclass
class Cell:
    url: str
    fields: dict[str, str] = field(default_factory=dict)

    def _name(self, suffix: str) -> str | None:
        return next((name for name in self.fields if name.endswith(f"-{suffix}")), None)

    def post_data(self, rng: random.Random) -> dict[str, str]:
        """The row's inputs with a new, valid figure typed in (a ratio: a numerator within its
        denominator; a sum: an amount within the indicator's range)."""
        data = dict(self.fields)
        numerator, denominator, value = self._name("numerator"), self._name("denominator"), self._name("value")
        if numerator and denominator:
            total = int(float(data[denominator] or 0)) or rng.randint(50, 400)
            data[denominator] = str(total)
            data[numerator] = str(rng.randint(0, total))
        elif value:
            data[value] = str(rng.randint(100, 500))
        return data


def parse(page: str, known: dict[str, Cell] | None = None) -> dict[str, Cell]:
    """The cells of a grid page that can be saved, by row id; for one saved row, pass the cells
    ``known`` already (the row alone does not say where it posts)."""
    saves = [(match.start(), html.unescape(match.group(1))) for match in _SAVE.finditer(page)]
    cells = {}
    for match in _ROW.finditer(page):
        attrs, body = _attrs(match.group(1)), match.group(2)
        row_id = attrs.get("id", "")
        ids = _ID.search(row_id)
        url = attrs.get("hx-post") or next((url for at, url in reversed(saves) if at < match.start()), None)
        if url is None and known and row_id in known:
            url = known[row_id].url
        if not url or ("hx-post" not in attrs and 'inputmode="decimal"' not in body):
            continue  # locked or closed: shown, not entered
        fields = json.loads(attrs["hx-vals"]) if "hx-vals" in attrs else {}
        if not fields and ids:
            fields = {"indicator": ids.group(1), "unit": ids.group(2)}
        cell = Cell(url=url, fields=fields)
        for tag, input_attrs, text in _INPUT.findall(body):
            one = _attrs(input_attrs)
            name = one.get("name")
            if not name or one.get("type") in ("submit", "button"):
                continue
            if one.get("type") == "checkbox":
                if "checked" in input_attrs.split():
                    cell.fields[name] = "on"
                continue
            cell.fields[name] = html.unescape(text) if tag == "textarea" else one.get("value", "")
        cells[row_id or url] = cell
    return cells


def htmx_headers(csrf_token: str, row_id: str) -> dict[str, str]:
    """What htmx sends with a cell's post (django-htmx reads HX-Request)."""
    return {"HX-Request": "true", "HX-Target": row_id, "HX-Trigger": row_id, "X-CSRFToken": csrf_token}


def is_conflict(page: str) -> bool:
    """A refused save because the cell was saved meanwhile (templates/ambitions/_cell.html)."""
    return "kp-entry__conflict" in page
