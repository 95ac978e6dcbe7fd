"""The chain map drawn as SVG: a relay chain as a row of steps with arrows, a network as its
partners around the shared dossier.

Accessible by construction: the ``<svg>`` is ``role="img"`` named by its ``<title>`` and
described by its ``<desc>`` (how many steps, where the chain pinches), every status is a symbol
and a word as well as a colour, and the page beside it has the same content as a table. Colours
are presentation attributes rather than CSS classes, so the same markup is right on the page, in
the PDF (WeasyPrint) and under the nonce CSP. The picture takes the width it is given (the whole
map at a glance); on a phone the table beside it is the readable form. SVG text does not wrap:
long names are cut with "…" in the picture and shown whole in the table.
"""

from __future__ import annotations

import math
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ambitions.services.chain_map import MapView, StepView

# The status badges' colours (static/css/portal.css, .kp-status--…): text on a light ground,
# both at least 4.5:1.
COLOURS = {
    "on_track": ("#1b5e20", "#edf7ee"),
    "at_risk": ("#7a3d00", "#fff4e5"),
    "off_track": ("#8e0018", "#fdecee"),
    "no_data": ("#4b4b4b", "#f3f3f3"),
    "provisional": ("#154273", "#eef3f9"),
    "in_progress": ("#154273", "#eef3f9"),
    "not_judged": ("#4b4b4b", "#f3f3f3"),
}
WIDTH, GAP, PAD, LINE, BAND = 210, 46, 16, 18, 30
PER_ROW, ROW_GAP = 5, 44  # a relay's steps per row, and the room for the hand-off between rows
_ids = count(1)


def _clip(text: str, length: int = 26) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _box_height(view: MapView) -> int:
    most = max((len(s.partners) for s in view.steps), default=1)
    return BAND + 12 + LINE * (1 + max(most, 1) + 2) + 10


def _box(step: StepView, x: float, y: float, height: int) -> str:
    """One step: its status band (symbol and word), name, partners, lead time and norm."""
    fg, bg = COLOURS.get(step.status, COLOURS["no_data"])
    pinch = step.status == "off_track"
    lines = [
        f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{height}" rx="6" fill="#ffffff" '
        f'stroke="{fg if step.pinches else "#6b6b6b"}" stroke-width="{4 if pinch else 1.5}"/>',
        f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{BAND}" rx="6" fill="{bg}"/>',
        f'<text x="{x + 10}" y="{y + 20}" fill="{fg}" font-size="14" font-weight="bold">'
        f"{escape(step.mark)} {escape(_clip(step.status_label, 22))}</text>",
    ]
    ty = y + BAND + 20
    lines.append(
        f'<text x="{x + 10}" y="{ty}" fill="#1a1a1a" font-size="14" font-weight="bold">'
        f"{escape(_clip(f'{step.position}. {step.name}'))}</text>"
    )
    for partner in step.partners or [_("no partner")]:
        ty += LINE
        lines.append(f'<text x="{x + 10}" y="{ty}" fill="#1a1a1a" font-size="13">{escape(_clip(partner, 28))}</text>')
    ty = y + height - 10 - LINE
    lead = _("Lead time: %(value)s") % {"value": step.lead_time}
    norm = _("Norm: %(value)s") % {"value": step.norm}
    lines.append(f'<text x="{x + 10}" y="{ty}" fill="#1a1a1a" font-size="13">{escape(_clip(lead, 30))}</text>')
    lines.append(f'<text x="{x + 10}" y="{ty + LINE}" fill="#4b4b4b" font-size="13">{escape(_clip(norm, 30))}</text>')
    return "".join(lines)


def _relay(view: MapView, marker: str) -> tuple[int, int, str]:
    """Steps left to right with an arrow at each hand-off, ``PER_ROW`` to a row (so the text stays
    legible); a hand-off to the next row runs down and back to its first step."""
    height = _box_height(view)
    parts = []
    for i, step in enumerate(view.steps):
        row, col = divmod(i, PER_ROW)
        x, y = PAD + col * (WIDTH + GAP), PAD + row * (height + ROW_GAP)
        parts.append(_box(step, x, y, height))
        if i and col:
            ay = y + height / 2
            parts.append(
                f'<line x1="{x - GAP + 4}" y1="{ay}" x2="{x - 6}" y2="{ay}" stroke="#1a1a1a" stroke-width="2" '
                f'marker-end="url(#{marker})"/>'
            )
        elif i:
            above = PAD + (PER_ROW - 1) * (WIDTH + GAP) + WIDTH / 2
            turn, below = y - ROW_GAP / 2, x + WIDTH / 2
            parts.append(
                f'<polyline points="{above},{y - ROW_GAP} {above},{turn} {below},{turn} {below},{y - 6}" '
                f'fill="none" stroke="#1a1a1a" stroke-width="2" marker-end="url(#{marker})"/>'
            )
    rows = (len(view.steps) + PER_ROW - 1) // PER_ROW
    width = 2 * PAD + min(len(view.steps), PER_ROW) * (WIDTH + GAP) - GAP
    return width, 2 * PAD + rows * (height + ROW_GAP) - ROW_GAP, "".join(parts)


def _network(view: MapView) -> tuple[int, int, str]:
    height = _box_height(view)
    n = len(view.steps)
    rx, ry = max(300, 60 * n), max(170, 30 * n + height / 2)
    width = int(2 * rx + WIDTH + 2 * PAD)
    total = int(2 * ry + height + 2 * PAD)
    cx, cy = width / 2, total / 2
    lines, boxes = [], []
    for i, step in enumerate(view.steps):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        bx, by = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        lines.append(
            f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{bx:.0f}" y2="{by:.0f}" stroke="#6b6b6b" stroke-width="2"/>'
        )
        boxes.append(_box(step, round(bx - WIDTH / 2), round(by - height / 2), height))
    dossier = view.dossier or _("Shared dossier")
    hub = (
        f'<ellipse cx="{cx:.0f}" cy="{cy:.0f}" rx="95" ry="45" fill="#eef3f9" stroke="#154273" stroke-width="2"/>'
        f'<text x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle" fill="#154273" font-size="14" '
        f'font-weight="bold">{escape(_clip(dossier, 22))}</text>'
    )
    return width, total, "".join(lines) + hub + "".join(boxes)


def draw(view: MapView) -> SafeString:
    """The map as one ``<svg>`` element; empty when the map has no steps."""
    if not view.steps:
        return SafeString("")
    n = next(_ids)
    title, desc, marker = f"chain-map-title-{n}", f"chain-map-desc-{n}", f"chain-map-arrow-{n}"
    width, height, body = _relay(view, marker) if view.is_relay else _network(view)
    defs = (
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1a1a1a"/></marker></defs>'
    )
    return mark_safe(  # noqa: S308  every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kp-chain-map__svg" role="img" '
        f'aria-labelledby="{title} {desc}" viewBox="0 0 {width} {height}" width="100%" '
        f'font-family="RijksoverheidSansWebText, Verdana, sans-serif">'
        f'<title id="{title}">{escape(view.title)}</title><desc id="{desc}">{escape(view.description)}</desc>'
        f"{defs}{body}</svg>"
    )
