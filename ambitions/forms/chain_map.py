"""Editing the chain map: one form for the map (the shared dossier, the revision it was loaded at)
and one row per step (number, what happens, partners, lead-time indicator, norm, remove).

Without JavaScript and by keyboard: every row is plain fields, a few empty rows are always there
for new steps, and "remove" is a checkbox. The order rule (no gap, no loop) is the model's
``order_problems``; its messages are shown above the rows and at the rows they concern.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from ambitions.models.chain_map import ChainMap, MapStep, StepDraft, order_problems
from ketenportaal.forms import PortalForm
from ketenportaal.numbers import DecimalTextField
from stakeholders.models import Chain, Partnership

EMPTY_ROWS = 2  # new steps per page load; save and come back for more


class MapForm(PortalForm):
    dossier = forms.CharField(
        label=_("shared dossier"),
        max_length=200,
        required=False,
        help_text=_("For a network: what the partners work from together, e.g. “the family plan”."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StepForm(PortalForm):
    position = forms.IntegerField(
        label=_("step"), min_value=1, max_value=99, help_text=_("1 for the first step, 2 for the next, …")
    )
    name = forms.CharField(label=_("what happens"), max_length=200, help_text=_("E.g. “Decision by the OM”."))
    partners = forms.ModelMultipleChoiceField(
        label=_("partners at this step"),
        queryset=Partnership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose more than one for partners that work in parallel."),
    )
    indicator = forms.ModelChoiceField(
        label=_("lead-time indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("E.g. “hours from arrest to OM decision”. Its adopted definition gives the norm."),
    )
    norm = DecimalTextField(
        label=_("norm of the step"),
        max_digits=18,
        decimal_places=4,
        required=False,
        help_text=_("Only shown while the indicator has no adopted definition or figures. Use a decimal comma."),
    )
    remove = forms.BooleanField(label=_("remove this step"), required=False)

    def __init__(self, *args, partners, indicators, choices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["partners"]
        field.queryset = partners
        field.widget.choices = choices[0]
        field.error_messages["invalid_choice"] = _("Choose partners of this chain.")
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].widget.choices = choices[1]
        self.fields["indicator"].error_messages["invalid_choice"] = _("Choose one of this chain's indicators.")

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.fields["remove"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("remove")
        ):
            # A step being removed is not checked: its fields no longer matter.
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {"remove": True}

    @property
    def is_blank(self) -> bool:
        """A new row left empty: ignored, not refused."""
        return self.empty_permitted and not self.has_changed()


class StepFormSet(forms.BaseFormSet):
    def __init__(self, *args, chain: Chain, **kwargs):
        self.chain = chain
        self._partners = (
            Partnership.objects.filter(chain=chain).select_related("organisation").order_by("organisation__name")
        )
        self._indicators = Indicator.objects.filter(ambition__chain=chain).order_by("ambition__position", "position")
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"partners": self._partners, "indicators": self._indicators, "choices": self._choices}

    @property
    def _choices(self) -> tuple[list, list]:
        """The partners' and indicators' options, read once for every row (not once per row)."""
        if not hasattr(self, "_read"):
            self._read = (
                [(p.pk, p.organisation.name) for p in self._partners],
                [("", "---------"), *((i.pk, i.name) for i in self._indicators)],
            )
        return self._read

    def drafts(self) -> list[tuple[StepForm, StepDraft]]:
        found = []
        for form in self.forms:
            if form.is_blank or not hasattr(form, "cleaned_data") or form.cleaned_data.get("remove"):
                continue
            data = form.cleaned_data
            if "position" not in data or "name" not in data:
                continue
            found.append(
                (
                    form,
                    StepDraft(
                        position=data["position"],
                        name=data["name"],
                        partners=list(data.get("partners") or []),
                        indicator=data.get("indicator"),
                        norm=data.get("norm"),
                    ),
                )
            )
        return found

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        rows = self.drafts()
        problems = order_problems([draft for _form, draft in rows])
        for problem in problems:
            for form, draft in rows:
                if draft.position == problem.position and problem.field not in form.errors:
                    form.add_error(problem.field, problem.message)
                    break
        if problems:
            raise ValidationError([problem.message for problem in problems])


StepRows = forms.formset_factory(StepForm, formset=StepFormSet, extra=EMPTY_ROWS, can_delete=False)


def initial_rows(steps: list[MapStep]) -> list[dict]:
    return [
        {
            "position": s.position,
            "name": s.name,
            "partners": [p.pk for p in s.partners.all()],
            "indicator": s.indicator_id,
            "norm": s.norm,
        }
        for s in steps
    ]


def forms_for(chain: Chain, chain_map: ChainMap, steps: list[MapStep], data=None) -> tuple[MapForm, StepFormSet]:
    """The map's form and its rows, bound to ``data`` when posted."""
    map_form = MapForm(data, initial={"dossier": chain_map.dossier, "revision": chain_map.revision})
    rows = StepRows(data, initial=initial_rows(steps), chain=chain, prefix="steps")
    return map_form, rows
