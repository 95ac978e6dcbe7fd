"""Forms for decisions: a proposal, an amendment, a partner's position, closing and withdrawing.

The forms check what a field can check on its own; the decision's rules (who speaks for which
partner, which positions a partner can take, the outcome) are governance/services/decisions.py's,
whose refusals the views put at the field they name.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator, IndicatorVersion, VersionStatus
from governance.models import Body, Decision, Meeting, MeetingStatus, PositionKind
from governance.services.decisions import kinds_for
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Partnership

# Meetings offered to link a proposal to: from this long ago on (a decision taken at a meeting
# just held is often written up a few weeks later).
MEETINGS_FROM_DAYS = 92


class MeetingField(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        return f"{meeting.body} · {timezone.localtime(meeting.starts_at):%d-%m-%Y %H:%M}"


class VersionField(forms.ModelChoiceField):
    def label_from_instance(self, version: IndicatorVersion) -> str:
        return _("%(indicator)s, version %(number)s (%(status)s)") % {
            "indicator": version.indicator.name,
            "number": version.number,
            "status": version.get_status_display(),
        }


def _not_in_the_past(value) -> None:
    if value is not None and value < timezone.localdate():
        raise forms.ValidationError(_("The closing date cannot be in the past."), code="past")


class ProposalForm(PortalModelForm):
    """A new proposal to one of the bodies the user may propose in (``bodies``)."""

    class Meta:
        model = Decision
        fields = ["body", "title", "text", "way", "meeting", "closes_on", "indicator", "indicator_version"]
        field_classes = {"meeting": MeetingField, "indicator_version": VersionField}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 8}),
            "way": forms.RadioSelect,
            "closes_on": forms.DateInput(),
        }

    def __init__(self, *args, chain: Chain, bodies: list[Body], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(pk__in=[body.pk for body in bodies])
        self.fields["body"].empty_label = None
        self.fields["body"].help_text = _("The body that decides: its represented partners are asked.")
        since = timezone.now() - timedelta(days=MEETINGS_FROM_DAYS)
        self.fields["meeting"].queryset = (
            Meeting.objects.filter(body__in=bodies, starts_at__gte=since)
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("body")
            .order_by("starts_at")
        )
        self.fields["meeting"].help_text = _("For a decision at a meeting: the meeting of this body where it is taken.")
        self.fields["indicator"].queryset = Indicator.objects.filter(ambition__chain=chain).order_by("name")
        self.fields["indicator_version"].queryset = (
            IndicatorVersion.objects.filter(
                indicator__ambition__chain=chain, status__in=[VersionStatus.DRAFT, VersionStatus.PROPOSED]
            )
            .select_related("indicator")
            .order_by("indicator__name", "number")
        )
        self.fields["indicator"].help_text = _("An indicator of this chain the decision is about.")
        self.fields["indicator_version"].help_text = _("An indicator definition waiting for consent.")
        self.fields["closes_on"].validators += [validate_in_range, _not_in_the_past]
        self.fields["closes_on"].help_text = _(
            "The last day a position can be recorded. In a written round the partners answer before then."
        )
        self.fields["text"].label = _("Proposal")


class AmendForm(VersionedFormMixin, PortalModelForm):
    """A new text for an open proposal: every partner is asked again (a new round)."""

    class Meta:
        model = Decision
        fields = ["title", "text", "closes_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8}), "closes_on": forms.DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closes_on"].validators += [validate_in_range, _not_in_the_past]
        self.fields["text"].label = _("Proposal")


class PositionForm(PortalForm):
    """One partner's position in the current round. ``round`` and ``based_on`` say what the
    person saw: a change meanwhile (an amendment, someone else's answer) is a conflict."""

    kind = forms.ChoiceField(
        label=_("Position"),
        choices=PositionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a position."), "invalid_choice": _("Choose one of the positions.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_(
            "Required with recorded dissent, an objection, a block or advice. Recorded dissent stays visible with "
            "the decision for good."
        ),
    )
    round = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=32767)
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        # Every kind passes the field, so that a kind the partner cannot take gets the rule's own
        # message (services.decisions.check_kind); only the partner's own kinds are offered.
        self.fields["kind"].widget.choices = [(k, PositionKind(k).label) for k in kinds_for(partnership)]


class CloseForm(PortalForm):
    """Closing a decision with the outcome the body's rule gives."""

    outcome_statement = forms.CharField(
        label=_("Outcome statement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        help_text=_("What was decided, and why: it goes into the decision register."),
        error_messages={"required": _("Write the outcome statement: what was decided, and why.")},
    )
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(), validators=[validate_in_range], initial=timezone.localdate
    )
    review_on = forms.DateField(
        label=_("Review date"),
        widget=forms.DateInput(),
        required=False,
        validators=[validate_in_range],
        help_text=_("When the body looks at this decision again: the chair and secretary are reminded then."),
    )


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is the proposal withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Say why the proposal is withdrawn.")},
    )
