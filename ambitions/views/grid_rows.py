"""The entry grid's rows (one per unit and indicator) as HTML, written in Python.

The grid of an organisation can have 400 cells and more. Rendering one template include per
cell took most of the page's time (issue 16), and a Django form per cell most of the rest, so
the rows are written here from the grid's plain data, with the texts and URLs the page needs
worked out once. Only a cell that comes back from a post (an error, a conflict, just saved)
carries a forms.entry.CellForm; its state is read from that form. The htmx answer to saving one
cell (views.entry.entry_cell) is written by the same functions, so the row is the same markup.

The rows are inside the grid's form, so without JavaScript the grid posts as one form; with
htmx a row posts only its own inputs when focus leaves it after a change (static/js/entry-grid.js
leaves the rest of the form out). The row's tbody carries the htmx attributes that are the same
for every row (hx-include="closest tr", hx-swap, the timeout). Each input is named by reference
(aria-labelledby: the row's unit header and a hidden "indicator: field" text of its section), so
that its name is unique on the page without repeating it 400 times; a cell's revision and
fingerprint travel as one hidden token (forms.entry._LoadedPart); the inputs, buttons and table
cells carry no classes, styled by the table (static/css/portal.css). An input has an id only
when an error message is tied to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape  # what django.utils.html.escape does, without a SafeString per call

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ambitions.forms.entry import CellForm, figure_texts, fingerprint, loaded_token
from ambitions.services.grid import Grid, GridCell

OPEN_PARAM = "cel"  # the cell whose comment editor the grid shows open (after its button was used)
NUMBER_LABELS = {"value": "Value", "numerator": "Numerator", "denominator": "Denominator"}


@dataclass
class _Texts:
    """What every row says, translated once per page (in the request's language)."""

    history_url: str  # with {pk} for the figure
    open_key: str  # the cell whose comment editor is shown open
    labels: dict
    comment: str
    added: str
    follow_up_flag: str
    needs_follow_up: str
    history_of_cell: str
    history: str
    states: dict


def _texts(chain_slug: str, period_slug: str, open_key: str = "") -> _Texts:
    return _Texts(
        open_key=open_key,
        history_url=escape(reverse("ambitions:figure_history", args=[chain_slug, 0])).replace("/0/", "/{pk}/"),
        labels={name: escape(_(label)) for name, label in NUMBER_LABELS.items()},
        comment=escape(_("Comment")),
        added=escape(_("added")),
        follow_up_flag=escape(_("follow-up")),
        needs_follow_up=escape(_("Needs follow-up")),
        history_of_cell=escape(_("History of this cell")),
        history=escape(_("History")),
        states={
            "locked": escape(_("Locked (approved)")),
            "closed": escape(_("Closed for entry")),
            "errors": escape(_("Not saved")),
            "unsaved": escape(_("Not saved yet: another cell needs attention")),
            "saved": escape(_("Saved")),
            "awaiting": escape(_("Delivered late: waiting for approval")),
            "late_delivery": escape(_("Open for a late delivery")),
            "entered": escape(_("Entered")),
            "empty": escape(_("Not entered yet")),
            "late": escape(_("Late")),
            "overdue": escape(_("Overdue")),
        },
    )


@dataclass
class _State:
    """A cell's inputs as shown: from its form after a post, else from its saved figure."""

    values: dict
    revision: str
    loaded: str
    errors: dict  # field name → [message]
    message: str  # the cell's own error (not about one field)
    form: CellForm | None = None

    @classmethod
    def of(cls, cell: GridCell, form: CellForm | None) -> _State:
        if form is None or not form.is_bound:
            texts = figure_texts(cell.figure, cell.version.is_ratio)
            return cls(texts, str(cell.figure.revision if cell.figure else 0), fingerprint(texts), {}, "", form)
        values = {name: form[name].value() for name in ("value", "numerator", "denominator", "comment", "follow_up")}
        values["follow_up"] = form.follow_up_checked
        revision, loaded = form["revision"].value(), form["loaded"].value()
        return cls(
            values,
            "0" if revision is None else str(revision),
            loaded or "",
            {name: [str(e) for e in errors] for name, errors in form.errors.items() if name != "__all__"},
            " ".join(str(e) for e in form.non_field_errors()),
            form,
        )

    @property
    def conflict(self):
        return self.form.conflict if self.form is not None else None

    def describedby(self, key: str, name: str) -> str:
        ids = [f"id_{key}-{name}-error"] if self.errors.get(name) else []
        if self.message or self.conflict is not None:
            ids.append(f"{key}-message")
        return " ".join(ids)


def rows(grid: Grid, section_cells: list[GridCell], texts: _Texts | None = None) -> SafeString:
    """The rows of one section of the grid."""
    texts = texts or page_texts(grid)
    return mark_safe("".join(_row(cell, cell.form, texts) for cell in section_cells))  # noqa: S308 - escaped above


def page_texts(grid: Grid, open_key: str = "") -> _Texts:
    return _texts(grid.chain.slug, grid.period.slug, open_key)


def one_row(chain_slug: str, cell: GridCell, form: CellForm | None) -> SafeString:
    """One cell's row, as entry_cell answers htmx."""
    return mark_safe(_row(cell, form, _texts(chain_slug, cell.period.slug)))  # noqa: S308 - escaped in _row


def refused_row(key: str, message: str) -> SafeString:
    """The row that answers a save of a cell the grid does not have."""
    return mark_safe(  # noqa: S308 - escaped here
        f'<tr class="kp-cell kp-cell--invalid" id="{escape(key)}"><td colspan="7">'
        f'<p class="utrecht-form-field-error-message" id="{escape(key)}-message">{escape(message)}</p></td></tr>'
    )


def _row(cell: GridCell, form: CellForm | None, t: _Texts) -> str:
    key = cell.key
    state = _State.of(cell, form)
    unit, indicator = escape(cell.unit.name), escape(cell.indicator.name)
    who = f"{unit}, {indicator}"
    classes = ""
    if state.errors or state.message or state.conflict is not None:
        classes = ' class="kp-cell--invalid"'
    elif form is not None and form.saved:
        classes = ' class="kp-cell--saved"'
    parts = [f'<tr{classes} id="{key}" data-kp-cell']
    if cell.has_data:
        parts.append(" data-kp-has-data")
    parts.append(f'><th scope="row" id="u{key[5:]}">{unit}</th>')
    parts.extend(f"<td>{escape(shown)}</td>" for shown in cell.previous)
    if cell.editable:
        parts.append(_inputs(cell, state, key, t))
        parts.append(_comment(cell, state, key, who, t))
    else:
        parts.append(f'<td><span class="kp-entry__value">{escape(cell.shown)}</span></td><td>')
        figure = cell.figure
        if figure is not None:
            if figure.comment:
                parts.append(f'<p class="kp-entry__comment-text">{escape(figure.comment)}</p>')
            if figure.follow_up:
                parts.append(f'<span class="kp-flag">{t.needs_follow_up}</span> ')
            parts.append(
                f'<a class="utrecht-link" href="{t.history_url.format(pk=figure.pk)}">{t.history}'
                f'<span class="kp-vh"> — {who}</span></a>'
            )
        parts.append("</td>")
    parts.append(_status(cell, state, form, key, who, t))
    parts.append("</tr>")
    return "".join(parts)


def _inputs(cell: GridCell, state: _State, key: str, t: _Texts) -> str:
    is_ratio = cell.version.is_ratio
    token = escape(loaded_token(state.revision, state.loaded))
    parts = [
        '<td class="kp-entry__numbers">' if is_ratio else "<td>",
        f'<input type="hidden" name="{key}-loaded" value="{token}">',
    ]
    names = ("numerator", "denominator") if is_ratio else ("value",)
    # The accessible name is the row's unit and its section's "indicator: field" (a hidden text of
    # entry_grid.html), by reference: unique on the page without repeating the texts per input.
    # A ratio's inputs sit in their visible labels; an input only has an id when an error names it.
    unit_id = f"u{key[5:]}"
    for name in names:
        value = state.values.get(name)
        describedby = state.describedby(key, name)
        aria = f' id="id_{key}-{name}" aria-invalid="true" aria-describedby="{describedby}"' if describedby else ""
        shown = f' value="{escape(value)}"' if value else ""
        named_by = f"{unit_id} i{cell.indicator.pk}{name[0]}"
        field = f'<input inputmode="decimal" name="{key}-{name}"{shown} aria-labelledby="{named_by}"{aria}>'
        parts.append(f"<label>{t.labels[name]}{field}</label>" if is_ratio else field)
    errors = [name for name in names if state.errors.get(name)]
    if errors:
        parts.append('<div class="kp-entry__errors">')
        for name in errors:
            prefix = f"{t.labels[name]}: " if is_ratio else ""
            message = escape(" ".join(state.errors[name]))
            error_id = f"id_{key}-{name}-error"
            parts.append(f'<p class="utrecht-form-field-error-message kp-entry__error" id="{error_id}">')
            parts.append(f"{prefix}{message}</p>")
        parts.append("</div>")
    parts.append("</td>")
    return "".join(parts)


def _comment(cell: GridCell, state: _State, key: str, who: str, t: _Texts) -> str:
    comment = state.values.get("comment") or ""
    follow_up = bool(state.values.get("follow_up"))
    errors = state.errors.get("comment")
    opened = " open" if errors or state.errors.get("follow_up") or key == t.open_key else ""
    if not (comment or follow_up or opened):
        # Nothing to show yet: a button that opens the editor (static/js/entry-grid.js writes it
        # into the row from the page's template; without JavaScript it saves the grid and
        # shows it again with this cell's editor open). Posted without the editor, the cell's
        # comment and follow-up are empty and unchecked: what the row was loaded with.
        figure = f' data-kp-figure="{cell.figure.pk}"' if cell.figure is not None else ""
        return (
            f'<td><button name="{OPEN_PARAM}" value="{key}"'
            f' aria-labelledby="kpc u{key[5:]} i{cell.indicator.pk}"{figure}>{t.comment}</button></td>'
        )
    flags = (f' <span class="kp-flag">({t.added})</span>' if comment else "") + (
        f' <span class="kp-flag">({t.follow_up_flag})</span>' if follow_up else ""
    )
    describedby = state.describedby(key, "comment")
    aria = f' aria-invalid="true" aria-describedby="{describedby}"' if describedby else ""
    invalid = " utrecht-textarea--invalid" if errors else ""
    parts = [
        f'<td><details class="kp-entry__details"{opened}><summary>{t.comment}{flags}'
        f'<span class="kp-vh"> — {who}</span></summary><div class="kp-entry__details-body">'
        f'<label class="utrecht-form-label" for="id_{key}-comment">{t.comment}'
        f'<span class="kp-vh"> — {who}</span></label>'
        f'<textarea class="utrecht-textarea kp-entry__comment{invalid}" rows="2"'
        f' id="id_{key}-comment" name="{key}-comment"{aria}>{escape(comment)}</textarea>'
    ]
    if errors:
        parts.append(
            f'<p class="utrecht-form-field-error-message kp-entry__error" id="id_{key}-comment-error">'
            f"{escape(' '.join(errors))}</p>"
        )
    checked = " checked" if follow_up else ""
    parts.append(
        f'<div class="kp-entry__checkbox"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox"'
        f' id="id_{key}-follow_up" name="{key}-follow_up"{checked}>'
        f'<label class="utrecht-form-label utrecht-form-label--checkbox" for="id_{key}-follow_up">'
        f'{t.needs_follow_up}<span class="kp-vh"> — {who}</span></label></div>'
    )
    if cell.figure is not None:
        parts.append(
            f'<p class="kp-entry__history"><a class="utrecht-link" href="{t.history_url.format(pk=cell.figure.pk)}">'
            f'{t.history_of_cell}<span class="kp-vh"> — {who}</span></a></p>'
        )
    parts.append("</div></details></td>")
    return "".join(parts)


def _status(cell: GridCell, state: _State, form: CellForm | None, key: str, who: str, t: _Texts) -> str:
    s = t.states
    parts = ["<td>"]  # the row's last cell: static/js/entry-grid.js says there when a save failed
    if state.conflict is not None:
        parts.append(_conflict(cell, form, key, who))
    elif state.message:
        parts.append(f'<p class="utrecht-form-field-error-message" id="{key}-message">{escape(state.message)}</p>')
    else:
        if cell.locked:
            text = s["locked"]
        elif not cell.is_open:
            text = s["closed"]
        elif state.errors:
            text = s["errors"]
        elif form is not None and form.unsaved:
            text = s["unsaved"]
        elif form is not None and form.saved:
            text = None
            parts.append('<span class="kp-entry__state kp-entry__state--saved"><span aria-hidden="true">✓</span> ')
            parts.append(f"{s['saved']}</span>")
        elif cell.awaiting_approval:
            text = s["awaiting"]
        elif cell.open_for_late_delivery:
            text = s["late_delivery"]
        elif cell.has_data:
            text = s["entered"]
        else:
            text = s["empty"]
        if text is not None:
            parts.append(f"<span>{text}</span>")
    if cell.late:
        parts.append(f' <span class="kp-flag kp-flag--overdue">{s["late"]}</span>')
    elif cell.overdue:
        parts.append(f' <span class="kp-flag kp-flag--overdue">{s["overdue"]}</span>')
    parts.append("</td>")
    return "".join(parts)


def _conflict(cell: GridCell, form: CellForm, key: str, who: str) -> str:
    someone = form.conflict.entered_by.full_name if form.conflict.entered_by else ""
    said = _("Saved meanwhile by %(who)s: %(value)s. Your value has not been saved.") % {
        "who": someone or _("someone else"),
        "value": form.conflict_shown,
    }
    current = form["current"].value()
    current = escape("" if current is None else str(current))
    return (
        f'<div class="kp-entry__conflict" id="{key}-message">'
        f'<p class="utrecht-form-field-error-message">{escape(said)}</p>'
        f'<input type="hidden" name="{key}-current" value="{current}">'
        f'<input type="hidden" name="{key}-resolve" value="" data-kp-resolve-input>'
        f'<div class="kp-entry__choices">'
        f'<button class="utrecht-button utrecht-button--secondary-action" type="submit"'
        f' name="{key}-resolve" value="mine" data-kp-resolve="mine">{escape(_("Save mine instead"))}'
        f'<span class="kp-vh"> — {who}</span></button>'
        f'<button class="utrecht-button utrecht-button--subtle" type="submit"'
        f' name="{key}-resolve" value="theirs" data-kp-resolve="theirs">{escape(_("Keep theirs"))}'
        f'<span class="kp-vh"> — {who}</span></button></div></div>'
    )
