"""The programme manager's answer to an early warning: accept (an optional note for the bottleneck)
or dismiss (a reason is required)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalForm

TEXT_MAX = 4000


class AcceptForm(PortalForm):
    note = forms.CharField(
        label=_("Note for the bottleneck"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: added to the bottleneck's description."),
    )


class DismissForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why no action is needed. The warning stays quiet until the forecast gets worse."),
        error_messages={"required": _("Say why you dismiss this early warning.")},
    )
