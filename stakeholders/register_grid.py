"""The power/interest grid of the stakeholder register, as an accessible SVG (templates/stakeholders/
register/_grid.html) with the same data as the table beside it.

Interest runs left to right, influence bottom to top, each 1–5; the quadrant lines lie between 2 and
3 (``HIGH_FROM``). Each stakeholder is a numbered point in its cell (several in one cell are set
side by side); the number is its row in the table. Coordinates are strings made here, so they are
never localised with a decimal comma.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from stakeholders.models.register import HIGH_FROM, SCORE_MAX, Quadrant, Stakeholder

LEFT, TOP, CELL = 64, 16, 68
SIZE = CELL * SCORE_MAX
WIDTH, HEIGHT = LEFT + SIZE + 16, TOP + SIZE + 56
SPREAD = 20  # distance between points in one cell (3 × 3 places; a tenth one shares a place)
# The places in a cell, the centre first: one stakeholder sits in the middle, clear of the labels.
PLACES = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)]


@dataclass(frozen=True)
class Point:
    number: int
    stakeholder: Stakeholder
    x: str
    y: str
    text_y: str


@dataclass(frozen=True)
class Area:
    quadrant: Quadrant
    x: str
    y: str
    width: str
    height: str
    label_x: str
    label_y: str
    anchor: str
    names: list[str]


@dataclass(frozen=True)
class Grid:
    width: int
    height: int
    points: list[Point]
    areas: list[Area]
    ticks: list[tuple[str, str, str]]  # score, x of the interest tick, y of the influence tick
    mid_x: str
    mid_y: str
    left: int
    top: int
    right: int
    bottom: int
    size: int
    half: str
    title: str
    description: str


def _centre(score: int) -> float:
    return (score - 0.5) * CELL


def _x(interest: int) -> float:
    return LEFT + _centre(interest)


def _y(influence: int) -> float:
    return TOP + SIZE - _centre(influence)


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def build(stakeholders: list[Stakeholder]) -> Grid:
    """The grid of these stakeholders, numbered in their order (the table's)."""
    taken: dict[tuple[int, int], int] = {}
    points = []
    by_quadrant: dict[Quadrant, list[str]] = {quadrant: [] for quadrant in Quadrant}
    for number, stakeholder in enumerate(stakeholders, start=1):
        cell = (stakeholder.interest, stakeholder.influence)
        dx, dy = PLACES[taken.get(cell, 0) % len(PLACES)]
        taken[cell] = taken.get(cell, 0) + 1
        x = _x(stakeholder.interest) + dx * SPREAD
        y = _y(stakeholder.influence) + dy * SPREAD
        points.append(Point(number, stakeholder, _n(x), _n(y), _n(y + 3.5)))
        by_quadrant[stakeholder.quadrant].append(f"{number}. {stakeholder.name}")
    low = (HIGH_FROM - 1) * CELL  # the width (and height) of the low scores' part
    high = SIZE - low
    right, bottom = LEFT + SIZE, TOP + SIZE
    # quadrant, its rectangle, its label's place (inside the outer corner) and anchor
    places = [
        (Quadrant.KEEP_SATISFIED, LEFT, TOP, low, high, LEFT + 6, TOP + 14, "start"),
        (Quadrant.MANAGE_CLOSELY, LEFT + low, TOP, high, high, right - 6, TOP + 14, "end"),
        (Quadrant.MONITOR, LEFT, TOP + high, low, low, LEFT + 6, bottom - 6, "start"),
        (Quadrant.KEEP_INFORMED, LEFT + low, TOP + high, high, low, right - 6, bottom - 6, "end"),
    ]
    areas = [
        Area(q, _n(x), _n(y), _n(w), _n(h), _n(lx), _n(ly), anchor, by_quadrant[q])
        for q, x, y, w, h, lx, ly, anchor in places
    ]
    ticks = [(str(score), _n(_x(score)), _n(_y(score))) for score in range(1, SCORE_MAX + 1)]
    return Grid(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        areas=areas,
        ticks=ticks,
        mid_x=_n(LEFT + low),
        mid_y=_n(TOP + high),
        left=LEFT,
        top=TOP,
        right=right,
        bottom=bottom,
        size=SIZE,
        half=_n(SIZE / 2),
        title=_("Power/interest grid of the stakeholders"),
        description=_describe(len(points), by_quadrant),
    )


def _describe(count: int, by_quadrant: dict[Quadrant, list[str]]) -> str:
    parts = [_("%(count)s active stakeholders by influence (up) and interest (right).") % {"count": count}]
    for quadrant in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_SATISFIED, Quadrant.KEEP_INFORMED, Quadrant.MONITOR):
        names = by_quadrant[quadrant]
        parts.append(
            _("%(quadrant)s: %(names)s.") % {"quadrant": quadrant.label, "names": ", ".join(names) or _("none")}
        )
    return " ".join(parts)
