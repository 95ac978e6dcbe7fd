"""The indicator page: definition and version history, the chain's line against its target, and the
partner × period and unit × period tables for a window of periods.

The unit table is the heavy part (200 units × 24 periods is 4,800 cells), so it is built from one
``values_list`` query on Figure over the window (the (indicator, period, organisation) index),
targets and versions are looked up once per period rather than per cell, and every cell is
formatted here into a ready ``<td>`` so the template does no work per cell. The same holds for the
rest of what repeats: the tables' rows, the period headings and the window's choices are ready
strings, and each period's label is formatted once.

Queries: the versions (with their consent counts), the reporting units of the versions in the
window, the chain and organisation aggregates of the window, the figures of the window, and
only when a unit reported that no version lists any more, that unit's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ambitions.models import (
    ChainAggregate,
    ConsentPosition,
    Direction,
    Figure,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
    VersionStatus,
)
from ambitions.periods import OutOfRange, Period, periods_between, range_message
from ambitions.services import progress
from ambitions.services.charts import Chart, chart
from ambitions.services.display import NO_VALUE, STATUS_MARKS, NumberFormat, Wording, value_from_sums
from ambitions.services.progress import Measure, Status
from ambitions.services.versions import pick
from stakeholders.models import Unit

WINDOW = 24


@dataclass
class Column:
    """One period of the window with what applies to it."""

    period: Period
    version: IndicatorVersion | None
    target: Decimal | None
    expected_units: int = 0


@dataclass
class ChainRow:
    """One period in the data table next to the chart."""

    period: Period
    label: str  # the period's
    value: str
    target: str
    status: str
    status_label: str
    mark: str
    badge: str  # the status as display.status_badge shows it (safe HTML)
    reported: int
    expected: int
    late: int
    reported_text: str = ""  # "180 of 200"


@dataclass
class HeatRow:
    label: str
    cells: SafeString  # the row's <td> cells, formatted in Python


def _rows_html(rows: list[HeatRow]) -> SafeString:
    """The rows of a partner or unit table (200 of them: a template loop cost more than the cells)."""
    return mark_safe(  # noqa: S308 (labels escaped and cells written by CellWriter)
        "\n".join(
            f'<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row">{row.label}</th>'
            f"{row.cells}</tr>"
            for row in rows
        )
    )


@dataclass
class HeatGroup:
    organisation: str
    rows: list[HeatRow]

    @property
    def rows_html(self) -> SafeString:
        return _rows_html(self.rows)


@dataclass
class IndicatorPage:
    indicator: Indicator
    versions: list[IndicatorVersion]
    current: IndicatorVersion | None
    columns: list[Column] = field(default_factory=list)
    end: Period | None = None
    choices: list[Period] = field(default_factory=list)
    window_error: str = ""
    reporting_units: list[tuple[str, int]] = field(default_factory=list)  # current version, per organisation
    chart: Chart | None = None
    chain_rows: list[ChainRow] = field(default_factory=list)
    partner_rows: list[HeatRow] = field(default_factory=list)
    unit_groups: list[HeatGroup] = field(default_factory=list)
    unit_count: int = 0
    options: SafeString = SafeString("")  # ``choices`` as the window field's <option>s
    period_headings: SafeString = SafeString("")  # the window's periods as the tables' <th>s

    @property
    def periods(self) -> list[Period]:
        return [c.period for c in self.columns]

    @property
    def partner_rows_html(self) -> SafeString:
        return _rows_html(self.partner_rows)

    @property
    def has_status_per_part(self) -> bool:
        """Only a ratio's target applies to every part; a sum's target is the chain's total."""
        return self.current is not None and self.current.is_ratio


def build(
    indicator: Indicator, until: str | None = None, today: date | None = None, parts: bool = True
) -> IndicatorPage:
    """``parts=False``: the chain's rows and chart only, without the partner and unit tables (the
    public page when the chain chose not to show them: governance/services/public_page.py)."""
    today = today or timezone.localdate()
    versions = list(
        IndicatorVersion.objects.filter(indicator=indicator)
        .annotate(
            # The current round's answers: an amended proposal is asked again.
            consent_count=Count(
                "consents", filter=Q(consents__position=ConsentPosition.CONSENT, consents__round=F("round"))
            ),
            objection_count=Count(
                "consents", filter=Q(consents__position=ConsentPosition.OBJECTION, consents__round=F("round"))
            ),
        )
        .order_by("-number")
    )
    in_force = sorted(
        (v for v in versions if v.status in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED)),
        key=lambda v: v.effective_from,
        reverse=True,
    )
    current = _current(in_force, today)
    page = IndicatorPage(indicator=indicator, versions=versions, current=current)
    if current is None:
        return page

    frequency = current.frequency
    now = Period.containing(today, frequency)
    first = min(Period.containing(v.effective_from, frequency) for v in in_force)
    page.choices = list(reversed(periods_between(min(first, now), now)))
    page.end, page.window_error = _window_end(until, frequency, now)
    window = [page.end.shifted(-i) for i in range(WINDOW - 1, -1, -1)]
    for period in window:
        version = pick(in_force, period.start)
        if version is not None and version.frequency != frequency:
            version = None  # a definition of another frequency: its figures are not of these periods
        target = progress.expected(version, period.start) if version is not None else None
        page.columns.append(Column(period, version, target))

    words = Wording()
    fmt = words.fmt
    _word_window(page, words.period)
    units = _reporting_units({c.version.pk for c in page.columns if c.version} | {current.pk})
    for column in page.columns:
        if column.version is not None:
            column.expected_units = len(units.get(column.version.pk, ()))
    per_org: dict[str, int] = defaultdict(int)
    for _unit_id, _unit, _org_id, org in units.get(current.pk, ()):
        per_org[org] += 1
    page.reporting_units = sorted(per_org.items(), key=lambda item: item[0].lower())

    chain_values = _chain_rows(page, indicator, words, today)
    page.chart = chart(
        indicator.name, page.periods, chain_values, [c.target for c in page.columns], Measure.of(current), fmt
    )
    if parts:
        page.partner_rows = _partner_rows(page, indicator, units, fmt)
        page.unit_groups, page.unit_count = _unit_groups(page, indicator, units, fmt)
    return page


class BadWindow(ValueError):
    """``?tot=`` names no period the page can show; the message says what to give instead."""


def window(indicator: Indicator, until: str | None = None, today: date | None = None) -> tuple[Period, Period] | None:
    """The first and last period the page shows for ``until`` (the export uses the same window).

    BadWindow when ``until`` is not a period (the page shows its message at the field instead)."""
    today = today or timezone.localdate()
    in_force = list(IndicatorVersion.objects.in_force().filter(indicator=indicator).order_by("-effective_from"))
    current = _current(in_force, today)
    if current is None:
        return None
    end, error = _window_end(until, current.frequency, Period.containing(today, current.frequency))
    if error:
        raise BadWindow(error)
    return end.shifted(-(WINDOW - 1)), end


def _current(in_force: list[IndicatorVersion], today: date) -> IndicatorVersion | None:
    """The version in force today; before the first takes effect, that first one."""
    return pick(in_force, today) or (in_force[-1] if in_force else None)


def _word_window(page: IndicatorPage, label: Callable[[Period], str]) -> None:
    """The window field's options and the tables' period headings, each label formatted once."""
    page.options = mark_safe(  # noqa: S308 (slugs are made of digits, K and -; labels escaped)
        "".join(
            f'<option value="{period.slug}"{" selected" if period == page.end else ""}>{escape(label(period))}</option>'
            for period in page.choices
        )
    )
    page.period_headings = mark_safe(  # noqa: S308 (labels escaped)
        "".join(
            f'<th class="utrecht-table__header-cell" scope="col">{escape(period.short_label())}</th>'
            for period in page.periods
        )
    )


def _window_end(until: str | None, frequency: str, now: Period) -> tuple[Period, str]:
    if not until:
        return now, ""
    try:
        chosen = Period.from_slug(until)
    except OutOfRange:
        return now, range_message()
    except ValueError:
        return now, _("Choose a period from the list.")
    end = Period.containing(chosen.start, frequency)
    return min(end, now), ""


def _reporting_units(version_ids: set[int]) -> dict[int, list[tuple[int, str, int, str]]]:
    """Version id → its reporting units as (unit id, unit name, organisation id, organisation name)."""
    through = IndicatorVersion.reporting_units.through
    rows = through.objects.filter(indicatorversion_id__in=version_ids).values_list(
        "indicatorversion_id", "unit_id", "unit__name", "unit__organisation_id", "unit__organisation__name"
    )
    result: dict[int, list[tuple[int, str, int, str]]] = defaultdict(list)
    for version_id, *unit in rows:
        result[version_id].append(tuple(unit))
    return result


def _chain_rows(page: IndicatorPage, indicator: Indicator, words: Wording, today: date) -> list[Decimal | None]:
    window = page.columns
    fmt = words.fmt
    reported_text = _("%(reported)s of %(expected)s")
    sums = {
        row[0]: row[1:]
        for row in ChainAggregate.objects.filter(
            indicator=indicator, period__gte=window[0].period.start, period__lte=window[-1].period.start
        ).values_list("period", "value_sum", "numerator_sum", "denominator_sum", "reported", "late")
    }
    values = []
    for column in window:
        version, row = column.version, sums.get(column.period.start)
        value = value_from_sums(version, *row[:4]) if version is not None and row is not None else None
        values.append(value)
        reported = row[3] if row is not None else 0
        status = (
            progress.judge(version, value, column.target, complete=reported >= column.expected_units)
            if version is not None
            else Status.NO_DATA
        )
        if status != Status.NO_DATA and not progress.is_due(progress.Point(column.period, version), today):
            status = Status.IN_PROGRESS  # figures still coming in are not judged (as on the dashboard)
        shown = version or page.current
        page.chain_rows.append(
            ChainRow(
                period=column.period,
                label=words.period(column.period),
                value=fmt.with_unit(value, shown),
                target=fmt.with_unit(column.target, shown) if column.target is not None else NO_VALUE,
                status=status,
                status_label=words.labels[status],
                mark=STATUS_MARKS[status],
                badge=words.badges[status],
                reported=reported,
                expected=column.expected_units,
                late=row[4] if row is not None else 0,
                reported_text=reported_text % {"reported": reported, "expected": column.expected_units},
            )
        )
    return values


class CellWriter:
    """Writes one column's ``<td>`` cells, with everything that is the same down the column worked out once.

    A cell is its number, a status symbol (✓ on track, ! at risk, ✗ off track; explained in the
    legend above the tables) and * when it came in after the deadline. The symbols are text, so
    status never depends on colour; they are not spelled out per cell because a 200 × 24 table
    would then carry the same words 4,800 times.
    """

    EMPTY = f'<td class="kp-h kp-nd">{NO_VALUE}</td>'

    def __init__(self, column: Column, per_part: bool, separator: str) -> None:
        version = column.version
        self.open = version is not None
        if version is None:
            return
        self.spec = f".{version.decimals}f"
        self.separator = separator
        self.per_part = per_part
        self.target = column.target
        self.higher = version.direction == Direction.HIGHER
        self.tolerance = version.tolerance

    def __call__(self, value: Decimal, late: bool) -> str:
        text = format(value, self.spec)
        if value < 0 and not text.strip("-0."):
            text = text[1:]  # -0.0 is 0.0
        if self.separator != ".":
            text = text.replace(".", self.separator)
        star = "*" if late else ""
        if not self.per_part:
            return f'<td class="kp-h kp-in">{text}{star}</td>'
        target = self.target
        if target is None:
            return f'<td class="kp-h kp-on">{text} ✓{star}</td>'
        # progress.judge's rule, inlined: this runs for each of up to 4,800 cells.
        behind = target - value if self.higher else value - target
        if behind <= 0:
            return f'<td class="kp-h kp-on">{text} ✓{star}</td>'
        if behind <= self.tolerance:
            return f'<td class="kp-h kp-risk">{text} !{star}</td>'
        return f'<td class="kp-h kp-off">{text} ✗{star}</td>'


def _partner_rows(
    page: IndicatorPage,
    indicator: Indicator,
    units: dict[int, list[tuple[int, str, int, str]]],
    fmt: NumberFormat,
) -> list[HeatRow]:
    columns = page.columns
    rows = OrganisationAggregate.objects.filter(
        indicator=indicator, period__gte=columns[0].period.start, period__lte=columns[-1].period.start
    ).values_list(
        "organisation_id",
        "organisation__name",
        "period",
        "value_sum",
        "numerator_sum",
        "denominator_sum",
        "reported",
    )
    names: dict[int, str] = {}
    sums: dict[tuple[int, date], tuple] = {}
    for organisation_id, name, period, *row in rows:
        names[organisation_id] = name
        sums[(organisation_id, period)] = row
    for column in columns:
        if column.version is not None:
            for _unit_id, _unit, organisation_id, name in units.get(column.version.pk, ()):
                names.setdefault(organisation_id, name)
    writers = [CellWriter(column, page.has_status_per_part, fmt.separator) for column in columns]
    empty = CellWriter.EMPTY
    result = []
    for organisation_id, name in sorted(names.items(), key=lambda item: item[1].lower()):
        cells = []
        for column, write in zip(columns, writers, strict=True):
            row = sums.get((organisation_id, column.period.start))
            value = value_from_sums(column.version, *row) if row is not None and write.open else None
            cells.append(empty if value is None else write(value, False))
        result.append(HeatRow(conditional_escape(name), mark_safe("".join(cells))))  # noqa: S308 (escaped parts)
    return result


def _unit_groups(
    page: IndicatorPage,
    indicator: Indicator,
    units: dict[int, list[tuple[int, str, int, str]]],
    fmt: NumberFormat,
) -> tuple[list[HeatGroup], int]:
    columns = page.columns
    index = {c.period.start: i for i, c in enumerate(columns)}
    # Every writer (entry.save_cell, the bulk upsert, the demo) stores a ratio's value next to its
    # numerator and denominator, so one number per cell is all the table needs to read.
    figures = Figure.objects.filter(
        indicator=indicator, period__gte=columns[0].period.start, period__lte=columns[-1].period.start
    ).values_list("unit_id", "period", "value", "is_late")
    # Per unit a list of values (Decimals, which the garbage collector does not track) and a bit
    # per late cell: thousands of (value, late) tuples kept alive would each be scanned by the
    # garbage collector, which then costs more than building the table. Streamed in chunks for
    # the same reason.
    grid: dict[int, list] = {}
    late_cells: dict[int, int] = {}
    width = len(columns)
    for unit_id, period, value, late in figures.iterator(chunk_size=1000):
        i = index[period]
        if value is None or columns[i].version is None:
            continue
        cells = grid.get(unit_id)
        if cells is None:
            cells = grid[unit_id] = [None] * width
        cells[i] = value
        if late:
            late_cells[unit_id] = late_cells.get(unit_id, 0) | 1 << i

    known: dict[int, tuple[str, int, str]] = {}
    for column in columns:
        if column.version is not None:
            for unit_id, unit, organisation_id, organisation in units.get(column.version.pk, ()):
                known[unit_id] = (unit, organisation_id, organisation)
    unknown = set(grid) - set(known)
    if unknown:
        # A unit that reported earlier but is no longer listed by any version of the window.
        for unit_id, unit, organisation_id, organisation in Unit.objects.filter(pk__in=unknown).values_list(
            "pk", "name", "organisation_id", "organisation__name"
        ):
            known[unit_id] = (unit, organisation_id, organisation)

    writers = [CellWriter(column, page.has_status_per_part, fmt.separator) for column in columns]
    empty = CellWriter.EMPTY
    empty_row = [None] * width
    groups: dict[int, HeatGroup] = {}
    ordered = sorted(known.items(), key=lambda item: (item[1][2].lower(), item[1][0].lower()))
    for unit_id, (unit, organisation_id, organisation) in ordered:
        group = groups.get(organisation_id)
        if group is None:
            group = groups[organisation_id] = HeatGroup(organisation, [])
        cells = grid.get(unit_id, empty_row)
        late = late_cells.get(unit_id, 0)
        html = "".join(empty if value is None else writers[i](value, late >> i & 1) for i, value in enumerate(cells))
        group.rows.append(HeatRow(conditional_escape(unit), mark_safe(html)))  # noqa: S308 (built from escaped parts)
    return list(groups.values()), len(known)
