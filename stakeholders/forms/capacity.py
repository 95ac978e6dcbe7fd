"""A core partner's capacity self-assessment: the period (this one or the one before), and per
dimension a score 1–5 with an explanation (required for a score of 2 or lower)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models.capacity import (
    DIMENSIONS,
    CapacityAssessment,
    window_label,
)

SCORE_CHOICES = [
    (1, _("1 — far too little to deliver our part")),
    (2, _("2 — too little, our part is at risk")),
    (3, _("3 — just enough")),
    (4, _("4 — enough")),
    (5, _("5 — ample")),
]
SCORE_ERROR = _("Choose a score from 1 to 5.")


def parse_window(value: str | None, windows: list[date]) -> date | None:
    """The window named by ``value`` (ISO date) when it is one of ``windows``, else None."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day in windows else None


class CapacityAssessmentForm(VersionedFormMixin, PortalModelForm):
    """``windows``: the periods that may be assessed now (the current one first, then the one
    before); ``months``: the chain's cadence, for their names."""

    class Meta:
        model = CapacityAssessment
        fields = [
            "period_start",
            *(name for field, _label in DIMENSIONS for name in (field, f"{field}_note")),
        ]
        widgets = {f"{field}_note": forms.Textarea(attrs={"rows": 2}) for field, _label in DIMENSIONS}

    def __init__(self, *args, windows: list[date], months: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.windows = windows
        self.fields["period_start"] = forms.TypedChoiceField(
            label=_("Period"),
            choices=[(w.isoformat(), window_label(w, months)) for w in windows],
            coerce=date.fromisoformat,
            error_messages={
                "invalid_choice": _("Choose the current period or the one before it."),
                "required": _("Choose the current period or the one before it."),
            },
            help_text=_("You may still assess the previous period if it was missed."),
        )
        for field, label in DIMENSIONS:
            self.fields[field] = forms.TypedChoiceField(
                label=label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": SCORE_ERROR, "required": SCORE_ERROR},
            )
            note = self.fields[f"{field}_note"]
            note.label = _("Explanation of %(dimension)s") % {"dimension": str(label)[:1].lower() + str(label)[1:]}
            note.help_text = _("Required for a score of 2 or lower: what is missing, and what would help?")
