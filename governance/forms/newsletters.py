"""The programme manager's forms on a draft newsletter: the introduction, and one item's step
(up, down, drop, restore). Both carry the edition's ``version`` as it was shown: a stale page is
refused by governance/services/newsletters.py, not overwritten."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models.newsletters import INTRODUCTION_MAX
from ketenportaal.forms import PortalForm


class IntroductionForm(PortalForm):
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=INTRODUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ItemStepForm(PortalForm):
    STEPS = [("up", _("Up")), ("down", _("Down")), ("drop", _("Leave out")), ("restore", _("Put back"))]

    item = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    step = forms.ChoiceField(choices=STEPS)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
