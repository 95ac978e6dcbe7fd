"""Organisations and their unit trees."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Organisation, PartnershipStatus, Unit


class OrganisationForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "website"]

    def validate_constraints(self) -> None:
        # The case-insensitive unique name is an expression constraint, which Django reports
        # for no field; the person needs the message at the name.
        try:
            self.instance.validate_constraints(exclude=self._get_validation_exclusions())
        except ValidationError as error:
            self.add_error("name", error.messages)


class OrganisationCreateForm(OrganisationForm):
    """A new organisation, by default straight away a partner of the chain it is created in."""

    add_as_partner = forms.BooleanField(label=_("Add as partner of this chain"), required=False, initial=True)
    partner_status = forms.ChoiceField(
        label=_("Status in this chain"), choices=PartnershipStatus.choices, initial=PartnershipStatus.CORE
    )


class UnitForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = Unit
        fields = ["name", "code", "parent"]

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        parent = self.fields["parent"]
        # Validation accepts any unit of the organisation, so that a unit placed under its own
        # branch (by a stale page or a forged post) gets the model's clear "part of itself"
        # message; the list offers only the units where it can really go.
        parent.queryset = Unit.objects.filter(organisation=organisation)
        excluded = {self.instance.pk} | self.instance.descendant_ids() if self.instance.pk else set()
        parent.widget.choices = [
            ("", _("— top level —")),
            *((u.pk, u.name) for u in parent.queryset.order_by("name") if u.pk not in excluded),
        ]

    def validate_constraints(self) -> None:
        # The organisation is set by the view, not a form field, so Django would skip the
        # unique-name constraints; check them and put the message at the name.
        exclude = self._get_validation_exclusions() - {"organisation"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self.add_error("name", error.messages)
