"""Naming a stand-in for an absent lead (stakeholders/models/stand_ins.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenportaal.forms import PortalModelForm
from stakeholders.models import Partnership, Person, StandIn


class StandInForm(PortalModelForm):
    """Who stands in for whom, from when until when, and why (optionally).

    ``choose_lead`` (the programme manager) offers the partner's people as the absent lead;
    otherwise the lead is the user. Validation accepts every member of the chain as stand-in, so
    that someone from another organisation gets the model's clear message at the field instead of
    a vague "not a valid choice"; the list offers only the partner's own people.
    """

    class Meta:
        model = StandIn
        fields = ["lead", "stand_in", "starts_on", "ends_on", "reason"]
        widgets = {"starts_on": forms.DateInput(), "ends_on": forms.DateInput()}
        help_texts = {
            "stand_in": _("Someone of the same partner with a role in this chain that can use the lead's mandates."),
        }

    def __init__(self, *args, partnership: Partnership, user: Person, choose_lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.instance.created_by = user
        members = Person.objects.humans().filter(memberships__chain_id=partnership.chain_id).order_by("full_name")
        own = [(p.pk, str(p)) for p in members if p.organisation_id == partnership.organisation_id]
        if choose_lead:
            lead = self.fields["lead"]
            lead.queryset = members
            lead.widget.choices = [("", lead.empty_label), *own]
            lead.help_text = _("The person who will be away and whose mandates the stand-in takes over.")
        else:
            del self.fields["lead"]
            self.instance.lead = user
        stand_in = self.fields["stand_in"]
        stand_in.queryset = members
        lead_pk = None if choose_lead else user.pk
        stand_in.widget.choices = [("", stand_in.empty_label), *(c for c in own if c[0] != lead_pk)]
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())

    def add_error(self, field, error) -> None:
        # StandIn.clean() speaks of the lead; when the lead is the user (no lead field), a lead
        # without a mandate in the period is a matter of the period: the message goes to its start.
        about_lead = isinstance(error, ValidationError) and "lead" in getattr(error, "error_dict", {})
        if field is None and about_lead and "lead" not in self.fields:
            error.error_dict.setdefault("starts_on", []).extend(error.error_dict.pop("lead"))
        super().add_error(field, error)
