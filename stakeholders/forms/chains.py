"""Chain settings: identity, branding, the reporting calendar and how proposals are answered."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Chain, SilenceRule

# No SVG: it can carry script. No GIF/BMP/TIFF: not worth the attack surface for a logo.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


class LogoField(forms.ImageField):
    """An image upload that is small, and a PNG, JPEG or WebP according to Pillow (not its name)."""

    def to_python(self, data):
        # Refuse an oversized upload before Pillow spends any effort on it.
        size = getattr(data, "size", None)
        if size is not None and size > settings.LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; a logo can be at most %(max)s. Make the image smaller and try again."),
                code="too_large",
                params={"size": filesizeformat(size), "max": filesizeformat(settings.LOGO_MAX_BYTES)},
            )
        upload = super().to_python(data)  # opens and verifies it with Pillow: "not an image" ends here
        if upload is not None and getattr(getattr(upload, "image", None), "format", None) not in LOGO_FORMATS:
            raise forms.ValidationError(_("A logo must be a PNG, JPEG or WebP image."), code="invalid_format")
        return upload


class ChainSettingsForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = Chain
        fields = [
            "name",
            "tagline",
            "kind",
            "societal_question",
            "mission",
            "shared_values",
            "colour",
            "logo",
            "reporting_frequency",
            "report_working_day",
            "capacity_cadence_months",
            "course_check_cadence_months",
            "consent_answer_days",
            "consent_reminder_days",
            "silence_rule",
        ]
        widgets = {
            "silence_rule": forms.RadioSelect,
            "colour": forms.TextInput(attrs={"size": 8, "autocomplete": "off", "spellcheck": "false"}),
            "logo": forms.ClearableFileInput(attrs={"accept": ",".join(LOGO_FORMATS.values())}),
            "societal_question": forms.Textarea(attrs={"rows": 3}),
            "mission": forms.Textarea(attrs={"rows": 3}),
            "shared_values": forms.Textarea(attrs={"rows": 5}),
        }
        field_classes = {"logo": LogoField}
        help_texts = {
            "colour": _(
                "As #RRGGBB, e.g. #154273. The band behind the chain's name on its pages, reports and public "
                "page, with white text on it: it needs a contrast of at least 4.5:1."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].help_text = _("PNG, JPEG or WebP, at most %(size)s.") % {
            "size": filesizeformat(settings.LOGO_MAX_BYTES)
        }
        # The model's validators allow working days 1–20; say so to the browser too (a hint, not a check).
        self.fields["report_working_day"].widget.attrs.update(min=1, max=20)
        for name in ("capacity_cadence_months", "course_check_cadence_months"):
            self.fields[name].widget.attrs.update(min=1, max=24)
        self.fields["consent_answer_days"].widget.attrs.update(min=1, max=60)
        self.fields["consent_reminder_days"].widget.attrs.update(min=1, max=20)
        # Its range checked with the form's fields, so that clean() compares it with the answer time
        # only when it is in range (the model's validators would run after clean, and be skipped).
        self.fields["consent_reminder_days"].validators.extend(
            Chain._meta.get_field("consent_reminder_days").validators
        )
        # Each choice says what silence then means, as every proposal shows it (SilenceRule.meaning).
        self.fields["silence_rule"].choices = [(rule.value, rule.meaning) for rule in SilenceRule]
        self.fields["silence_rule"].help_text = _(
            "Applies to proposals asked from now on; a proposal keeps the rule its partners were told."
        )

    def clean(self):
        cleaned = super().clean()
        answer, remind = cleaned.get("consent_answer_days"), cleaned.get("consent_reminder_days")
        # A reminder as early as the answer time (or earlier) would fall on the day of asking, or before it.
        if answer and remind and remind >= answer:
            self.add_error(
                "consent_reminder_days",
                _("Remind fewer working days before the deadline than the %(days)s partners have to answer.")
                % {"days": answer},
            )
        return cleaned
