"""Creating an API connection: for which organisation, and a name for the system."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalForm
from stakeholders.models import Organisation


class ApiConnectionForm(PortalForm):
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

    def __init__(self, *args, organisations: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what this person may manage: a forged id of another organisation is "not a valid choice".
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
