"""The chain colour's contrast rule (WCAG 2.1, 1.4.3): white text on the colour must reach 4.5:1.

The chain's colour is a band behind white text (the chain bar, the public page's header, the report
and PDF headers), so a colour too light for white text is refused where it is entered, with the
ratio it reaches named. One rule: the model field's validator, which the settings form and the API
both run.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_CONTRAST = 4.5  # WCAG AA for normal text
WHITE_LUMINANCE = 1.0


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The relative luminance of ``#RRGGBB`` (WCAG's definition)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_with_white(colour: str) -> float:
    return (WHITE_LUMINANCE + 0.05) / (relative_luminance(colour) + 0.05)


def ratio_text(ratio: float) -> str:
    """Rounded *down* to one decimal, so a colour at 4.47:1 never reads as "4.5:1" and refused."""
    return f"{math.floor(ratio * 10) / 10:.1f}"


def validate_contrast_with_white(colour: str) -> None:
    """Refuses a ``#RRGGBB`` colour white text cannot be read on; other shapes are the format
    validator's to refuse (this one stays silent on them, so the person sees one message)."""
    if not isinstance(colour, str) or len(colour) != 7 or not colour.startswith("#"):
        return
    try:
        ratio = contrast_with_white(colour)
    except ValueError:
        return
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on this colour has a contrast of %(ratio)s:1, at least %(minimum)s:1 is needed. "
                "Choose a darker colour."
            ),
            code="low_contrast",
            params={"ratio": ratio_text(ratio), "minimum": "4.5"},
        )
