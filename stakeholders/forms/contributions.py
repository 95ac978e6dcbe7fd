"""Contributions: committing what a partner puts in (the programme manager), and reporting what it
delivered in a quarter (the partner's lead or the programme manager).

Amounts are typed the Dutch way (ketenportaal.numbers: 1.250,50) and bounded per kind
(stakeholders.models.contributions.amount_message: never negative, at most € 1.000.000.000 or
10.000 FTE).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VERSION_FIELD, VersionedFormMixin, version_token
from ketenportaal.forms import PortalModelForm
from ketenportaal.numbers import DecimalTextField
from stakeholders.models import Chain, Partnership, PartnershipStatus
from stakeholders.models.contributions import (
    QUARTERS,
    Contribution,
    ContributionKind,
    Delivery,
    amount_message,
    period_label,
)

_AMOUNT_HELP = _("Money in euros, people in FTE (e.g. 1,5); for data and facilities optional. Use a decimal comma.")


def contributing_partners(chain: Chain):
    """The partners that make contributions and have benefits: the chain's current partners but
    its observers (who only follow along)."""
    return (
        Partnership.objects.filter(chain=chain)
        .current()
        .exclude(status=PartnershipStatus.OBSERVER)
        .select_related("organisation")
        .order_by("organisation__name")
    )


class ContributionForm(VersionedFormMixin, PortalModelForm):
    """A new commitment (partner, year, kind, amount, what, note) or a change of one (amount, what,
    note: partner, year and kind stay as committed)."""

    amount = DecimalTextField(
        label=_("amount committed"), max_digits=12, decimal_places=2, required=False, help_text=_AMOUNT_HELP
    )

    class Meta:
        model = Contribution
        fields = ["partnership", "year", "kind", "amount", "description", "note"]

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("partnership", "year", "kind"):
                del self.fields[name]
            # The token was made with the fields before these were removed: make it again.
            self.fields[VERSION_FIELD].initial = version_token(self.instance, self.versioned_fields())
            return
        partnership = self.fields["partnership"]
        partnership.queryset = contributing_partners(chain)
        partnership.label_from_instance = lambda p: p.organisation.name
        partnership.error_messages["invalid_choice"] = _(
            "This organisation is not a partner of this chain: choose one of its partners."
        )
        self.fields["year"].initial = timezone.localdate().year

    def add_error(self, field, error) -> None:
        # The model's clean() repeats "enter an amount" for an amount the field already refused.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError({name: e for name, e in error.error_dict.items() if name not in self.errors})
        super().add_error(field, error)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or self.instance.kind
        message = amount_message(kind, cleaned.get("amount")) if kind else None
        if message:
            self.add_error("amount", message)
        return cleaned


class DeliveryReportForm(VersionedFormMixin, PortalModelForm):
    """What the partner delivered in one quarter of the commitment's year.

    The view picks the delivery by the posted ``period`` (``<year>-<quarter>``); a period that is not
    one of the commitment's quarters gets an unsaved delivery, which this form refuses at the field.
    """

    period = forms.CharField(label=_("Period"), widget=forms.Select)
    delivered_amount = DecimalTextField(
        label=_("amount delivered"), max_digits=12, decimal_places=2, required=False, help_text=_AMOUNT_HELP
    )

    class Meta:
        model = Delivery
        fields = ["period", "delivered_amount", "delivered_note"]

    def __init__(self, *args, contribution: Contribution, **kwargs):
        super().__init__(*args, **kwargs)
        self.contribution = contribution
        self.fields["period"].widget.choices = [
            (f"{contribution.year}-{quarter}", period_label(contribution.year, quarter)) for quarter in QUARTERS
        ]
        if self.instance.pk is not None:
            self.fields["period"].initial = self.instance.slug
        self.order_fields(["period", "delivered_amount", "delivered_note"])

    def versioned_fields(self) -> list[str]:
        return ["delivered_amount", "delivered_note", "reported_at"]

    def clean_period(self) -> str:
        period = self.cleaned_data["period"]
        if self.instance.pk is None or self.instance.slug != period:
            year, _sep, quarter = period.partition("-")
            shown = period_label(year, quarter) if year.isdigit() and quarter.isdigit() else period
            raise forms.ValidationError(
                _("%(period)s is outside this commitment, which runs through %(year)s: choose a quarter of %(year)s.")
                % {"period": shown, "year": self.contribution.year}
            )
        return period

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("delivered_amount")
        kind = ContributionKind(self.contribution.kind)
        message = amount_message(kind, amount)
        if message:
            self.add_error("delivered_amount", message)
        elif amount is None and kind.needs_amount:
            self.add_error("delivered_amount", _("Enter the amount delivered (0 if nothing was delivered)."))
        elif amount is None and not cleaned.get("delivered_note", "").strip():
            self.add_error("delivered_note", _("Say what was delivered, or give an amount."))
        return cleaned

    def save(self, commit: bool = True, *, by=None) -> Delivery:
        delivery = super().save(commit=False)
        delivery.reported_at = timezone.now()
        delivery.reported_by = by
        if commit:
            delivery.save()
        return delivery
