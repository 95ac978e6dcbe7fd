"""The delivery terms of a draft service agreement (issue 15 point 3): for one partner among the
agreement's parties and a set of the chain's indicators. The checks are ambitions'
(``ambitions/services/delivery.check``): their messages land at the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ambitions.models import DeliveryTerms, Indicator
from ambitions.services import delivery as terms_service
from governance.models import Agreement
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Partnership, Person


class DeliveryTermsForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = DeliveryTerms
        fields = [
            "partnership",
            "indicators",
            "source_system",
            "deliverer",
            "deliverer_role",
            "delivery_working_day",
            "channel",
            "reopen_by",
            "reopen_until_working_days",
        ]
        widgets = {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.instance.chain_id = agreement.chain_id
        self.instance.valid_from, self.instance.valid_until = agreement.valid_from, agreement.valid_until
        partners = Partnership.objects.filter(agreement_parties__agreement=agreement).select_related("organisation")
        self.fields["partnership"].queryset = partners.order_by("organisation__name")
        self.fields["partnership"].help_text = _("One of the agreement's parties.")
        self.fields["indicators"].queryset = Indicator.objects.filter(ambition__chain_id=agreement.chain_id).order_by(
            "ambition__position", "position", "pk"
        )
        self.fields["indicators"].help_text = _("The indicator set these terms are about.")
        self.fields["deliverer"].queryset = (
            Person.objects.filter(organisation__partnerships__in=partners, is_active=True, is_system=False)
            .distinct()
            .order_by("full_name", "pk")
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        terms = self.instance
        for name in ("partnership", "delivery_working_day"):
            setattr(terms, name, data.get(name))
        for name, message in terms_service.check(terms, list(data.get("indicators") or [])).items():
            self.add_error(name, message)
        return data
