"""Forms of the entry grid: one small form per cell, and the reason for reopening a period.

A cell form only carries text: the numbers are parsed and checked by services.entry.save_cell,
the one place that knows the rules, and its refusals are put back on the form's fields here.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from ambitions.models import Figure
from ambitions.services.entry import CellInput
from ambitions.services.grid import GridCell, shown_state
from ambitions.services.numbers import for_input
from ketenportaal.forms import PortalForm

NUMBER_FIELDS = ("value", "numerator", "denominator")
INPUT_FIELDS = (*NUMBER_FIELDS, "comment", "follow_up")
RESOLVE_MINE, RESOLVE_THEIRS = "mine", "theirs"


def fingerprint(values: dict) -> str:
    """A short hash of a cell's inputs as text, to tell whether the user changed anything since
    the grid was loaded (browsers send textarea line breaks as CRLF, so those are normalised)."""
    parts = []
    for name in INPUT_FIELDS:
        raw = values.get(name)
        if name == "follow_up":
            parts.append("1" if raw in (True, "on", "true", "1") else "")
        else:
            parts.append(str(raw or "").replace("\r\n", "\n").strip())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


class _LoadedPart(forms.HiddenInput):
    """The grid page posts a cell's revision and fingerprint as one hidden input, named loaded
    and written '<revision>:<fingerprint>' (one input fewer in each of hundreds of rows); a
    client that posts them apart (revision and loaded) is read as before."""

    def __init__(self, part: int):
        super().__init__()
        self.part = part  # 0: the revision, 1: the fingerprint

    def value_from_datadict(self, data, files, name):
        prefix = name.rsplit("-", 1)[0]
        if self.part == 0 and name in data:
            return data.get(name)
        token = data.get(f"{prefix}-loaded")
        if token and ":" in token:
            return token.split(":", 1)[self.part]
        return token if self.part == 1 else None


def loaded_token(revision, fingerprint_: str) -> str:
    """What the page's one hidden input of a cell holds (see _LoadedPart)."""
    return f"{revision}:{fingerprint_}"


def figure_texts(figure: Figure | None, is_ratio: bool) -> dict:
    """A saved figure as the cell's inputs show it."""
    if figure is None:
        return {"value": "", "numerator": "", "denominator": "", "comment": "", "follow_up": False}
    return {
        "value": "" if is_ratio else for_input(figure.value),
        "numerator": for_input(figure.numerator) if is_ratio else "",
        "denominator": for_input(figure.denominator) if is_ratio else "",
        "comment": figure.comment,
        "follow_up": figure.follow_up,
    }


class CellForm(PortalForm):
    """One cell as posted by the grid (all cells at once, without JavaScript) or on its own (htmx).

    ``revision`` is the figure revision the cell was loaded with (0: empty), ``loaded`` the
    fingerprint of its inputs then. During a conflict ``current`` holds the revision saved
    meanwhile, and the user's choice comes as ``resolve``: save mine over it, or keep theirs.
    """

    value = forms.CharField(label=_("Value"), required=False, max_length=40)
    numerator = forms.CharField(label=_("Numerator"), required=False, max_length=40)
    denominator = forms.CharField(label=_("Denominator"), required=False, max_length=40)
    # Its length (entry.COMMENT_MAX) and text rules are save_cell's, the same in every channel;
    # counted there after the browser's CRLF line breaks became LF, as the textarea counted them.
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea)
    follow_up = forms.BooleanField(label=_("Needs follow-up"), required=False)
    revision = forms.IntegerField(required=False, min_value=0, widget=_LoadedPart(0))
    loaded = forms.CharField(required=False, max_length=64, widget=_LoadedPart(1))
    current = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, data=None, *, cell: GridCell):
        texts = figure_texts(cell.figure, cell.version.is_ratio)
        initial = {
            **texts,
            "revision": cell.figure.revision if cell.figure else 0,
            "loaded": fingerprint(texts),
        }
        super().__init__(data, prefix=cell.key, initial=initial)
        self.cell = cell
        self.conflict: Figure | None = None  # the figure someone else saved meanwhile
        self.saved = False  # just saved (htmx): say so at the cell
        self.unsaved = False  # valid, but not saved because another cell of the grid failed

    @property
    def is_posted(self) -> bool:
        """Whether this cell was part of the post (locked and closed cells are not)."""
        return self.is_bound and (self.add_prefix("revision") in self.data or self.add_prefix("loaded") in self.data)

    @property
    def resolve(self) -> str:
        # The last non-empty value: without JavaScript the clicked button comes after the
        # (empty) hidden input that the script fills in.
        if not self.is_bound:
            return ""
        values = self.data.getlist(self.add_prefix("resolve")) if hasattr(self.data, "getlist") else []
        choice = next((v for v in reversed(values) if v), "")
        return choice if choice in (RESOLVE_MINE, RESOLVE_THEIRS) else ""

    def posted_texts(self) -> dict:
        names = {name: self.add_prefix(name) for name in INPUT_FIELDS}
        texts = {name: self.data.get(key, "") for name, key in names.items()}
        texts["follow_up"] = self.fields["follow_up"].widget.value_from_datadict(
            self.data, self.files, names["follow_up"]
        )
        return texts

    def has_user_changes(self) -> bool:
        """Whether the user changed the cell since loading it (not: whether someone else did)."""
        if not self.is_posted:
            return False
        loaded = self.fields["loaded"].widget.value_from_datadict(self.data, self.files, self.add_prefix("loaded"))
        return fingerprint(self.posted_texts()) != (loaded or "")

    def cell_input(self) -> CellInput:
        """What to hand to save_cell; call after is_valid()."""
        data = self.cleaned_data
        revision = data.get("revision")
        if self.resolve == RESOLVE_MINE and data.get("current") is not None:
            revision = data["current"]
        return CellInput(
            value=data.get("value", ""),
            numerator=data.get("numerator", ""),
            denominator=data.get("denominator", ""),
            comment=data.get("comment", ""),
            follow_up=bool(data.get("follow_up")),
            # A missing revision is "loaded empty": it never silently overwrites a saved figure.
            revision=revision if revision is not None else 0,
        )

    def refuse(self, errors: dict[str, str]) -> None:
        """Put services.entry.CellRefused.errors on the fields; '__all__' is the cell's message."""
        for name, message in errors.items():
            self.add_error(name if name in INPUT_FIELDS else None, message)

    def in_conflict(self, current: Figure) -> None:
        self.conflict = current
        self.data = self.data.copy()
        self.data[self.add_prefix("current")] = str(current.revision)

    def field_error_ids(self, name: str) -> str:
        """The ids aria-describedby should name for this input: its own error and the cell's."""
        ids = []
        if self.errors.get(name):
            ids.append(f"{self[name].auto_id}-error")
        if self.non_field_errors() or self.conflict is not None:
            ids.append(f"{self.prefix}-message")
        return " ".join(ids)

    @property
    def first_error(self) -> str:
        if self.conflict is not None:
            return str(_("Someone else saved this cell meanwhile."))
        for errors in self.errors.values():
            return str(errors[0])
        return ""

    @property
    def number_inputs(self) -> list[tuple]:
        """(bound field, aria-describedby) for the cell's number inputs."""
        names = ("numerator", "denominator") if self.cell.version.is_ratio else ("value",)
        return [(self[name], self.field_error_ids(name)) for name in names]

    @property
    def comment_describedby(self) -> str:
        return self.field_error_ids("comment")

    @property
    def conflict_shown(self) -> str:
        return shown_state(self.conflict, self.cell.version) if self.conflict else ""

    @property
    def comment_value(self) -> str:
        return self["comment"].value() or ""

    @property
    def follow_up_checked(self) -> bool:
        value = self["follow_up"].value()
        return bool(value) and value not in ("False", "false", "0")


class ReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The contributors and the partner lead see this reason."),
    )


class MissingReasonForm(PortalForm):
    """The reason to submit or approve a period while figures are missing (the submission rule).

    Optional on the grid's own buttons: services.submissions asks for it only when cells are empty."""

    missing_reason = forms.CharField(
        label=_("Reason for going ahead with figures missing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_(
            "Say why these figures are missing and when they will come. Everyone in the chain sees this reason."
        ),
    )
