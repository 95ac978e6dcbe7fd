"""Exporting an indicator's figures: every unit's figure per period plus the chain's totals.

CSV is written for Dutch Excel: semicolons, a decimal comma and a UTF-8 byte order mark. XLSX
has two sheets (figures, chain). In both, a text cell that a spreadsheet would read as a formula
(starting with =, +, -, @, a tab or a carriage return) gets a leading single quote, so a comment
like ``=HYPERLINK(...)`` stays text: the export never runs what a user typed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ambitions.models import ChainAggregate, Figure, Indicator, IndicatorVersion, VersionStatus
from ambitions.periods import Period
from ambitions.services.display import value_from_sums
from ambitions.services.versions import pick

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading quote; nothing else changes."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class Export:
    indicator: Indicator
    first: Period | None
    last: Period | None
    figures: list[tuple]  # period, organisation, unit, value, numerator, denominator, late, follow-up, comment
    chain: list[tuple]  # period, value, numerator sum, denominator sum, units reported, late

    @property
    def filename_stem(self) -> str:
        span = f"{self.first.slug}-{self.last.slug}" if self.first and self.last else _("all")
        return f"{self.indicator.ambition.chain.slug}-{slugify(self.indicator.name)}-{span}"


def collect(indicator: Indicator, first: Period | None = None, last: Period | None = None) -> Export:
    """The figures of ``first``..``last`` (inclusive; None: from the start / to the end)."""
    versions = list(
        IndicatorVersion.objects.filter(
            indicator=indicator, status__in=[VersionStatus.ADOPTED, VersionStatus.SUPERSEDED]
        ).order_by("-effective_from")
    )
    bounds = {}
    if first is not None:
        bounds["period__gte"] = first.start
    if last is not None:
        bounds["period__lte"] = last.start
    figures = []
    rows = (
        Figure.objects.filter(indicator=indicator, **bounds)
        .order_by("period", "organisation__name", "unit__name", "unit_id")
        .values_list(
            "period",
            "organisation__name",
            "unit__name",
            "value",
            "numerator",
            "denominator",
            "is_late",
            "follow_up",
            "comment",
        )
    )
    for period, organisation, unit, value, numerator, denominator, late, follow_up, comment in rows:
        version = pick(versions, period)
        if value is None and version is not None and version.is_ratio and numerator is not None and denominator:
            value = round(numerator / denominator * version.factor, 4)
        figures.append(
            (_slug(period, version), organisation, unit, value, numerator, denominator, late, follow_up, comment)
        )
    chain = []
    sums = (
        ChainAggregate.objects.filter(indicator=indicator, reported__gt=0, **bounds)
        .order_by("period")
        .values_list("period", "value_sum", "numerator_sum", "denominator_sum", "reported", "late")
    )
    for period, value_sum, numerator_sum, denominator_sum, reported, late in sums:
        version = pick(versions, period)
        value = value_from_sums(version, value_sum, numerator_sum, denominator_sum, reported) if version else None
        ratio = version is not None and version.is_ratio
        chain.append(
            (
                _slug(period, version),
                None if value is None else round(value, 4),
                numerator_sum if ratio else None,
                denominator_sum if ratio else None,
                reported,
                late,
            )
        )
    return Export(indicator, first, last, figures, chain)


def _slug(period: date, version: IndicatorVersion | None) -> str:
    return Period.containing(period, version.frequency).slug if version is not None else period.isoformat()


def _headers() -> tuple[list[str], list[str]]:
    figures = [
        _("Period"),
        _("Organisation"),
        _("Unit"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Late"),
        _("Needs follow-up"),
        _("Comment"),
    ]
    chain = [_("Period"), _("Value"), _("Numerator"), _("Denominator"), _("Units reported"), _("Late")]
    return figures, chain


def _yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def to_csv(export: Export) -> bytes:
    """One table with a Level column: every unit's figure, then the chain's totals per period."""

    def number(value: Decimal | None) -> str:
        if value is None:
            return ""
        return format(value.normalize(), "f").replace(".", ",") if isinstance(value, Decimal) else str(value)

    figure_header, _chain_header = _headers()
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Level"), *figure_header[:6], _("Units reported"), *figure_header[6:]])
    unit_level, chain_level = _("unit"), _("chain")
    for period, organisation, unit, value, numerator, denominator, late, follow_up, comment in export.figures:
        writer.writerow(
            [
                unit_level,
                period,
                neutralise(organisation),
                neutralise(unit),
                number(value),
                number(numerator),
                number(denominator),
                "",
                _yes_no(late),
                _yes_no(follow_up),
                neutralise(comment),
            ]
        )
    for period, value, numerator, denominator, reported, late in export.chain:
        writer.writerow(
            [
                chain_level,
                period,
                "",
                "",
                number(value),
                number(numerator),
                number(denominator),
                str(reported),
                str(late),
                "",
                "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def to_xlsx(export: Export) -> bytes:
    figure_header, chain_header = _headers()
    workbook = Workbook(write_only=True)
    figures = workbook.create_sheet(_("Figures"))
    figures.append(figure_header)
    for period, organisation, unit, value, numerator, denominator, late, follow_up, comment in export.figures:
        figures.append(
            [
                period,
                _text(organisation),
                _text(unit),
                value,
                numerator,
                denominator,
                _yes_no(late),
                _yes_no(follow_up),
                _text(comment),
            ]
        )
    chain = workbook.create_sheet(_("Chain"))
    chain.append(chain_header)
    for row in export.chain:
        chain.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(text: str) -> str:
    # openpyxl refuses control characters; they have no place in a spreadsheet cell anyway.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", text))


def render(export: Export, fmt: str) -> bytes:
    return to_csv(export) if fmt == "csv" else to_xlsx(export)
