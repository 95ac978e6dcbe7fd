"""Showing figures on the dashboard, the indicator page and in exports: values from sums, numbers,
units and status marks.

The indicator page formats thousands of cells per request, so numbers are formatted with one
f-string each instead of Django's number_format (which looks up the locale's formats per call).
The output equals ``numbers.show`` (no thousands grouping, the language's decimal mark).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ambitions.models import Direction, IndicatorVersion
from ambitions.services.progress import Status

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

    def __call__(self, number: Decimal | None, decimals: int) -> str:
        if number is None:
            return NO_VALUE
        text = f"{number:.{decimals}f}"
        if text.startswith("-") and not text.strip("-0."):
            text = text[1:]  # -0.0 is 0.0
        return text if self.separator == "." else text.replace(".", self.separator)

    def with_unit(self, number: Decimal | None, version: IndicatorVersion) -> str:
        return with_unit(self(number, version.decimals), version.unit_label) if number is not None else NO_VALUE

    def change(self, delta: Decimal | None, version: IndicatorVersion) -> str:
        """A signed difference: +2,1 or −0,4 (a real minus sign); a change of a percentage is in points."""
        if delta is None:
            return NO_VALUE
        text = self(abs(delta), version.decimals)
        if text.strip("0,."):
            text = ("+" if delta > 0 else "−") + text
        if version.unit_label == "%":
            return _("%(number)s percentage points") % {"number": text}
        return with_unit(text, version.unit_label)


def change_text(
    fmt: NumberFormat, delta: Decimal | None, version: IndicatorVersion, improving: bool | None, provisional: bool
) -> str:
    """ "+2,1 zaken (better)", and when the two periods were not like with like (progress.standing)
    the reader is told so: the dashboard and the report say it in the same words."""
    text = fmt.change(delta, version)
    if improving is not None:
        text += " (" + (_("better") if improving else _("worse")) + ")"
    if provisional:
        text += "; " + _("provisional: not every unit reported under the same definition in both periods")
    return text


def with_unit(text: str, label: str) -> str:
    if not label:
        return text
    return f"{text}{label}" if label == "%" else f"{text} {label}"


def status_labels() -> dict[str, str]:
    """Status → its translated label, for the active language (called once per request)."""
    return {status.value: str(status.label) for status in Status}


def status_badge(status: str, label: str) -> SafeString:
    return format_html(
        '<span class="kp-status kp-status--{}"><span class="kp-status__mark" aria-hidden="true">{}</span> {}</span>',
        status,
        STATUS_MARKS[status],
        label,
    )


def direction_text(version: IndicatorVersion) -> str:
    return _("higher is better") if version.direction == Direction.HIGHER else _("lower is better")
