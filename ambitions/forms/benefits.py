"""Benefits: a partner's start and end picture (its lead or the programme manager), and assessing
how far a benefit is realised."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from ambitions.models.benefits import Benefit, BenefitAssessment
from ketenportaal.concurrency import VERSION_FIELD, VersionedFormMixin, version_token
from ketenportaal.forms import PortalModelForm
from ketenportaal.numbers import DecimalTextField
from stakeholders.forms.contributions import contributing_partners
from stakeholders.models import Chain, Partnership, Person

_NUMBER = {"max_digits": 18, "decimal_places": 4, "required": False}


class BenefitForm(VersionedFormMixin, PortalModelForm):
    """A new benefit (for one of ``offered``, the partners the user may manage benefits for) or a
    change of one (its partner stays). Every partner of the chain is accepted, so that a partner
    the user may not act for reaches the view's permission check (403); an organisation that is no
    partner of the chain is refused at the field."""

    start_value = DecimalTextField(
        label=_("value at the start"),
        help_text=_("Optional: the indicator's value on the start date. Use a decimal comma."),
        **_NUMBER,
    )
    target_value = DecimalTextField(
        label=_("target value"), help_text=_("Optional: the value aimed for on the target date."), **_NUMBER
    )

    class Meta:
        model = Benefit
        fields = [
            "partnership",
            "title",
            "owner",
            "start_picture",
            "start_indicator",
            "start_value",
            "start_date",
            "end_picture",
            "target_value",
            "target_date",
        ]
        widgets = {
            "start_date": forms.DateInput(),
            "target_date": forms.DateInput(),
            "start_picture": forms.Textarea(attrs={"rows": 3}),
            "end_picture": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, chain: Chain, offered: Sequence[Partnership] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        if self.instance.pk is not None:
            del self.fields["partnership"]
            # The token was made with the partner among the fields: make it again without.
            self.fields[VERSION_FIELD].initial = version_token(self.instance, self.versioned_fields())
            organisations = [self.instance.partnership.organisation_id]
        else:
            partnership = self.fields["partnership"]
            partnership.queryset = contributing_partners(chain)
            partnership.label_from_instance = lambda p: p.organisation.name
            partnership.error_messages["invalid_choice"] = _(
                "This organisation is not a partner of this chain: choose one of its partners."
            )
            partnership.widget.choices = [
                ("", partnership.empty_label),
                *((p.pk, p.organisation.name) for p in offered),
            ]
            if len(offered) == 1:
                partnership.initial = offered[0].pk
            organisations = [p.organisation_id for p in offered]
        indicator = self.fields["start_indicator"]
        indicator.queryset = Indicator.objects.filter(ambition__chain=chain).order_by("ambition__pk", "position", "pk")
        indicator.error_messages["invalid_choice"] = _("Choose one of this chain's indicators.")
        owner = self.fields["owner"]
        owner.queryset = (
            Person.objects.humans().filter(is_active=True, organisation__partnerships__chain=chain).distinct()
        )
        owner.widget.choices = [
            ("", owner.empty_label),
            *(
                (p.pk, str(p))
                for p in Person.objects.humans()
                .filter(is_active=True, organisation_id__in=organisations)
                .order_by("full_name")
            ),
        ]
        owner.error_messages["invalid_choice"] = _("The owner must be someone of the partner's own organisation.")


class AssessmentForm(PortalModelForm):
    """How far the benefit is realised now, with a short note."""

    class Meta:
        model = BenefitAssessment
        fields = ["status", "assessed_on", "note"]
        widgets = {"assessed_on": forms.DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day
