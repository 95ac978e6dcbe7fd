"""Forms of the course checks (governance/views/course_checks.py): the answer (a score 1–5 and an
optional comment per statement, and the open question) and the programme manager's statements.
The service (governance/services/course_checks.py) checks the same rules again under the check's lock."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models.course_checks import CourseCheck, CourseCheckStatement, Dimension
from ketenportaal.forms import PortalForm

SCORES = [
    ("1", _("1 (strongly disagree)")),
    ("2", _("2 (disagree)")),
    ("3", _("3 (neutral)")),
    ("4", _("4 (agree)")),
    ("5", _("5 (strongly agree)")),
]


class AnswerForm(PortalForm):
    """One radio group per statement (``score_<id>``) with an optional ``comment_<id>``, grouped by
    dimension in the template (``dimensions``), and the open question."""

    def __init__(self, *args, check: CourseCheck, statements: list[CourseCheckStatement], initial_scores=None, **kw):
        super().__init__(*args, **kw)
        self.check_row = check
        self.statements = statements
        initial_scores = initial_scores or {}
        for statement in statements:
            score, comment = initial_scores.get(statement.pk, (None, ""))
            self.fields[f"score_{statement.pk}"] = forms.ChoiceField(
                label=statement.text,
                choices=SCORES,
                widget=forms.RadioSelect,
                initial=str(score) if score else None,
                error_messages={
                    "required": _("Choose a score from 1 to 5 for this statement."),
                    "invalid_choice": _("Choose a score from 1 to 5."),
                },
            )
            self.fields[f"comment_{statement.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=2000,
                initial=comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["open_answer"] = forms.CharField(
            label=check.question, required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
        )

    def dimensions(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """Per dimension (its label), the statements' score and comment fields, in order."""
        grouped = []
        for value, label in Dimension.choices:
            pairs = [(self[f"score_{s.pk}"], self[f"comment_{s.pk}"]) for s in self.statements if s.dimension == value]
            if pairs:
                grouped.append((label, pairs))
        return grouped

    def scores(self) -> dict[int, int]:
        return {s.pk: int(self.cleaned_data[f"score_{s.pk}"]) for s in self.statements}

    def comments(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(f"comment_{s.pk}", "") for s in self.statements}


class StatementsForm(PortalForm):
    """The check's eight statements and its open question, with the check's version the page was
    loaded with (a change by someone else meanwhile is refused, not overwritten)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, check: CourseCheck, statements: list[CourseCheckStatement], **kw):
        super().__init__(*args, **kw)
        self.initial.setdefault("version", check.version)
        labels = dict(Dimension.choices)
        for statement in statements:
            self.fields[f"text_{statement.dimension}_{statement.position}"] = forms.CharField(
                label=_("%(dimension)s, statement %(position)s")
                % {"dimension": labels[statement.dimension], "position": statement.position},
                max_length=300,
                initial=statement.text,
                error_messages={"required": _("Write the statement.")},
            )
        self.fields["question"] = forms.CharField(
            label=_("Open question"),
            max_length=500,
            initial=check.question,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": _("Write the open question.")},
        )

    def texts(self) -> dict[tuple[str, int], str]:
        result = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("text_"):
                dimension, position = name.removeprefix("text_").rsplit("_", 1)
                result[(dimension, int(position))] = value.strip()
        return result
