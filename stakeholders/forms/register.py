"""Forms of the stakeholder register (views/register.py): a stakeholder, a contact, the list's filters.

The owner is offered from the chain's members only (``chain_members``) and the model refuses
anyone else; scores are 1–5 in the form, the model and the database.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.models import Chain, Person
from stakeholders.models.register import (
    SCORE_MAX,
    SCORE_MIN,
    TEXT_MAX,
    Stakeholder,
    StakeholderContact,
    StakeholderKind,
    chain_members,
)


class MemberField(forms.ModelChoiceField):
    """A member of this chain, named with their organisation."""

    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} ({person.organisation})" if person.organisation_id else person.full_name


class StakeholderForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "kind",
            "influence",
            "interest",
            "attitude",
            "current_engagement",
            "desired_engagement",
            "owner",
            "approach",
            "frequency",
            "notes",
        ]
        field_classes = {"owner": MemberField}
        widgets = {
            "approach": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        for name in ("influence", "interest"):
            # A number box whose message says what is allowed (the model's validators say it too).
            field = self.fields[name]
            field.min_value, field.max_value = SCORE_MIN, SCORE_MAX
            message = _("Give a score from 1 to 5.")
            field.error_messages.update({"min_value": message, "max_value": message, "invalid": message})
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
            field.validators += [MinValueValidator(SCORE_MIN, message), MaxValueValidator(SCORE_MAX, message)]
            field.widget.attrs.update({"min": SCORE_MIN, "max": SCORE_MAX})
        for name in ("approach", "notes"):
            self.fields[name].max_length = TEXT_MAX
        self.fields["owner"].queryset = chain_members(chain)
        self.fields["owner"].empty_label = _("Nobody yet")


class ContactForm(PortalModelForm):
    class Meta:
        model = StakeholderContact
        fields = ["on", "kind", "summary"]
        widgets = {"on": forms.DateInput, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].max_length = TEXT_MAX
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound and not self.initial.get("on"):
            self.initial["on"] = timezone.localdate()


ALL = "all"
ACTIVE = ""
INACTIVE = "inactive"
WITH_GAP = "gap"
WITHOUT_GAP = "no_gap"


class StakeholderFilterForm(PortalForm):
    """The list's filters (a GET form: bookmarkable, works without JavaScript)."""

    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *StakeholderKind.choices])
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(ACTIVE, _("Active")), (INACTIVE, _("Inactive")), (ALL, _("All"))],
    )
    gap = forms.ChoiceField(
        label=_("Engagement"),
        required=False,
        choices=[
            ("", _("All")),
            (WITH_GAP, _("Engagement lags behind what we want")),
            (WITHOUT_GAP, _("Engaged as we want")),
        ],
    )

    def filter(self, stakeholders):
        """What the valid filters keep (an invalid filter keeps the active ones and shows its error)."""
        if not self.is_valid():
            return stakeholders.active()
        data = self.cleaned_data
        status = data.get("status") or ACTIVE
        if status == ACTIVE:
            stakeholders = stakeholders.active()
        elif status == INACTIVE:
            stakeholders = stakeholders.filter(is_active=False)
        if data.get("kind"):
            stakeholders = stakeholders.filter(kind=data["kind"])
        if data.get("gap") == WITH_GAP:
            stakeholders = stakeholders.with_gap()
        elif data.get("gap") == WITHOUT_GAP:
            stakeholders = stakeholders.without_gap()
        return stakeholders
