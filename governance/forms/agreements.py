"""Forms for agreements: drawing one up (details, parties, first version), its details and
parties, a new version, signing and ending.

The parties are one choice per current partner of the chain: not a party, participating, or
required to sign — the last only offered to core partners (a partner of the chain is never bound,
PartnershipStatus); the model's clean() refuses it too, for the admin and a forged post. The
attached PDF is checked by its content (governance/services/agreement_content.py ``check_pdf``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from governance.models import Agreement, PartyRole
from governance.services.agreement_content import check_pdf
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.models import Chain, Partnership, PartnershipStatus

NOT_A_PARTY = ""


class PdfField(forms.FileField):
    """An attached PDF: its bytes (``cleaned_data``: (bytes, name)) once check_pdf accepts it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.help_text = _("A PDF of at most %(size)s (optional when the text is given).") % {
            "size": filesizeformat(settings.AGREEMENT_PDF_MAX_BYTES)
        }
        self.widget = forms.FileInput(attrs={"accept": "application/pdf,.pdf"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        return check_pdf(upload), upload.name


class ContentMixin:
    """Text and/or PDF: at least one."""

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("attachment") and "attachment" not in self.errors:
            raise forms.ValidationError(_("Give the text, attach a PDF, or both."), code="no_content")
        return data


class PartiesMixin:
    """One choice field per current partner of the chain (``party_<partnership id>``)."""

    def add_party_fields(self, chain: Chain, current: dict[int, str]) -> None:
        self.partners = list(
            Partnership.objects.filter(chain=chain)
            .current()
            .select_related("organisation")
            .order_by("organisation__name")
        )
        for partnership in self.partners:
            choices = [(NOT_A_PARTY, _("Not a party")), (PartyRole.PARTICIPATES, PartyRole.PARTICIPATES.label)]
            if partnership.is_bound:
                choices.append((PartyRole.SIGNS, PartyRole.SIGNS.label))
            self.fields[f"party_{partnership.pk}"] = forms.ChoiceField(
                label=str(partnership.organisation),
                choices=choices,
                required=False,
                initial=current.get(partnership.pk, NOT_A_PARTY),
                help_text=None
                if partnership.is_bound
                else _("%(status)s: not bound, so never required to sign.")
                % {"status": PartnershipStatus(partnership.status).label},
            )

    def party_fields(self):
        return [self[f"party_{partnership.pk}"] for partnership in self.partners]

    def detail_fields(self):
        """The visible fields but the parties (which the template puts in a fieldset of their own)."""
        return [field for field in self.visible_fields() if not field.name.startswith("party_")]

    def roles(self) -> dict[Partnership, str | None]:
        return {p: self.cleaned_data.get(f"party_{p.pk}") or None for p in self.partners}

    def clean_parties(self) -> None:
        if not any(self.cleaned_data.get(f"party_{p.pk}") for p in self.partners):
            self.add_error(None, _("Choose at least one party."))


class AgreementForm(VersionedFormMixin, PartiesMixin, PortalModelForm):
    """An agreement's details and parties (changed while it is a draft)."""

    class Meta:
        model = Agreement
        fields = ["kind", "title", "summary", "valid_from", "valid_until", "evaluate_on"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "valid_from": forms.DateInput(),
            "valid_until": forms.DateInput(),
            "evaluate_on": forms.DateInput(),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        current = {}
        if self.instance.pk:
            current = dict(self.instance.parties.values_list("partnership_id", "role"))
        self.add_party_fields(chain, current)

    def clean(self):
        data = super().clean()
        self.clean_parties()
        return data


class NewAgreementForm(ContentMixin, AgreementForm):
    """Drawing up: the details, the parties and the first version's text and/or PDF."""

    text = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,  # the fingerprint is of the exact text
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Headings with #, lists with - or 1., bold with **…**. No HTML."),
    )
    attachment = PdfField(label=_("Attached PDF"))


class VersionForm(ContentMixin, PortalForm):
    text = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,  # the fingerprint is of the exact text
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Headings with #, lists with - or 1., bold with **…**. No HTML."),
    )
    attachment = PdfField(label=_("Attached PDF"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class SignForm(PortalForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have read this version and sign it for my organisation, on the basis of my mandate."),
        error_messages={"required": _("Tick the box to confirm that you sign.")},
    )


class EndForm(PortalForm):
    reason = forms.CharField(
        label=_("Why does the agreement end?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
