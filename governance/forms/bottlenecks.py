"""Forms for bottlenecks (views/bottlenecks.py): reporting and editing one, its status with the
resolution and cause, escalating by hand with a reason, the body's response, a comment, and the
filters of the board.

Every list offers only this chain's own objects (its current partners, its indicators, its active
bodies, ``possible_owners``); anything else posted is an invalid choice at its field.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from governance.forms.actions import OwnerField
from governance.models import Body, Bottleneck, BottleneckComment, BottleneckStatus
from governance.models.actions import possible_owners
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.models import Chain, Partnership

TEXT_MAX = 4000


class PartnerField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, partnership: Partnership) -> str:
        return partnership.organisation.name


class LevelField(forms.ModelChoiceField):
    def label_from_instance(self, body: Body) -> str:
        return f"{body.name} ({body.get_level_display()})"


def chain_partners(chain: Chain):
    return (
        Partnership.objects.filter(chain=chain).current().select_related("organisation").order_by("organisation__name")
    )


def chain_indicators(chain: Chain):
    return Indicator.objects.filter(ambition__chain=chain).order_by("name", "pk")


class BottleneckForm(VersionedFormMixin, PortalModelForm):
    """Reporting: what the bottleneck is, whom it concerns, who owns it, and the body (level) it is
    reported to, where its clock starts."""

    class Meta:
        model = Bottleneck
        fields = ["title", "description", "body", "partners", "indicators", "impact", "urgency", "owner"]
        field_classes = {"owner": OwnerField, "partners": PartnerField, "body": LevelField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "partners": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,
            "impact": forms.RadioSelect,
            "urgency": forms.RadioSelect,
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        for name in ("title", "description"):
            self.fields[name].max_length = self.fields[name].max_length or TEXT_MAX
        self.fields["partners"].queryset = chain_partners(chain)
        self.fields["partners"].help_text = _("The partners this bottleneck concerns.")
        self.fields["indicators"].queryset = chain_indicators(chain)
        self.fields["owner"].queryset = possible_owners(chain)
        self.fields["owner"].help_text = _("Who sees to it that the bottleneck is handled.")
        for name in ("impact", "urgency"):
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0]]
        if "body" in self.fields:
            self.fields["body"].queryset = Body.objects.filter(chain=chain, is_active=True).order_by("level", "name")
            self.fields["body"].label = _("Reported to")
            self.fields["body"].help_text = _(
                "The body that deals with it first, usually an operational one. Its response time starts now."
            )


class BottleneckEditForm(BottleneckForm):
    """The same without the body: the level changes by escalating only."""

    class Meta(BottleneckForm.Meta):
        fields = ["title", "description", "partners", "indicators", "impact", "urgency", "owner"]


class BottleneckStatusForm(VersionedFormMixin, PortalModelForm):
    """Being handled, resolved (resolution and cause required) or withdrawn."""

    class Meta:
        model = Bottleneck
        fields = ["status", "resolution", "cause"]
        widgets = {
            "status": forms.RadioSelect,
            "resolution": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].help_text = _("Required to resolve it: how it was solved.")
        self.fields["cause"].help_text = _("Required to resolve it: what caused it.")


class EscalateForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this level cannot settle it."),
    )


class ResponseForm(PortalForm):
    response = forms.CharField(
        label=_("Response of the body"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the body does about it. Recording it stops the clock at this level."),
    )


class CommentForm(PortalModelForm):
    class Meta:
        model = BottleneckComment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = TEXT_MAX


OPEN = ""
ALL = "all"


class QuickSelect(forms.Select):
    """A select whose options are written in Python: Django's widget renders each option through a
    template, which for the board's forty options cost as much as its fifty rows. Flat choices
    only (no groups); the attributes (class, aria-*) are the field's as usual."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, mark_safe(" selected") if str(option) == chosen else "", label)  # noqa: S308 (a constant)
                for option, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class BottleneckFilterForm(PortalForm):
    """The board's filters (a GET form: bookmarkable, works without JavaScript)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Open (reported or being handled)")), *BottleneckStatus.choices, (ALL, _("All"))],
        widget=QuickSelect,
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Partnership.objects.none(), widget=QuickSelect
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), required=False, queryset=Indicator.objects.none(), widget=QuickSelect
    )

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partnership.objects.filter(chain=chain).select_related("organisation")
        self.fields["partner"].label_from_instance = lambda partnership: partnership.organisation.name
        self.fields["partner"].empty_label = _("All partners")
        self.fields["indicator"].queryset = chain_indicators(chain)
        self.fields["indicator"].empty_label = _("All indicators")

    def filter(self, bottlenecks):
        """What the valid filters keep (an invalid filter keeps the open ones and shows its error)."""
        if not self.is_valid():
            return bottlenecks.still_open()
        data = self.cleaned_data
        status = data.get("status") or OPEN
        if status == OPEN:
            bottlenecks = bottlenecks.still_open()
        elif status != ALL:
            bottlenecks = bottlenecks.filter(status=status)
        if data.get("partner"):
            bottlenecks = bottlenecks.filter(Q(partners=data["partner"]))
        if data.get("indicator"):
            bottlenecks = bottlenecks.filter(indicators=data["indicator"])
        return bottlenecks
