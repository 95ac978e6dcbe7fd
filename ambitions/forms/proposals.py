"""The steps of a proposal that cannot stall (issue 15): propose with an answer deadline, amend a
stopped proposal into a new round, withdraw it. The rules are services/consensus.py's; these forms
only read what was typed and put a refusal at its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ambitions.forms.versions import IndicatorVersionForm
from ambitions.models.definitions import DEFINITION_FIELDS
from ketenportaal.forms import PortalForm

ANSWER_BY_HELP = _("A working day after today. The partners are reminded before it and on the day.")


def _answer_by_field(required: bool = True) -> forms.DateField:
    return forms.DateField(label=_("Answer by"), widget=forms.DateInput(), help_text=ANSWER_BY_HELP, required=required)


class ProposeForm(PortalForm):
    """Proposing a draft: the day the core partners answer by, the chain's default filled in (left
    empty, the chain's default applies)."""

    answer_by = _answer_by_field(required=False)


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is the proposal withdrawn?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone in the chain can read it on the proposal's timeline."),
    )


class AmendForm(IndicatorVersionForm):
    """A stopped proposal's definition, changed, with what changed and a new answer deadline.

    The version is not saved by the form: ``consensus.amend`` applies the changes under a row lock
    and opens the new round (the form's model checks only read them)."""

    note = forms.CharField(
        label=_("What changed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The partners read this first: what you changed in answer to the objection."),
    )
    answer_by = _answer_by_field()

    SECTIONS = (
        (_("The new round"), ("note", "answer_by")),
        *[(legend, names) for legend, names in IndicatorVersionForm.SECTIONS if "rationale" not in names],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The round's "what changed" takes the place of the version's reason, which stays as it was.
        del self.fields["rationale"]

    def changes(self) -> dict:
        """The definition as typed, for consensus.amend."""
        data = self.cleaned_data
        changes = {name: data[name] for name in DEFINITION_FIELDS if name in data}
        changes["reporting_units"] = [unit.pk for unit in data.get("reporting_units", [])]
        return changes
