"""The public sign-up form of a chain's newsletter (governance/views/subscribers.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalForm


class SignupForm(PortalForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.nl."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
