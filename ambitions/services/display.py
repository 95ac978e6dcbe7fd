"""Showing figures on the dashboard, the indicator page and in exports: values from sums, numbers,
units and status marks.

The indicator page formats thousands of cells per request, so numbers are formatted with one
f-string each instead of Django's number_format (which looks up the locale's formats per call).
The output equals ``numbers.show`` (no thousands grouping, the language's decimal mark). For the
same reason ``Wording`` looks up what a page words many times (translated sentences, status
badges, period labels, dates) once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambitions.models import Direction, IndicatorVersion
from ambitions.periods import Period
from ambitions.services.progress import IndicatorProgress, Measure, Status

NO_VALUE = "—"

# A symbol next to every status, so that status never depends on colour alone.
STATUS_MARKS = {
    Status.ON_TRACK: "✓",
    Status.AT_RISK: "!",
    Status.OFF_TRACK: "✗",
    Status.NO_DATA: "–",
    Status.PROVISIONAL: "…",
    Status.IN_PROGRESS: "◔",
    Status.NOT_JUDGED: "○",
}


def value_from_sums(
    version: IndicatorVersion,
    value_sum: Decimal | None,
    numerator_sum: Decimal | None,
    denominator_sum: Decimal | None,
    reported: int,
) -> Decimal | None:
    """The same rule as AggregateFields.value: Σnumerator / Σdenominator × factor, or the sum."""
    if not reported:
        return None
    if version.is_ratio:
        if not denominator_sum:
            return None
        return numerator_sum / denominator_sum * version.factor
    return value_sum


class NumberFormat:
    """``fmt(number, decimals)``: the active language's decimal mark, rounded half-even like show()."""

    def __init__(self) -> None:
        self.separator = get_format("DECIMAL_SEPARATOR")
        self._points = ""  # "%(number)s percentage points", translated on first use

    def __call__(self, number: Decimal | None, decimals: int) -> str:
        if number is None:
            return NO_VALUE
        text = f"{number:.{decimals}f}"
        if text.startswith("-") and not text.strip("-0."):
            text = text[1:]  # -0.0 is 0.0
        return text if self.separator == "." else text.replace(".", self.separator)

    def with_unit(self, number: Decimal | None, version: IndicatorVersion | Measure) -> str:
        return with_unit(self(number, version.decimals), version.unit_label) if number is not None else NO_VALUE

    def change(self, delta: Decimal | None, version: IndicatorVersion | Measure) -> str:
        """A signed difference: +2,1 or −0,4 (a real minus sign); a change of a percentage is in points."""
        if delta is None:
            return NO_VALUE
        text = self(abs(delta), version.decimals)
        if text.strip("0,."):
            text = ("+" if delta > 0 else "−") + text
        if version.unit_label == "%":
            if not self._points:
                self._points = _("%(number)s percentage points")
            return self._points % {"number": text}
        return with_unit(text, version.unit_label)


def change_text(
    words: Wording,
    delta: Decimal | None,
    version: IndicatorVersion | Measure,
    improving: bool | None,
    provisional: bool,
) -> str:
    """ "+2,1 zaken (better)", and when the two periods were not like with like (progress.standing)
    the reader is told so: the dashboard and the report say it in the same words."""
    text = words.fmt.change(delta, version)
    if improving is not None:
        text += " (" + (words.better if improving else words.worse) + ")"
    if provisional:
        text += "; " + words.provisional
    return text


def with_unit(text: str, label: str) -> str:
    if not label:
        return text
    return f"{text}{label}" if label == "%" else f"{text} {label}"


def status_labels() -> dict[str, str]:
    """Status → its translated label, for the active language (called once per request)."""
    return {status.value: str(status.label) for status in Status}


def status_badge(status: str, label: str) -> SafeString:
    """A status as text with its symbol, never by colour alone: the one markup for it."""
    return format_html(
        '<span class="kp-status kp-status--{}"><span class="kp-status__mark" aria-hidden="true">{}</span> {}</span>',
        status,
        STATUS_MARKS[status],
        label,
    )


def direction_text(version: IndicatorVersion) -> str:
    return _("higher is better") if version.direction == Direction.HIGHER else _("lower is better")


class PeriodLabels(dict):
    """``label(period)``: Period.label() once per period per page (formatting dates is slow)."""

    def __call__(self, period: Period) -> str:
        text = self.get(period)
        if text is None:
            text = self[period] = period.label()
        return text


class Wording:
    """What a page words over and over (20 tiles, a report's rows), looked up once per request in
    the active language: the number format, status labels and badges, period labels, dates and
    the sentences show_progress() fills in. Translating and formatting dates cost more than the
    figures themselves when repeated per tile."""

    def __init__(self) -> None:
        self.fmt = NumberFormat()
        self.labels = status_labels()
        self.badges = {status: status_badge(status, label) for status, label in self.labels.items()}
        self.period = PeriodLabels()
        self.expected_for = _("Expected for %(period)s")
        self.change_since = _("Change since %(period)s")
        self.at_this_pace = _("At this pace: %(value)s by %(period)s")
        self.better = _("better")
        self.worse = _("worse")
        self.provisional = _("provisional: not every unit reported under the same definition in both periods")
        self._days: dict[date, str] = {}
        self._units: dict[int, str] = {}
        self._late: dict[int, str] = {}

    def day(self, day: date) -> str:
        """A deadline as "10 October 2026"."""
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = formats.date_format(day, "j F Y")
        return text

    def reported(self, reported: int, expected: int, late: int) -> str:
        """ "2 of 3 units, 1 late" (the plural forms looked up once per count)."""
        units = self._units.get(expected)
        if units is None:
            units = self._units[expected] = ngettext(
                "%(reported)s of %(count)s unit", "%(reported)s of %(count)s units", expected
            )
        text = units % {"reported": reported, "count": expected}
        if late:
            late_text = self._late.get(late)
            if late_text is None:
                late_text = self._late[late] = ngettext("%(count)s late", "%(count)s late", late)
            text += ", " + late_text % {"count": late}
        return text


@dataclass(frozen=True)
class ProgressText:
    """An IndicatorProgress as text, in the reader's language: the fields a dashboard tile and a
    progress report's row both show (templates compose their sentences from these)."""

    status: str
    status_label: str
    mark: str
    badge: str = ""  # the status as status_badge() shows it (safe HTML)
    period_label: str = ""  # the headline's period; empty: no headline
    value: str = NO_VALUE
    target: str = ""  # expected for the headline's period
    target_label: str = ""
    change: str = ""  # with "(better)"/"(worse)" and, when not like with like, that it is provisional
    change_label: str = ""
    forecast: str = ""  # "At this pace: …"
    reported: int = 0
    expected: int = 0
    late: int = 0
    reported_text: str = ""  # "2 of 3 units, 1 late"
    in_progress_period: str = ""  # empty: nothing coming in
    in_progress_value: str = ""
    in_progress_reported: int = 0
    in_progress_expected: int = 0
    in_progress_deadline: str = ""


def show_progress(progress: IndicatorProgress, words: Wording) -> ProgressText:
    """One rule for how a tile and a report row word where an indicator stands."""
    fmt, label = words.fmt, words.period
    status = progress.status
    parts: dict = {
        "status": status,
        "status_label": words.labels[status],
        "mark": STATUS_MARKS[status],
        "badge": words.badges[status],
    }
    coming = progress.in_progress
    if coming is not None:
        parts.update(
            in_progress_period=label(coming.period),
            in_progress_value=fmt.with_unit(coming.value, coming.measure),
            in_progress_reported=coming.reported,
            in_progress_expected=coming.expected,
            in_progress_deadline=words.day(coming.deadline),
        )
    measure = progress.measure
    if measure is None or progress.period is None:
        return ProgressText(**parts)
    period_label = label(progress.period)
    parts.update(period_label=period_label, value=fmt.with_unit(progress.value, measure))
    if progress.target is not None:
        parts["target"] = fmt.with_unit(progress.target, measure)
        parts["target_label"] = words.expected_for % {"period": period_label}
    if progress.change is not None:
        parts["change"] = change_text(
            words, progress.change, measure, progress.improving, progress.change_is_provisional
        )
        parts["change_label"] = words.change_since % {"period": label(progress.previous_period)}
    if progress.forecast is not None:
        parts["forecast"] = words.at_this_pace % {
            "value": fmt.with_unit(progress.forecast.value, measure),
            "period": label(progress.forecast.period),
        }
    parts.update(
        reported=progress.reported,
        expected=progress.expected,
        late=progress.late,
        reported_text=words.reported(progress.reported, progress.expected, progress.late),
    )
    return ProgressText(**parts)
