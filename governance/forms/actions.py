"""Forms for actions (actiepunten): creating and editing one (who runs the body's meetings), its
status and closing note (also its owner), and the filters of the action lists."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import ActionItem, ActionStatus, Body
from governance.models.actions import possible_owners
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Person


class OwnerField(forms.ModelChoiceField):
    """A person of a partner organisation in this chain, named with their organisation."""

    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} ({person.organisation})" if person.organisation_id else person.full_name


class ActionForm(VersionedFormMixin, PortalModelForm):
    """Description, owner, due date; on edit also status and closing note. The owner is offered
    from this chain only (``possible_owners``), and the model refuses anyone else."""

    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on", "status", "closing_note"]
        field_classes = {"owner": OwnerField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(),
            "closing_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, chain: Chain, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        self.fields["owner"].queryset = possible_owners(chain)
        self.fields["owner"].help_text = _("A person of a partner organisation in this chain.")
        self.fields["due_on"].validators.append(validate_in_range)
        self.fields["closing_note"].help_text = _("Required to close the action (done or cancelled).")
        if self.instance.pk is None:
            # A new action is open; its status changes later.
            del self.fields["status"]
            del self.fields["closing_note"]


class ActionStatusForm(VersionedFormMixin, PortalModelForm):
    """The owner's (and the meeting runners') step: status and closing note."""

    class Meta:
        model = ActionItem
        fields = ["status", "closing_note"]
        widgets = {"status": forms.RadioSelect, "closing_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closing_note"].help_text = _("Required to close the action (done or cancelled).")


NOT_CLOSED = ""
ALL = "all"


class ActionFilterForm(PortalForm):
    """The filters of an action list (a GET form: bookmarkable, works without JavaScript)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(NOT_CLOSED, _("Open or in progress")), *ActionStatus.choices, (ALL, _("All"))],
    )
    owner = OwnerField(label=_("Owner"), required=False, queryset=Person.objects.none())
    body = forms.ModelChoiceField(label=_("Body"), required=False, queryset=Body.objects.none())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, chain: Chain, body: Body | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners(chain)
        self.fields["owner"].empty_label = _("Everyone")
        if body is None:
            self.fields["body"].queryset = Body.objects.filter(chain=chain).order_by("name")
            self.fields["body"].empty_label = _("All bodies")
        else:
            del self.fields["body"]

    def filter(self, actions):
        """The actions the valid filters keep (an invalid filter keeps everything and shows its error)."""
        if not self.is_valid():
            return actions.still_open()
        data = self.cleaned_data
        status = data.get("status") or NOT_CLOSED
        if status == NOT_CLOSED:
            actions = actions.still_open()
        elif status != ALL:
            actions = actions.filter(status=status)
        if data.get("owner"):
            actions = actions.filter(owner=data["owner"])
        if data.get("body"):
            actions = actions.filter(body=data["body"])
        if data.get("overdue"):
            actions = actions.overdue()
        return actions
