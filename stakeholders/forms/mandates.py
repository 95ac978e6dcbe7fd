"""Mandates: granting someone the authority to act for a partner, and changing its scope or term."""

from collections.abc import Sequence

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Chain, Mandate, Partnership, Person

_WIDGETS = {"valid_from": forms.DateInput(), "valid_until": forms.DateInput()}


class MandateCreateForm(PortalModelForm):
    """A new mandate for one of the chain's partners, held by someone of that partner with a role here.

    ``offered`` are the partners the user may grant mandates for (the view asks the policy);
    only those and their people are in the lists. Validation accepts every partner and every
    member of the chain, so that a wrong combination gets the model's clear message at the
    person, and a partner the user may not grant for reaches the view's permission check (403)
    instead of a vague "not a valid choice".
    """

    class Meta:
        model = Mandate
        fields = ["partnership", "person", "scope", "valid_from", "valid_until", "note"]
        widgets = _WIDGETS
        help_texts = {"person": _("Someone with a role in this chain who works for the partner.")}

    def __init__(self, *args, chain: Chain, offered: Sequence[Partnership], **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.fields["partnership"]
        partnership.queryset = Partnership.objects.filter(chain=chain).select_related("organisation")
        partnership.label_from_instance = lambda p: p.organisation.name
        partnership.widget.choices = [("", partnership.empty_label), *((p.pk, p.organisation.name) for p in offered)]
        if len(offered) == 1:
            partnership.initial = offered[0].pk

        person = self.fields["person"]
        person.queryset = Person.objects.humans().filter(memberships__chain=chain)
        # One group per partner, so the list shows who works where.
        by_organisation = {p.organisation_id: (p.organisation.name, []) for p in offered}
        for someone in person.queryset.filter(organisation_id__in=by_organisation).order_by("full_name"):
            by_organisation[someone.organisation_id][1].append((someone.pk, str(someone)))
        person.widget.choices = [("", person.empty_label), *(group for group in by_organisation.values() if group[1])]


class MandateEditForm(VersionedFormMixin, PortalModelForm):
    """Scope, term and note; who holds the mandate and for which partner stay as granted."""

    class Meta:
        model = Mandate
        fields = ["scope", "valid_from", "valid_until", "note"]
        widgets = _WIDGETS

    def add_error(self, field, error) -> None:
        # Mandate.clean() also checks that the holder still works for the partner. Those two
        # are not fields here, so that message belongs to the form as a whole.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            merged: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                merged.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(errors)
            error = ValidationError(merged)
        super().add_error(field, error)
