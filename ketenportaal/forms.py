"""Shared form behaviour: NL Design System classes on every widget, and the text rules
(ketenportaal/text.py) on every text field."""

from django import forms
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

from ketenportaal.text import TEXT_MAX, TextValidator

_WIDGET_CLASSES = {
    forms.Textarea: "utrecht-textarea",
    forms.Select: "utrecht-select",
    forms.SelectMultiple: "utrecht-select",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.RadioSelect: "",
    forms.CheckboxSelectMultiple: "",
    forms.ClearableFileInput: "utrecht-file-input",
    forms.FileInput: "utrecht-file-input",
}


def _apply_text_rules(field: forms.Field) -> None:
    """No control characters (except newlines and tabs in a text of several lines), no unpaired
    surrogates, and a length limit even where the field sets none."""
    if not isinstance(field, forms.CharField) or getattr(field, "text_rules", False):
        return
    field.text_rules = True
    multiline = isinstance(field.widget, forms.Textarea)
    # TextValidator refuses NUL as well, with the same message as the other characters.
    field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    field.validators.append(TextValidator(multiline=multiline))
    if field.max_length is None:
        field.max_length = TEXT_MAX
        field.validators.append(MaxLengthValidator(TEXT_MAX))


class PortalFormMixin:
    """Adds NL Design System classes to widgets and the text rules to text fields; mix into every portal form."""

    def full_clean(self):
        # Here rather than in __init__: some forms add fields after it (CommentaryForm).
        for field in self.fields.values():
            _apply_text_rules(field)
        super().full_clean()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next((c for kind, c in _WIDGET_CLASSES.items() if type(widget) is kind), None)
            if css is None:
                css = "utrecht-textbox utrecht-textbox--html-input"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class PortalForm(PortalFormMixin, forms.Form):
    pass


class PortalModelForm(PortalFormMixin, forms.ModelForm):
    """A ModelForm whose model.clean() and constraints give the field-level messages."""
