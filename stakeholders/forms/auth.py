"""Forms for signing in, resetting a password and the second factor."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenportaal.forms import PortalForm, PortalFormMixin


class LoginForm(PortalFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("This e-mail address and password do not match. Check both; passwords are case-sensitive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "type": "email"})
        # No autofocus: it would jump past the skip link and the page's heading, which
        # disorients screen-reader and keyboard users (the page must start at the top).
        self.fields["username"].widget.attrs.pop("autofocus", None)


class PasswordResetForm(PortalFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(PortalFormMixin, auth_forms.SetPasswordForm):
    pass


class TokenForm(PortalForm):
    """A six-digit code from the authenticator app, checked against one device."""

    token = forms.CharField(
        label=_("Six-digit code"),
        help_text=_("The code your authenticator app shows now for Ketenportaal."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "size": 6}
        ),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the six digits of the code, without letters."))
        # Throttling (django-otp): after a wrong code the device refuses codes for a while.
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(_("Too many wrong codes. Wait a minute, then enter the newest code."))
        if not self.device.verify_token(token):
            raise forms.ValidationError(_("This code is not correct or has expired. Enter the newest code."))
        return token
