"""Saving one cell of the entry grid: validation, the lock checks, concurrency and the roll-ups.

``save_cell`` is the only way a single figure is written (pages and API both call it; the grid's
cell endpoint calls its second half, ``write_cell``, after reading the cell under the lock
itself), so every rule of issue #3's "bad input" lives here once. Errors name the input field they belong to, so
the grid can show the message at the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import (
    Figure,
    FigureChange,
    FigureSource,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
)
from ambitions.models.figures import holds_data, locks_cell
from ambitions.periods import Period
from ambitions.services import aggregates, data_revision
from ambitions.services.numbers import FIGURE, NotANumber, fit, parse_form, show
from ambitions.services.versions import pick, versions_in_force
from ketenportaal.text import TextRefused, clean_text
from stakeholders.models import Person, Unit
from stakeholders.permissions import Action, allows

# A figure's comment, in every channel (the grid, the single and the bulk API).
COMMENT_MAX = 2000


@dataclass
class CellInput:
    """What the user typed, as text, read the Dutch way (numbers.parse_form); or, from the API,
    numbers it read itself (numbers.read_api) as Decimal or None (empty). ``revision`` is the
    figure revision the form was loaded with (0: empty)."""

    value: str | Decimal | None = ""
    numerator: str | Decimal | None = ""
    denominator: str | Decimal | None = ""
    comment: str = ""
    follow_up: bool = False
    revision: int | None = None  # None: do not check (e.g. an API upsert without If-Match)


class CellRefused(Exception):
    """The input cannot be saved; ``errors`` maps an input field (or '__all__') to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


class CellConflict(Exception):
    """Someone else saved this cell since the form was loaded."""

    def __init__(self, current: Figure):
        super().__init__(current.pk)
        self.current = current


@dataclass
class CellContext:
    """Everything the checks need to know about a cell, loaded once."""

    indicator: Indicator
    unit: Unit
    period: Period
    version: IndicatorVersion | None
    reporting_unit_ids: set[int] = field(default_factory=set)
    submission_status: str = SubmissionStatus.OPEN
    agreed_day: int | None = None  # the partner's agreed delivery day (its delivery terms in force)

    def deadline(self) -> date:
        return self.version.deadline_of(self.period, self.agreed_day)


def entry_window(version: IndicatorVersion, period: Period) -> tuple[date, date]:
    """IndicatorVersion.entry_window_of (the rule lives on the version)."""
    return version.entry_window_of(period)


def deadline(version: IndicatorVersion, period: Period) -> date:
    """IndicatorVersion.deadline_of (the rule lives on the version)."""
    return version.deadline_of(period)


def check_cell_open(ctx: CellContext, today: date, locked: bool | None = None) -> None:
    """Refuse cells that cannot take a figure at all, whatever is typed. ``locked``: whether the
    period's approval locks this cell (models.figures.locks_cell, which needs the stored figure);
    unknown (None), an approved period counts as locked as a whole."""
    version = ctx.version
    if version is None or version.frequency != ctx.period.frequency:
        raise CellRefused(
            {
                "__all__": _("%(indicator)s has no adopted definition for %(period)s.")
                % {"indicator": ctx.indicator, "period": ctx.period}
            }
        )
    if ctx.unit.pk not in ctx.reporting_unit_ids:
        raise CellRefused(
            {"__all__": _("%(unit)s does not report %(indicator)s.") % {"unit": ctx.unit, "indicator": ctx.indicator}}
        )
    opens, closes = version.entry_window_of(ctx.period)
    if not opens <= today <= closes:
        raise CellRefused(
            {
                "__all__": _("Figures for %(period)s can be entered from %(opens)s to %(closes)s.")
                % {"period": ctx.period, "opens": opens, "closes": closes}
            }
        )
    if ctx.submission_status == SubmissionStatus.APPROVED if locked is None else locked:
        raise CellRefused(
            {
                "__all__": _("The figures of %(org)s for %(period)s are approved and locked.")
                % {"org": ctx.unit.organisation, "period": ctx.period}
            }
        )


@dataclass
class CleanCell:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    comment: str
    follow_up: bool

    @property
    def has_data(self) -> bool:
        return holds_data(self.value, self.numerator, self.denominator)


def read_number(raw: str | Decimal | None, decimals: int | None) -> Decimal | None:
    """A typed text the Dutch way, or a number the API read; bounded to the column and ``decimals``."""
    if raw is None or isinstance(raw, Decimal):
        return fit(raw, FIGURE, decimals)
    return parse_form(raw, FIGURE, decimals)


def clean_input(version: IndicatorVersion, data: CellInput) -> CleanCell:
    """Parse and check the typed values against the definition; all problems at once, per field.

    A sum's value has at most the definition's decimals; a ratio's numerator and denominator as
    many as the column keeps (its decimals are those of the ratio, shown)."""
    errors: dict[str, str] = {}
    numbers: dict[str, Decimal | None] = {}
    names = ("numerator", "denominator") if version.is_ratio else ("value",)
    for name in names:
        try:
            numbers[name] = read_number(getattr(data, name), None if version.is_ratio else version.decimals)
        except NotANumber as refused:
            errors[name] = refused.message
            continue
        if numbers[name] is not None and numbers[name] < 0 and (version.is_ratio or not version.allow_negative):
            errors[name] = _("This value cannot be negative.")
    try:
        comment = clean_text(data.comment, max_length=COMMENT_MAX)
    except TextRefused as refused:
        errors["comment"] = refused.message
    if errors:
        raise CellRefused(errors)

    if version.is_ratio:
        numerator, denominator = numbers["numerator"], numbers["denominator"]
        if (numerator is None) != (denominator is None):
            missing = "denominator" if denominator is None else "numerator"
            raise CellRefused({missing: _("Enter both the numerator and the denominator, or neither.")})
        if denominator == 0:
            raise CellRefused({"denominator": _("The denominator cannot be zero.")})
        if numerator is not None and version.is_share and numerator > denominator:
            raise CellRefused({"numerator": _("The numerator cannot be greater than the denominator.")})
        value = None if numerator is None else numerator / denominator * version.factor
        if value is not None and value.adjusted() >= FIGURE.whole_digits:  # before rounding: it could overflow
            raise CellRefused({"numerator": _("This number is too large.")})
        value = None if value is None else round(value, FIGURE.decimal_places)
    else:
        numerator = denominator = None
        value = numbers["value"]

    if value is not None and not comment and not _plausible(version, value):
        field_name = "numerator" if version.is_ratio else "value"
        raise CellRefused(
            {
                "comment": _(
                    "%(value)s is outside the plausible range (%(low)s to %(high)s): add a comment to explain it."
                )
                % {
                    "value": show(value, version.decimals),
                    "low": show(version.min_value, version.decimals) if version.min_value is not None else "…",
                    "high": show(version.max_value, version.decimals) if version.max_value is not None else "…",
                },
                field_name: _("Implausible value: check it, or explain it in the comment."),
            }
        )
    return CleanCell(value, numerator, denominator, comment, bool(data.follow_up))


def check_clearing(ctx: CellContext, had_data: bool, has_data: bool) -> None:
    """Clearing a cell deletes its figure: the figure keeps its row and history with an empty
    state, and leaves the roll-ups. Not while the period is submitted: the partner lead is
    approving what was submitted (a figure may still be corrected there); a programme manager
    reopens the period first. (An approved figure is locked anyway: check_cell_open.)"""
    if had_data and not has_data and ctx.submission_status == SubmissionStatus.SUBMITTED:
        field_name = "numerator" if ctx.version.is_ratio else "value"
        raise CellRefused(
            {
                field_name: _(
                    "The figures of %(org)s for %(period)s have been submitted: correct this figure, or ask a "
                    "programme manager to reopen the period to remove it."
                )
                % {"org": ctx.unit.organisation, "period": ctx.period}
            }
        )


def _plausible(version: IndicatorVersion, value: Decimal) -> bool:
    if version.min_value is not None and value < version.min_value:
        return False
    return version.max_value is None or value <= version.max_value


def load_context(indicator: Indicator, unit: Unit, period: Period) -> CellContext:
    # The version in force, whether the unit reports it and its agreed delivery day, in one query.
    in_force = versions_in_force([indicator.pk], reported_by=unit, agreed_for=(unit.organisation_id, period.end))
    version = pick(in_force[indicator.pk], period.start)
    reporting = {unit.pk} if version is not None and version.unit_reports else set()
    # FOR UPDATE: an approval of this organisation's period waits for this save, or this save sees it.
    status = (
        PeriodSubmission.objects.select_for_update()
        .filter(
            chain_id=indicator.ambition.chain_id,
            organisation_id=unit.organisation_id,
            frequency=period.frequency,
            period=period.start,
        )
        .values_list("status", flat=True)
        .first()
    ) or SubmissionStatus.OPEN
    agreed_day = version.agreed_day if version is not None else None
    return CellContext(indicator, unit, period, version, reporting, status, agreed_day)


def save_cell(
    person: Person,
    indicator: Indicator,
    unit: Unit,
    period: Period,
    data: CellInput,
    source: str = FigureSource.FORM,
    today: date | None = None,
) -> Figure:
    """Save one figure; raises PermissionDenied, CellRefused or CellConflict and then saves nothing."""
    if not allows(person, Action.ENTER_FIGURES, indicator.ambition.chain, unit.organisation):
        raise PermissionDenied  # before taking the lock, so a refused request never waits for it
    with aggregates.locked_rollups([(indicator.pk, period.start)]) as touched:
        # Read under the lock: an approval or another save of this cell is now either done or waiting.
        ctx = load_context(indicator, unit, period)
        figure = Figure.objects.filter(indicator=indicator, unit=unit, period=period.start).first()
        return write_cell(person, ctx, figure, data, touched, source, today)


def write_cell(
    person: Person,
    ctx: CellContext,
    figure: Figure | None,
    data: CellInput,
    touched: set,
    source: str = FigureSource.FORM,
    today: date | None = None,
) -> Figure:
    """save_cell's checks and write, for a caller that holds the roll-up lock of the cell's
    indicator and period (``touched`` is what ``locked_rollups`` yielded) and has read ``ctx``
    and the stored ``figure`` under it (``load_context`` locks the period's submission).

    The entry grid's cell endpoint takes the lock itself and reads the cell once for both the
    checks and the page, so that a save does not make the same reads twice."""
    indicator, unit, period = ctx.indicator, ctx.unit, ctx.period
    if not allows(person, Action.ENTER_FIGURES, indicator.ambition.chain, unit.organisation):
        raise PermissionDenied
    today = today or timezone.localdate()
    check_cell_open(ctx, today, locked=locks_cell(ctx.submission_status, figure))
    clean = clean_input(ctx.version, data)
    if figure is not None and data.revision is not None and data.revision != figure.revision:
        raise CellConflict(figure)
    check_clearing(ctx, figure is not None and figure.has_data, clean.has_data)
    if figure is None:
        figure = Figure(
            indicator=indicator, unit=unit, organisation_id=unit.organisation_id, period=period.start, revision=0
        )
    elif same_content(figure, clean):
        return figure
    was_reported = figure.has_data
    figure.version = ctx.version
    figure.value, figure.numerator, figure.denominator = clean.value, clean.numerator, clean.denominator
    figure.comment, figure.follow_up, figure.source = clean.comment, clean.follow_up, source
    figure.is_late = lateness(figure.is_late, was_reported, clean.has_data, today > ctx.deadline())
    # A figure delivered into an approved period waits for the lead's approval (approve_late).
    figure.awaiting_approval = ctx.submission_status == SubmissionStatus.APPROVED and clean.has_data
    figure.revision += 1
    figure.entered_by = person
    figure.save()
    FigureChange.of(figure, source, person).save()
    touched.add((indicator.pk, period.start, unit.organisation_id))
    data_revision.figures_changed([indicator.ambition.chain_id], [indicator.pk])  # the dashboard shows it at once
    return figure


def lateness(was_late: bool, was_reported: bool, has_data: bool, past_deadline: bool) -> bool:
    """Whether a figure is late after a save. Timeliness is about the first report: correcting an
    on-time figure later keeps it on time; an emptied cell is not late."""
    if not has_data:
        return False
    return was_late if was_reported else past_deadline


# What a cell holds; saving the same content again changes nothing (no revision, no history row).
CONTENT_FIELDS = ("value", "numerator", "denominator", "comment", "follow_up")


def same_content(saved, new) -> bool:
    """Whether ``new`` (typed input, cleaned) would store exactly what ``saved`` holds."""
    return all(getattr(saved, name) == getattr(new, name) for name in CONTENT_FIELDS)
