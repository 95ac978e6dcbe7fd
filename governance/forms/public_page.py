"""The programme manager's settings of the chain's public page (governance/views/public_page.py)."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from governance.models.public_page import MAX_INDICATORS, PublicPage
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm


class DecisionChoice(forms.ModelChoiceField):
    def label_from_instance(self, decision) -> str:
        day = date_format(decision.decided_on) if decision.decided_on else ""
        return f"{decision.title} ({decision.body.name}{', ' + day if day else ''})"


class IndicatorChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, indicator) -> str:
        return f"{indicator.name} ({indicator.ambition.statement})"


class PublicPageForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = PublicPage
        fields = ["enabled", "decision", "indicators", "show_units"]
        field_classes = {"decision": DecisionChoice, "indicators": IndicatorChoices}
        widgets = {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chain = self.instance.chain
        self.fields["decision"].queryset = PublicPage.decisions_for(chain)
        self.fields["decision"].help_text = _(
            "Needed to publish: the adopted decision of one of the chain's strategic bodies to publish this page."
        )
        self.fields["indicators"].queryset = (
            Indicator.objects.filter(ambition__chain=chain)
            .select_related("ambition")
            .order_by("ambition__position", "ambition__pk", "position", "pk")
        )
        self.fields["indicators"].help_text = _("At most %(count)s; each shows its chart, target and status.") % {
            "count": MAX_INDICATORS
        }

    def clean_indicators(self):
        chosen = self.cleaned_data["indicators"]
        if len(chosen) > MAX_INDICATORS:
            raise forms.ValidationError(
                _("Choose at most %(count)s indicators; you chose %(chosen)s."),
                params={"count": MAX_INDICATORS, "chosen": len(chosen)},
                code="too_many",
            )
        return chosen

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and "indicators" in cleaned and not cleaned["indicators"]:
            self.add_error("indicators", _("Choose at least one indicator to publish."))
        return cleaned
