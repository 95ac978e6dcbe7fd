"""One markup for a form field: templates/_field.html, included by every form template."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_it_writes_the_field_markup_in_one_template_only():
    # A field's label, description and error are written where {{ field.label }} is: _field.html.
    writers = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "{{ field.label }}" in path.read_text()
    )
    # The entry grid's cells are no form fields but compact table cells, written in Python
    # (ambitions/views/grid_rows.py) to keep a grid of hundreds of cells light.
    assert writers == ["_field.html"]
    for name in ("_form_fields.html", "ambitions/version_form_fields.html", "ambitions/version_detail.html"):
        assert '{% include "_field.html"' in (TEMPLATES / name).read_text(), name


class Example(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the door.")
    note = forms.CharField(label="Note", required=False)
    agreed = forms.BooleanField(label="Agreed", required=False)
    answer = forms.ChoiceField(label="Answer", choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)


def test_it_renders_each_kind_of_field_with_its_label_description_and_error():
    form = Example(data={"note": "x"})
    form.is_valid()
    with translation.override("en"):
        html = render_to_string("_form_fields.html", {"form": form})
    assert '<label class="utrecht-form-label" for="id_name">Name</label>' in html
    assert 'id="id_name_helptext">As on the door.</div>' in html
    assert 'id="id_name_error"' in html
    assert "(optional)" in html.split('for="id_note"')[1].split("</label>")[0]
    assert 'class="utrecht-form-label utrecht-form-label--checkbox" for="id_agreed">Agreed</label>' in html
    assert '<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">Answer' in html
    assert 'id="id_answer_error"' in html
    with translation.override("en"):
        without_mark = render_to_string("_field.html", {"field": form["note"], "mark_optional": False})
    assert "optional" not in without_mark
