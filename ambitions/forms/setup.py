"""Setting up what a chain wants to achieve: an ambition, and an indicator's name."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _

from ambitions.models import Ambition, Indicator
from ambitions.periods import validate_in_range
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Chain

DUPLICATE_INDICATOR_MESSAGE = next(
    c.violation_error_message for c in Indicator._meta.constraints if c.name == "indicator_name_unique_per_ambition"
)


class AmbitionForm(VersionedFormMixin, PortalModelForm):
    """Statement, societal interest and horizon; on edit it refuses to overwrite a change made meanwhile."""

    class Meta:
        model = Ambition
        fields = ["statement", "societal_interest", "horizon", "position"]
        widgets = {"societal_interest": forms.Textarea(attrs={"rows": 4}), "horizon": forms.DateInput()}

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        self.fields["position"].help_text = _("Ambitions are listed from the lowest number up.")
        self.fields["horizon"].validators.append(validate_in_range)


class IndicatorForm(PortalModelForm):
    """The indicator's stable identity: its name within the ambition (its definition is a version)."""

    class Meta:
        model = Indicator
        fields = ["name"]

    def __init__(self, *args, ambition: Ambition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ambition = ambition

    def validate_constraints(self) -> None:
        # The ambition is set by the view, not a form field, so Django would skip the
        # (ambition, name) UniqueConstraint; check it here and put its message at the name.
        exclude = self._get_validation_exclusions() - {"ambition"}
        for constraint in Indicator._meta.constraints:
            try:
                constraint.validate(Indicator, self.instance, exclude=exclude)
            except ValidationError as error:
                self.add_error("name" if isinstance(constraint, UniqueConstraint) else None, error)
