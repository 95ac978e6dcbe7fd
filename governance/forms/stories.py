"""The success story form: title, Markdown text, an optional photo with its required description,
the partners involved and the linked indicators and decisions (governance/models/stories.py).

The photo follows the portal's one photo rule (governance/services/photos.py): checked by its
content with Pillow and its size (the limit named in the message), then stored as a new JPEG,
upright, at most 1600 pixels a side and without any of the upload's metadata.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator
from governance.models import Decision
from governance.models.stories import Story
from governance.services.photos import PhotoField, normalised
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Chain, Partnership


class StoryForm(VersionedFormMixin, PortalModelForm):
    class Meta:
        model = Story
        fields = ["title", "body", "photo", "photo_alt", "partners", "indicators", "decisions"]
        field_classes = {"photo": PhotoField}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "partners": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,
            "decisions": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain
        self.fields["partners"].queryset = (
            Partnership.objects.filter(chain=chain)
            .current()
            .select_related("organisation")
            .order_by("organisation__name")
        )
        self.fields["partners"].label_from_instance = lambda partner: partner.organisation.name
        self.fields["partners"].help_text = _("Each partner's lead approves the story before the chain sees it.")
        self.fields["indicators"].queryset = Indicator.objects.filter(ambition__chain=chain)
        self.fields["indicators"].required = False
        self.fields["decisions"].queryset = Decision.objects.filter(chain=chain).order_by("-filed_on", "-pk")
        self.fields["decisions"].required = False
        self.fields["decisions"].help_text = _("Hold Ctrl (or Cmd) to choose more than one.")

    def versioned_fields(self) -> list[str]:
        # Every save moves updated_at, so a concurrent change of the partners or links counts too.
        return [*super().versioned_fields(), "updated_at"]

    def clean(self):
        cleaned_data = super().clean()
        photo = cleaned_data.get("photo")
        alt = (cleaned_data.get("photo_alt") or "").strip()
        # photo is False when "remove" is ticked, the existing file when nothing new was chosen.
        has_photo = bool(photo) if photo is not None else bool(self.instance.photo)
        if has_photo and not alt and "photo_alt" not in self.errors:
            self.add_error("photo_alt", _("Describe what the photo shows: people who cannot see it read this instead."))
        if not has_photo:
            cleaned_data["photo_alt"] = ""
        return cleaned_data

    def save(self, commit: bool = True) -> Story:
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "image"):  # a new upload, not the stored file
            self.instance.photo = normalised(photo)
        return super().save(commit)
