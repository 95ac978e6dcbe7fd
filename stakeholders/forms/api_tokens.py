"""API connections: creating one (for which organisation, a name, until when) and rotating its token."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalForm
from stakeholders.models import Organisation

# A token lives at most two years: a partner's system is reviewed at least that often.
MAX_LIFETIME_DAYS = 730
DEFAULT_LIFETIME_DAYS = 365
MAX_GRACE_DAYS = 30


def end_of(day: date) -> datetime:
    """A token valid "until 31 March" works through that whole day, local time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _default_expiry() -> date:
    return timezone.localdate() + timedelta(days=DEFAULT_LIFETIME_DAYS)


def expiry_field() -> forms.DateField:
    return forms.DateField(
        label=_("Valid until"),
        initial=_default_expiry,
        widget=forms.DateInput(),
        help_text=_("The last day the token works (at most two years from today)."),
    )


class ExpiryMixin:
    """The new token's last day: after today, at most two years ahead."""

    def clean_expires_on(self) -> date:
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Give a day after today."), code="past")
        if day > today + timedelta(days=MAX_LIFETIME_DAYS):
            raise forms.ValidationError(_("A token can be valid for at most two years."), code="too_far")
        return day

    @property
    def expires_at(self) -> datetime:
        return end_of(self.cleaned_data["expires_on"])


class ApiConnectionForm(ExpiryMixin, PortalForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("The connection enters figures for this organisation's units only."),
    )
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=100,
        help_text=_("E.g. the case registration system that will send the figures."),
    )

    expires_on = expiry_field()

    def __init__(self, *args, organisations: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what this person may manage: a forged id of another organisation is "not a valid choice".
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class RotateTokenForm(ExpiryMixin, PortalForm):
    grace_days = forms.IntegerField(
        label=_("Grace period in days"),
        initial=7,
        help_text=_(
            "How long the current token keeps working, so the system can switch to the new one "
            "(0 to 30 days; 0 stops it at once)."
        ),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_GRACE_DAYS}),
    )
    expires_on = expiry_field()

    def clean_grace_days(self) -> int:
        days = self.cleaned_data["grace_days"]
        if not 0 <= days <= MAX_GRACE_DAYS:
            raise forms.ValidationError(
                _("Give a grace period from 0 to %(max)s days.") % {"max": MAX_GRACE_DAYS}, code="out_of_range"
            )
        return days

    @property
    def grace(self) -> timedelta:
        return timedelta(days=self.cleaned_data["grace_days"])
