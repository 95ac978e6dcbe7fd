"""Partners of a chain: adding an organisation as partner, and editing its place in the chain."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Chain, Organisation, Partnership

DUPLICATE_MESSAGE = next(
    c.violation_error_message for c in Partnership._meta.constraints if c.name == "partnership_unique_per_chain"
)
PARTNERSHIP_FIELDS = ["status", "role", "joined_on", "left_on", "interests"]
_WIDGETS = {
    "joined_on": forms.DateInput(),
    "left_on": forms.DateInput(),
    "interests": forms.Textarea(attrs={"rows": 4}),
}


class PartnershipCreateForm(PortalModelForm):
    """Pick an organisation that is not yet a partner in this chain, and set its place in it."""

    class Meta:
        model = Partnership
        fields = ["organisation", *PARTNERSHIP_FIELDS]
        widgets = _WIDGETS

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        field = self.fields["organisation"]
        # Validation accepts every organisation, so that one added by someone else meanwhile gets the
        # model's own "already a partner" message instead of a vague "not a valid choice"; the list
        # offers only those that are not partners yet.
        field.queryset = Organisation.objects.all()
        candidates = Organisation.objects.exclude(partnerships__chain=chain).order_by("name")
        field.widget.choices = [("", field.empty_label), *((org.pk, org.name) for org in candidates)]

    def validate_constraints(self) -> None:
        # The chain is set by the view, not a form field, so Django would skip the
        # (chain, organisation) UniqueConstraint; check it here and put its message at the field.
        exclude = self._get_validation_exclusions() - {"chain"}
        for constraint in Partnership._meta.constraints:
            try:
                constraint.validate(Partnership, self.instance, exclude=exclude)
            except ValidationError as error:
                field = "organisation" if isinstance(constraint, UniqueConstraint) else None
                if field is None or field in self.fields:
                    self.add_error(field, error)


class PartnershipEditForm(VersionedFormMixin, PortalModelForm):
    """Status, role, dates and interests; the organisation itself is fixed once it is a partner."""

    class Meta:
        model = Partnership
        fields = PARTNERSHIP_FIELDS
        widgets = _WIDGETS
