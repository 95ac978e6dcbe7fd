"""The chain dashboard: per ambition its indicator tiles, and who hasn't reported yet.

Everything comes from the roll-ups (ChainAggregate, OrganisationAggregate) of a bounded window
of recent periods, never from the raw figures, so the page costs the same at ten thousand
figures as at a hundred million. The number of queries is fixed:

1. the chain's ambitions, 2. their indicators, 3. the versions in force,
4. how many reporting units each version has per organisation,
5. the chain aggregates of the window, 6. the organisation aggregates of the periods shown,
7. the partners' delivery terms in force (who is late follows each partner's agreed day).

Twenty tiles are worded per request: what each says is worked out here and in display.py, and
services/tiles.py writes each tile's HTML (``Tile.html``; a template include per tile cost more
than building the dashboard). The table of who hasn't reported gets its texts made here too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ambitions.models import (
    AgreedDays,
    Ambition,
    ChainAggregate,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
)
from ambitions.periods import Period
from ambitions.services import progress
from ambitions.services.charts import Sparkline, sparkline
from ambitions.services.display import ProgressText, Wording, show_progress, value_from_sums
from ambitions.services.progress import IndicatorProgress, Measure, Point
from ambitions.services.tiles import TileWriter
from ambitions.services.versions import pick, reporting_units_per_organisation, versions_in_force
from stakeholders.models import Chain

# Periods in a tile's sparkline; the forecast reads the last twelve reported ones among them.
WINDOW = 24


@dataclass
class PartnerProgress:
    """One partner's completeness and timeliness for the tile's period."""

    organisation: str
    reported: int
    expected: int
    late: int
    reported_text: str = ""

    @property
    def complete(self) -> bool:
        return self.reported >= self.expected


@dataclass
class Tile:
    """One indicator on the dashboard: where it stands (``progress``, in words ``shown``, as in a
    progress report), its trend, its final target and each partner's reporting."""

    indicator: Indicator
    version: IndicatorVersion | None  # in force now; None: no adopted definition yet
    progress: IndicatorProgress
    shown: ProgressText
    url: str = ""  # the indicator's page
    final_target: str = ""  # the version's target and when
    sparkline: Sparkline | None = None
    partners: list[PartnerProgress] = field(default_factory=list)
    partners_caption: str = ""
    html: SafeString = SafeString("")  # all of the above as the tile's markup (services/tiles.py)

    @property
    def period(self) -> Period | None:
        """The headline: the latest period whose deadline has passed, with data."""
        return self.progress.period

    @property
    def dom_id(self) -> str:
        return f"indicator-{self.indicator.pk}"


@dataclass
class AmbitionBlock:
    ambition: Ambition
    tiles: list[Tile]


@dataclass
class Missing:
    """An organisation with reporting units that have not reported the latest due period."""

    organisation: str
    period: Period
    missing: int
    expected: int
    indicators: list[str]
    deadline: date
    overdue: bool
    period_label: str = ""
    missing_text: str = ""  # "3 of 12"
    indicators_text: str = ""
    deadline_label: str = ""


@dataclass
class Dashboard:
    ambitions: list[AmbitionBlock]
    missing: list[Missing]
    due_periods: list[Period]
    today: date


# (indicator id, period start) → (value_sum, numerator_sum, denominator_sum, reported, late)
Sums = tuple[Decimal, Decimal, Decimal, int, int]


class _Words(Wording):
    """Wording, with the sentences every tile fills in, translated once per page."""

    def __init__(self) -> None:
        super().__init__()
        self.target_in = _("%(value)s in %(period)s")
        self.of = _("%(reported)s of %(expected)s")
        self.partners_caption = _("%(name)s: units reported per partner for %(period)s")


def build(chain: Chain, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    words = _Words()
    ambitions = list(Ambition.objects.filter(chain=chain))
    indicators = list(Indicator.objects.filter(ambition__chain=chain))
    by_id = {ambition.pk: ambition for ambition in ambitions}
    for indicator in indicators:
        indicator.ambition = by_id[indicator.ambition_id]  # no query per tile
    versions = versions_in_force([i.pk for i in indicators])
    plans = _plans(indicators, versions, today)
    units = reporting_units_per_organisation(v.pk for vs in versions.values() for v in vs)
    chain_sums = _chain_sums(plans)

    tiles: dict[int, Tile] = {}
    no_definition = IndicatorProgress()
    wanted_org_rows: set[tuple[int, date]] = set()
    due: dict[int, tuple[Period, IndicatorVersion]] = {}
    url = _indicator_url(chain)
    for indicator in indicators:
        if indicator.pk not in plans:
            tile = Tile(indicator, None, no_definition, show_progress(no_definition, words), url(indicator.pk))
            tiles[indicator.pk] = tile
            continue
        current, window = plans[indicator.pk]
        series = _series(versions[indicator.pk], window, chain_sums, indicator.pk, units)
        tile = tiles[indicator.pk] = _tile(indicator, current, series, today, words)
        tile.url = url(indicator.pk)
        if tile.period is not None:
            wanted_org_rows.add((indicator.pk, tile.period.start))
        due_period = window[-1].previous
        due_version = pick(versions[indicator.pk], due_period.start)
        if due_version is not None and due_version.frequency == due_period.frequency:
            due[indicator.pk] = (due_period, due_version)
            wanted_org_rows.add((indicator.pk, due_period.start))

    org_sums = _organisation_sums(wanted_org_rows)
    write = TileWriter()
    for indicator_id, tile in tiles.items():
        if tile.period is not None:
            version = pick(versions[indicator_id], tile.period.start)
            reported = org_sums.get((indicator_id, tile.period.start), {})
            _add_partners(tile, units.get(version.pk, {}), reported, words)
        tile.html = write(tile)

    by_ambition: dict[int, list[Tile]] = defaultdict(list)
    for indicator in indicators:
        by_ambition[indicator.ambition_id].append(tiles[indicator.pk])
    blocks = [AmbitionBlock(ambition, by_ambition.get(ambition.pk, [])) for ambition in ambitions]

    agreed = AgreedDays.of_chains([chain.pk]) if due else AgreedDays([])
    missing = _who_has_not_reported(indicators, due, units, org_sums, today, agreed)
    _word_missing(missing, words)
    due_periods = sorted({p for p, _ in due.values()})
    return Dashboard(ambitions=blocks, missing=missing, due_periods=due_periods, today=today)


def standings(chain: Chain, today: date | None = None) -> list[tuple[Indicator, progress.Standing]]:
    """Where each of the chain's indicators with an adopted definition stands, by the same rule
    and data as its tile (standing() over the window's roll-ups), without the tile's partners,
    sparkline and words: for pages that act on the status (governance's agenda suggestions).
    Four queries whatever the number of indicators."""
    today = today or timezone.localdate()
    indicators = list(Indicator.objects.filter(ambition__chain=chain).select_related("ambition"))
    versions = versions_in_force([i.pk for i in indicators])
    plans = _plans(indicators, versions, today)
    units = reporting_units_per_organisation(v.pk for vs in versions.values() for v in vs)
    chain_sums = _chain_sums(plans)
    found = []
    for indicator in indicators:
        if indicator.pk in plans:
            series = _series(versions[indicator.pk], plans[indicator.pk][1], chain_sums, indicator.pk, units)
            found.append((indicator, progress.standing(series, today, indicator.ambition.horizon)))
    return found


def chain_series(
    indicators: list[Indicator], today: date | None = None
) -> dict[int, tuple[IndicatorVersion, list[Point]]]:
    """Per indicator with an adopted definition: (its version in force, its chain series over the
    dashboard's window), by the same rule and roll-ups as its tile, for rules that read the series
    themselves (governance's early warning). The indicators may belong to any number of chains.
    Three queries whatever their number."""
    today = today or timezone.localdate()
    if not indicators:
        return {}
    versions = versions_in_force([i.pk for i in indicators])
    plans = _plans(indicators, versions, today)
    units = reporting_units_per_organisation(v.pk for vs in versions.values() for v in vs)
    chain_sums = _chain_sums(plans)
    return {
        pk: (current, _series(versions[pk], window, chain_sums, pk, units)) for pk, (current, window) in plans.items()
    }


def progresses(indicators: list[Indicator], today: date | None = None) -> dict[int, IndicatorProgress]:
    """Each of ``indicators`` (their ambitions loaded) as its dashboard tile shows it: the same rule
    and roll-ups, without the tile's partners, sparkline and words; the indicators without an
    adopted definition are left out. For the chain map's steps. Four queries at most."""
    today = today or timezone.localdate()
    if not indicators:
        return {}
    versions = versions_in_force([i.pk for i in indicators])
    plans = _plans(indicators, versions, today)
    units = reporting_units_per_organisation(v.pk for vs in versions.values() for v in vs)
    chain_sums = _chain_sums(plans)
    found = {}
    for indicator in indicators:
        if indicator.pk in plans:
            current, window = plans[indicator.pk]
            series = _series(versions[indicator.pk], window, chain_sums, indicator.pk, units)
            found[indicator.pk] = IndicatorProgress.of(
                progress.standing(series, today, indicator.ambition.horizon), current
            )
    return found


def _indicator_url(chain: Chain) -> Callable[[int], str]:
    """The indicator pages' addresses, reversed once: reverse() per tile cost more than the tile's
    figures. (The route ends in ``<int:pk>/``, so the last ``/0/`` of a sample is the id.)"""
    head, _pk, tail = reverse("ambitions:indicator_detail", args=[chain.slug, 0]).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"


def _plans(
    indicators: list[Indicator], versions: dict[int, list[IndicatorVersion]], today: date
) -> dict[int, tuple[IndicatorVersion, list[Period]]]:
    """Per indicator: the version in force now and the window of its frequency up to the current period."""
    windows: dict[str, list[Period]] = {}
    plans: dict[int, tuple[IndicatorVersion, list[Period]]] = {}
    for indicator in indicators:
        current = pick(versions[indicator.pk], today)
        if current is None:
            continue
        if current.frequency not in windows:
            now = Period.containing(today, current.frequency)
            windows[current.frequency] = [now.shifted(-i) for i in range(WINDOW - 1, -1, -1)]
        plans[indicator.pk] = (current, windows[current.frequency])
    return plans


def _chain_sums(plans: dict[int, tuple[IndicatorVersion, list[Period]]]) -> dict[tuple[int, date], Sums]:
    if not plans:
        return {}
    first = min(window[0].start for _v, window in plans.values())
    last = max(window[-1].start for _v, window in plans.values())
    rows = ChainAggregate.objects.filter(indicator_id__in=list(plans), period__gte=first, period__lte=last).values_list(
        "indicator_id", "period", "value_sum", "numerator_sum", "denominator_sum", "reported", "late"
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def _organisation_sums(keys: set[tuple[int, date]]) -> dict[tuple[int, date], dict[int, tuple[int, int]]]:
    """(indicator, period) → organisation id → (reported, late)."""
    if not keys:
        return {}
    indicator_ids = {i for i, _p in keys}
    periods = {p for _i, p in keys}
    rows = OrganisationAggregate.objects.filter(indicator_id__in=indicator_ids, period__in=periods).values_list(
        "indicator_id", "period", "organisation_id", "reported", "late"
    )
    result: dict[tuple[int, date], dict[int, tuple[int, int]]] = defaultdict(dict)
    for indicator_id, period, organisation_id, reported, late in rows:
        if (indicator_id, period) in keys:
            result[(indicator_id, period)][organisation_id] = (reported, late)
    return result


def _series(
    versions: list[IndicatorVersion],
    window: list[Period],
    sums: dict[tuple[int, date], Sums],
    indicator_id: int,
    units: dict[int, dict[int, tuple[str, int]]],
) -> list[Point]:
    # Each version's reporting units, counted once rather than once per period.
    expected = {version.pk: sum(n for _name, n in units.get(version.pk, {}).values()) for version in versions}
    points = []
    for period in window:
        version = pick(versions, period.start)
        if version is None or version.frequency != period.frequency:
            points.append(Point(period, None))
            continue
        row = sums.get((indicator_id, period.start))
        if row is None:
            points.append(Point(period, version, expected=expected[version.pk]))
            continue
        value = value_from_sums(version, *row[:4])
        points.append(Point(period, version, value, row[3], row[4], expected[version.pk]))
    return points


def _tile(indicator: Indicator, current: IndicatorVersion, series: list[Point], today: date, words: _Words) -> Tile:
    found = progress.standing(series, today, indicator.ambition.horizon)
    standing = IndicatorProgress.of(found, current)
    fmt, label = words.fmt, words.period
    final_target = words.target_in % {
        "value": fmt.with_unit(current.target_value, current),
        "period": label(Period.containing(current.target_period, current.frequency)),
    }
    return Tile(
        indicator=indicator,
        version=current,
        progress=standing,
        shown=show_progress(standing, words),
        final_target=final_target,
        sparkline=sparkline(found.trend, Measure.of(current), fmt, label) if found.headline is not None else None,
    )


def _partners(
    units: dict[int, tuple[str, int]], reported: dict[int, tuple[int, int]], text: str
) -> list[PartnerProgress]:
    """``text``: "%(reported)s of %(expected)s", translated."""
    rows = []
    for organisation_id, (name, expected) in units.items():
        done, late = reported.get(organisation_id, (0, 0))
        rows.append(PartnerProgress(name, done, expected, late, text % {"reported": done, "expected": expected}))
    return sorted(rows, key=lambda row: row.organisation.lower())


def _add_partners(
    tile: Tile,
    units: dict[int, tuple[str, int]],
    reported: dict[int, tuple[int, int]],
    words: _Words,
) -> None:
    """The tile's table of units reported per partner for its headline period."""
    tile.partners = _partners(units, reported, words.of)
    tile.partners_caption = words.partners_caption % {
        "name": tile.indicator.name,
        "period": words.period(tile.period),
    }


def _who_has_not_reported(
    indicators: list[Indicator],
    due: dict[int, tuple[Period, IndicatorVersion]],
    units: dict[int, dict[int, tuple[str, int]]],
    org_sums: dict[tuple[int, date], dict[int, tuple[int, int]]],
    today: date,
    agreed: AgreedDays,
) -> list[Missing]:
    """Per organisation and due period: how many of its figures are missing, for which indicators,
    and the first deadline among them: the partner's agreed delivery day where its delivery terms
    apply to the indicator, else the version's deadline. Overdue once today is past it."""
    found: dict[tuple[int, Period], Missing] = {}
    for indicator in indicators:
        if indicator.pk not in due:
            continue
        period, version = due[indicator.pk]
        reported = org_sums.get((indicator.pk, period.start), {})
        chain_wide = version.deadline_of(period)
        for organisation_id, (name, expected) in units.get(version.pk, {}).items():
            entry = found.get((organisation_id, period))
            if entry is None:
                entry = found[(organisation_id, period)] = Missing(name, period, 0, 0, [], date.max, False)
            entry.expected += expected
            gap = expected - reported.get(organisation_id, (0, 0))[0]
            if gap > 0:
                entry.missing += gap
                entry.indicators.append(indicator.name)
                terms = agreed.terms(organisation_id, indicator.pk, period) if agreed else None
                deadline = version.deadline_of(period, terms.delivery_working_day) if terms else chain_wide
                entry.deadline = min(entry.deadline, deadline)
    rows = [entry for entry in found.values() if entry.missing]
    for entry in rows:
        entry.overdue = today > entry.deadline
    return sorted(rows, key=lambda m: (m.period, not m.overdue, m.organisation.lower()))


def _word_missing(rows: list[Missing], words: Wording) -> None:
    """The texts of the table of who hasn't reported (as the template's filters would write them)."""
    text = _("%(missing)s of %(expected)s")
    dates: dict[date, str] = {}
    for row in rows:
        row.period_label = words.period(row.period)
        row.missing_text = text % {"missing": row.missing, "expected": row.expected}
        row.indicators_text = ", ".join(row.indicators)
        if row.deadline not in dates:
            dates[row.deadline] = formats.date_format(row.deadline)
        row.deadline_label = dates[row.deadline]
