"""The stored shape of a progress report's snapshot, typed and versioned.

A report is frozen once drafted and may be read years later by code that has changed since. So the
JSON on ``ProgressReport.snapshot`` has a version (``schema``), this module is its only reader and
writer, and pages render only the typed current shape (``Snapshot``):

- ``Snapshot.to_json()`` writes the current version; ``Snapshot.from_json(data)`` reads any version
  this code knows, upgrading an older one step by step (``_UPGRADES``: 1 → 2 → …) on the raw
  dict before it is typed. An upgrade step is frozen once written: it describes how that old
  shape was stored, whatever the current one becomes.
- A snapshot of a version newer than this code (written after an update that was then rolled
  back) is refused with ``NewerSnapshot``; one that cannot be read at all with
  ``UnreadableSnapshot``. The pages say so instead of failing.

Changing the shape: raise ``SCHEMA_VERSION``, add a step from the previous version to
``_UPGRADES``, adapt the dataclasses and their to/from JSON, and keep the test that renders a
stored snapshot of every earlier version (tests/ambitions/test_report_schema.py).

Versions:
1. the first reports (no ``schema`` key): a planned indicator always had its report period's
   figures, even when there were none; partners and units were judged against the chain's target.
2. the headline rule (progress.standing): ``in_progress`` and ``change_is_provisional`` per
   indicator, an indicator without a headline has no period; each partner's and unit's own
   ``target``; ``drafted_on``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ambitions.periods import Period
from ambitions.services.progress import Forecast, IndicatorProgress, InProgress, Measure, Status

SCHEMA_VERSION = 2


class SnapshotError(Exception):
    """A stored snapshot this code cannot show; ``message`` says why, for the reader."""

    message = ""


class NewerSnapshot(SnapshotError):
    def __init__(self, version: object) -> None:
        super().__init__(version)
        self.version = version
        self.message = _(
            "This report was made by a newer version of the portal (report format %(version)s; this version "
            "reads formats up to %(current)s). It can be shown again once the portal has been updated."
        ) % {"version": version, "current": SCHEMA_VERSION}


class UnreadableSnapshot(SnapshotError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.message = _("The stored content of this report cannot be read.")


# ---------------------------------------------------------------------------------------------
# The current shape


@dataclass(frozen=True)
class OrganisationResult:
    """A partner's part of one indicator in the headline period."""

    id: int
    name: str
    value: Decimal | None
    target: Decimal | None  # its own (progress.part_standard); None: not judged
    status: Status
    reported: int
    expected: int
    late: int


@dataclass(frozen=True)
class UnitResult:
    id: int
    name: str
    organisation: int
    value: Decimal | None
    target: Decimal | None
    status: Status


@dataclass(frozen=True)
class OffTrackUnit:
    """A unit among those furthest behind their own target, over all indicators."""

    unit: UnitResult
    indicator: int
    indicator_name: str
    unit_label: str
    decimals: int


@dataclass(frozen=True)
class IndicatorResult:
    id: int
    name: str
    progress: IndicatorProgress
    organisations: list[OrganisationResult] = field(default_factory=list)
    units: list[UnitResult] = field(default_factory=list)


@dataclass(frozen=True)
class AmbitionResult:
    id: int
    statement: str
    horizon: date
    indicators: list[IndicatorResult]


@dataclass(frozen=True)
class PartnerResult:
    """A partner's completeness and timeliness over all indicators of the report."""

    id: int
    name: str
    reported: int
    expected: int
    late: int


@dataclass(frozen=True)
class Snapshot:
    period: Period
    drafted_on: date | None  # None: drafted before version 2 recorded it
    ambitions: list[AmbitionResult]
    partners: list[PartnerResult]
    off_track: list[OffTrackUnit]

    def indicators(self) -> list[IndicatorResult]:
        return [indicator for ambition in self.ambitions for indicator in ambition.indicators]

    def to_json(self) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "period": self.period.slug,
            "frequency": self.period.frequency,
            "drafted_on": _iso(self.drafted_on),
            "ambitions": [
                {
                    "id": a.id,
                    "statement": a.statement,
                    "horizon": a.horizon.isoformat(),
                    "indicators": [_indicator_json(i) for i in a.indicators],
                }
                for a in self.ambitions
            ],
            "partners": [
                {"id": p.id, "name": p.name, "reported": p.reported, "expected": p.expected, "late": p.late}
                for p in self.partners
            ],
            "off_track": [
                {
                    **_unit_json(u.unit),
                    "indicator": u.indicator,
                    "indicator_name": u.indicator_name,
                    "unit_label": u.unit_label,
                    "decimals": u.decimals,
                }
                for u in self.off_track
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Snapshot:
        """The typed current shape of a stored snapshot of any known version (see the module)."""
        if not isinstance(data, dict):
            raise UnreadableSnapshot("not an object")
        version = data.get("schema", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise UnreadableSnapshot(f"schema {version!r}")
        if version > SCHEMA_VERSION:
            raise NewerSnapshot(version)
        if version < SCHEMA_VERSION:
            data = copy.deepcopy(data)  # the upgrades work on a copy: the stored report never changes
            for step in range(version, SCHEMA_VERSION):
                data = _UPGRADES[step](data)
        try:
            return _snapshot(data)
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise UnreadableSnapshot(repr(exc)) from exc


# ---------------------------------------------------------------------------------------------
# Writing


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _unit_json(u: UnitResult) -> dict:
    return {
        "id": u.id,
        "name": u.name,
        "organisation": u.organisation,
        "value": _text(u.value),
        "target": _text(u.target),
        "status": u.status.value,
    }


def _indicator_json(i: IndicatorResult) -> dict:
    """Version 2 writes the measure only for an indicator with a definition, and the headline's
    fields, partners and units only when there is a headline."""
    p = i.progress
    entry: dict = {"id": i.id, "name": i.name, "status": p.status.value}
    if p.measure is None:
        return entry
    coming = p.in_progress
    entry["in_progress"] = (
        None
        if coming is None
        else {
            "period": coming.period.slug,
            "value": _text(coming.value),
            "reported": coming.reported,
            "expected": coming.expected,
            "deadline": coming.deadline.isoformat(),
        }
    )
    entry.update(unit_label=p.measure.unit_label, decimals=p.measure.decimals, direction=p.measure.direction)
    if p.period is None:
        return entry
    entry.update(
        period=p.period.slug,
        version=p.version,
        value=_text(p.value),
        target=_text(p.target),
        previous=_text(p.previous),
        previous_period=p.previous_period.slug if p.previous_period else None,
        change=_text(p.change),
        change_is_provisional=p.change_is_provisional,
        improving=p.improving,
        reported=p.reported,
        late=p.late,
        expected=p.expected,
        forecast=None if p.forecast is None else {"value": _text(p.forecast.value), "period": p.forecast.period.slug},
        organisations=[
            {
                "id": o.id,
                "name": o.name,
                "value": _text(o.value),
                "target": _text(o.target),
                "status": o.status.value,
                "reported": o.reported,
                "expected": o.expected,
                "late": o.late,
            }
            for o in i.organisations
        ],
        units=[_unit_json(u) for u in i.units],
    )
    return entry


# ---------------------------------------------------------------------------------------------
# Reading the current version


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _period(slug: str | None) -> Period | None:
    return None if slug is None else Period.from_slug(slug)


def _snapshot(data: dict) -> Snapshot:
    return Snapshot(
        period=Period.from_slug(data["period"]),
        drafted_on=date.fromisoformat(data["drafted_on"]) if data.get("drafted_on") else None,
        ambitions=[
            AmbitionResult(
                id=a["id"],
                statement=a["statement"],
                horizon=date.fromisoformat(a["horizon"]),
                indicators=[_indicator(i) for i in a["indicators"]],
            )
            for a in data["ambitions"]
        ],
        partners=[PartnerResult(p["id"], p["name"], p["reported"], p["expected"], p["late"]) for p in data["partners"]],
        off_track=[
            OffTrackUnit(_unit(u), u["indicator"], u["indicator_name"], u["unit_label"], u["decimals"])
            for u in data["off_track"]
        ],
    )


def _unit(u: dict) -> UnitResult:
    return UnitResult(
        u["id"], u["name"], u["organisation"], _number(u["value"]), _number(u["target"]), Status(u["status"])
    )


def _indicator(entry: dict) -> IndicatorResult:
    status = Status(entry["status"])
    if "unit_label" not in entry:
        return IndicatorResult(entry["id"], entry["name"], IndicatorProgress(status=status))
    measure = Measure(entry["unit_label"], entry["decimals"], entry["direction"])
    coming = entry["in_progress"]
    in_progress = (
        None
        if coming is None
        else InProgress(
            Period.from_slug(coming["period"]),
            _number(coming["value"]),
            coming["reported"],
            coming["expected"],
            date.fromisoformat(coming["deadline"]),
            measure,  # not stored: the indicator's measure (the headline's) is the one shown
        )
    )
    if "period" not in entry:
        progress = IndicatorProgress(measure=measure, status=status, in_progress=in_progress)
        return IndicatorResult(entry["id"], entry["name"], progress)
    forecast = entry["forecast"]
    progress = IndicatorProgress(
        measure=measure,
        status=status,
        period=Period.from_slug(entry["period"]),
        version=entry["version"],
        value=_number(entry["value"]),
        target=_number(entry["target"]),
        previous=_number(entry["previous"]),
        previous_period=_period(entry["previous_period"]),
        change=_number(entry["change"]),
        change_is_provisional=entry["change_is_provisional"],
        improving=entry["improving"],
        reported=entry["reported"],
        late=entry["late"],
        expected=entry["expected"],
        forecast=None
        if forecast is None
        else Forecast(Decimal(forecast["value"]), Period.from_slug(forecast["period"])),
        in_progress=in_progress,
    )
    organisations = [
        OrganisationResult(
            o["id"],
            o["name"],
            _number(o["value"]),
            _number(o["target"]),
            Status(o["status"]),
            o["reported"],
            o["expected"],
            o["late"],
        )
        for o in entry["organisations"]
    ]
    return IndicatorResult(entry["id"], entry["name"], progress, organisations, [_unit(u) for u in entry["units"]])


# ---------------------------------------------------------------------------------------------
# Upgrades: each takes the raw dict of its version and returns it in the next version's shape.


def _from_1(data: dict) -> dict:
    """Version 1 had no ``schema``, ``drafted_on``, ``in_progress``, ``change_is_provisional`` or
    own targets of partners and units. Its statuses stay as they were judged then (partners and
    units against the chain's target): a report shows what was reported."""
    data["schema"] = 2
    data.setdefault("drafted_on", None)
    data.setdefault("partners", [])
    data.setdefault("off_track", [])
    for ambition in data.get("ambitions", []):
        for entry in ambition.get("indicators", []):
            if "unit_label" in entry:
                entry.setdefault("in_progress", None)
            if "period" in entry:
                entry.setdefault("change_is_provisional", False)
                for part in entry.get("organisations", []) + entry.get("units", []):
                    part.setdefault("target", None)
                entry.setdefault("organisations", [])
                entry.setdefault("units", [])
    return data


_UPGRADES: dict[int, Callable[[dict], dict]] = {1: _from_1}
