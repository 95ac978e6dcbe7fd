"""The text rules (ketenportaal/text.py) on every text field of every portal form
(ketenportaal/forms.py PortalFormMixin): no control characters, no unpaired surrogates, a length
limit even where a model sets none. The figure comment's rules in the API: tests/ambitions/test_input_channels.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from ambitions.forms.entry import ReopenForm
from ambitions.forms.reports import CommentaryForm
from ambitions.forms.setup import AmbitionForm, IndicatorForm
from ambitions.models import Ambition
from ambitions.services import reports
from ketenportaal.text import TEXT_MAX, TextRefused, clean_text, problem
from stakeholders.forms.organisations import OrganisationForm


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "multiline", "expected"),
    [
        ("Gewoon een zin.", False, None),
        ("Twee\nregels\tmet tab", True, None),
        ("Één ß ✓ 😀 中文", False, None),
        ("\ufffd", False, None),  # what a form post makes of bytes that are not UTF-8
        ("Nul\x00byte", True, "U+0000"),
        ("Escape\x1b[31m", True, "U+001B"),
        ("Bel\x07", True, "U+0007"),
        ("Delete\x7f", True, "U+007F"),
        ("C1\x85", True, "U+0085"),
        ("Half \ud800 paar", True, "U+D800"),
        ("Half \udfff paar", True, "U+DFFF"),
        ("Geen teken \uffff", True, "U+FFFF"),
        ("Twee\nregels", False, "one line"),
        ("Met\ttab", False, "one line"),
        ("x" * (TEXT_MAX + 1), True, f"at most {TEXT_MAX} characters"),
    ],
)
def test_the_text_rule(text, multiline, expected):
    message = problem(text, multiline=multiline)
    if expected is None:
        assert message is None
    else:
        assert expected in message


def test_clean_text_normalises_line_breaks_before_counting():
    assert clean_text("  a\r\nb  ", max_length=3) == "a\nb"
    with pytest.raises(TextRefused, match="at most 3 characters"):
        clean_text("a\r\nbc", max_length=3)
    with pytest.raises(TextRefused, match="at most 3 characters"):
        clean_text("x" * 10_000_000, max_length=3)  # refused without normalising ten megabytes


@pytest.mark.django_db
def test_every_portal_form_applies_the_rules_to_its_text_fields(measures):
    m, w = measures, measures.world
    ambition = {"statement": "Sneller recht", "societal_interest": "", "horizon": "2027-06-30", "position": 1}

    form = AmbitionForm({**ambition, "statement": "Sneller\x07 recht"}, chain=w.chain)
    assert "U+0007" in form.errors["statement"][0]
    # A model TextField sets no length: the portal's limit applies.
    form = AmbitionForm({**ambition, "societal_interest": "x" * (TEXT_MAX + 1)}, chain=w.chain)
    assert "at most 20000 characters" in form.errors["societal_interest"][0]
    form = AmbitionForm({**ambition, "societal_interest": "Eerste regel\r\nTweede\tregel"}, chain=w.chain)
    assert form.is_valid(), form.errors

    form = IndicatorForm({"name": "Zaken\nin voorraad"}, ambition=m.ambition)
    assert form.errors["name"] == ["Write this on one line."]
    form = ReopenForm({"reason": "Correctie\x00"})
    assert "U+0000" in form.errors["reason"][0]
    assert len(form.errors["reason"]) == 1  # one message, not Django's NUL message as well
    form = OrganisationForm({"name": "Politie\x1b", "short_name": "", "website": ""}, instance=w.org_a)
    assert "U+001B" in form.errors["name"][0]

    # Fields a form adds after its own __init__ (one per subject of the report) too.
    report, _ = reports.draft_report(w.chain, m.period.previous)
    commentary = CommentaryForm({f"ambition-{m.ambition.pk}": "Op koers\x1b"}, report=report)
    assert "U+001B" in commentary.errors[f"ambition-{m.ambition.pk}"][0]


@pytest.mark.django_db
def test_a_page_answers_a_control_character_with_a_message_and_saves_nothing(measures, english_client_for):
    w = measures.world
    response = english_client_for(w.manager).post(
        reverse("ambitions:ambition_create", args=[w.chain.slug]),
        {"statement": "Sneller\x1b recht", "horizon": "2027-06-30", "position": "1"},
    )
    assert response.status_code == 422
    assert "U+001B" in response.text
    assert not Ambition.objects.filter(statement__startswith="Sneller").exists()
