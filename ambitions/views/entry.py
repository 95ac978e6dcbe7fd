"""Entering figures: choose a period, the grid of units × indicators, saving one cell, and each
cell's history (see ambitions/urls.py); the period's steps are in views/submissions.py.

Every write goes through services.entry.save_cell and services.submissions, which enforce
permissions, entry windows, locks and concurrency; these views translate their refusals to
messages at the cell (CellRefused, CellConflict) or on the page (StepRefused).

Which organisation: contributors and partner leads enter for their own organisation;
programme managers and administrators choose one with ``?organisatie=<id>`` (or a form field
of that name), which must be a partner of the chain.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambitions.forms.entry import (
    RESOLVE_MINE,
    RESOLVE_THEIRS,
    CellForm,
    figure_texts,
    fingerprint,
)
from ambitions.models import Figure, Indicator, SubmissionStatus
from ambitions.periods import Period
from ambitions.services import aggregates, calendar, delivery, grid, submissions
from ambitions.services.entry import CellConflict, CellInput, CellRefused, save_cell, write_cell
from ambitions.views import grid_rows
from stakeholders.models import Chain, Organisation, Partnership, Unit
from stakeholders.permissions import Action, allows, get_chain_or_404, require

ORGANISATION_PARAM = "organisatie"


# --- Helpers ---------------------------------------------------------------------------------


def _period(slug: str) -> Period:
    try:
        period = Period.from_slug(slug)
    except ValueError as exc:
        raise Http404 from exc
    if not 2000 <= period.start.year <= 2100:
        raise Http404
    return period


def _chosen_organisation(request: HttpRequest, chain: Chain) -> Organisation | None:
    """The organisation named by ``organisatie`` (a partner of the chain, else 404), or else the
    user's own when it is a partner, or None."""
    raw = request.POST.get(ORGANISATION_PARAM) if request.method == "POST" else None
    raw = raw or request.GET.get(ORGANISATION_PARAM)
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(Organisation.objects.filter(partnerships__chain=chain).distinct(), pk=int(raw))
    own = request.user.organisation_id
    if own and Partnership.objects.filter(chain=chain, organisation_id=own).exists():
        return request.user.organisation
    return None


def _organisation_to_enter(request: HttpRequest, chain: Chain) -> Organisation:
    """The organisation whose figures the request is about; 403 when the user may not enter
    them, 404 when someone who may enter for any partner did not say which."""
    organisation = _chosen_organisation(request, chain)
    require(request.user, Action.ENTER_FIGURES, chain, organisation)
    if organisation is None:
        raise Http404
    return organisation


def _query(request: HttpRequest, organisation: Organisation) -> str:
    """``?organisatie=<id>`` unless it is the user's own organisation."""
    if organisation.pk == request.user.organisation_id:
        return ""
    return f"?{ORGANISATION_PARAM}={organisation.pk}"


def grid_url(request: HttpRequest, chain: Chain, period: Period, organisation: Organisation) -> str:
    return reverse("ambitions:entry_grid", args=[chain.slug, period.slug]) + _query(request, organisation)


# --- Choosing a period -------------------------------------------------------------------------


def entry_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The recent periods open for entry, with each organisation's status; programme managers
    and administrators see every partner, contributors and leads their own organisation."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    if allows(request.user, Action.ENTER_FIGURES, chain):
        organisations = list(Organisation.objects.filter(partnerships__chain=chain).distinct().order_by("name"))
        for_any = True
    else:
        own = _chosen_organisation(request, chain)
        require(request.user, Action.ENTER_FIGURES, chain, own)
        organisations, for_any = [own], False
    rows = calendar.open_periods(chain, organisations)
    own_id = request.user.organisation_id
    links = {
        (row.period, status.organisation.pk): reverse("ambitions:entry_grid", args=[chain.slug, row.period.slug])
        + ("" if status.organisation.pk == own_id else f"?{ORGANISATION_PARAM}={status.organisation.pk}")
        for row in rows
        for status in row.statuses
    }
    for row in rows:
        for status in row.statuses:
            status.url = links[(row.period, status.organisation.pk)]
    return render(
        request,
        "ambitions/entry_index.html",
        {"chain": chain, "rows": rows, "organisations": organisations, "for_any": for_any},
    )


# --- The grid ----------------------------------------------------------------------------------


class _NothingSaved(Exception):
    """Raised inside the grid's transaction to roll back every cell when one of them failed."""


def _attach_forms(the_grid: grid.Grid, data=None) -> list[CellForm]:
    forms = []
    for cell in the_grid.cells():
        cell.form = CellForm(data, cell=cell)
        forms.append(cell.form)
    return forms


def _same_as_saved(form: CellForm, figure: Figure) -> bool:
    """The user's input equals what is saved now (e.g. the cell was just saved on its own)."""
    return fingerprint(form.posted_texts()) == fingerprint(figure_texts(figure, form.cell.version.is_ratio))


def _save_grid(request: HttpRequest, the_grid: grid.Grid, forms: list[CellForm]) -> tuple[int, list[CellForm]]:
    """Save every changed cell of the posted grid, or none: returns (saved, failed forms).

    All or nothing, so that a grid is never half-saved: if any cell is refused or in
    conflict, the transaction is rolled back and every cell is shown again as typed.
    """
    pending, failed = [], []
    for form in forms:
        if not form.is_posted:
            continue  # locked and closed cells have no inputs
        if form.resolve == RESOLVE_THEIRS:
            form.cell.form = CellForm(cell=form.cell)  # drop my input, show what is saved
            continue
        if not form.has_user_changes() and form.resolve != RESOLVE_MINE:
            continue
        (pending if form.is_valid() else failed).append(form)
    if not pending:
        return 0, failed
    saved = 0
    try:
        # Lock every roll-up the grid touches at once, in save_cell's order: two grids saved at
        # the same time then wait for each other instead of deadlocking.
        pairs = [(form.cell.indicator.pk, the_grid.period.start) for form in pending]
        with transaction.atomic(), aggregates.locked_rollups(pairs):
            for form in pending:
                cell = form.cell
                try:
                    save_cell(request.user, cell.indicator, cell.unit, the_grid.period, form.cell_input())
                    saved += 1
                except CellRefused as refused:
                    form.refuse(refused.errors)
                    failed.append(form)
                except CellConflict as conflict:
                    if _same_as_saved(form, conflict.current):
                        continue
                    form.in_conflict(conflict.current)
                    failed.append(form)
            if failed:
                raise _NothingSaved
    except _NothingSaved:
        for form in pending:
            if form not in failed:
                form.unsaved = True
        return 0, failed
    return saved, failed


def entry_grid(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The organisation's reporting units × indicators for one period. Each cell saves on its own
    with htmx (entry_cell); without JavaScript the whole grid is one form, saved all or nothing."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    the_period = _period(period)
    organisation = _chosen_organisation(request, chain)
    require(request.user, Action.ENTER_FIGURES, chain, organisation)
    if organisation is None:
        return redirect("ambitions:entry_index", chain.slug)
    the_grid = grid.build(chain, organisation, the_period)
    status = 200
    failed: list[CellForm] = []
    if request.method == "POST":
        forms = _attach_forms(the_grid, request.POST)
        saved, failed = _save_grid(request, the_grid, forms)
        if not failed:
            if saved:
                messages.success(
                    request,
                    ngettext("%(count)d figure saved.", "%(count)d figures saved.", saved) % {"count": saved},
                )
            elif not _open_cell(request):
                messages.info(request, _("There were no changes to save."))
            return redirect(_grid_url_opening(request, chain, the_period, organisation))
        status = 422
    return render(request, "ambitions/entry_grid.html", _grid_context(request, the_grid, failed), status=status)


def _grid_url_opening(request: HttpRequest, chain: Chain, period: Period, organisation: Organisation) -> str:
    """The grid's URL, with the cell whose comment button was used open (and scrolled to)."""
    url, key = grid_url(request, chain, period, organisation), _open_cell(request)
    if not key:
        return url
    return f"{url}{'&' if '?' in url else '?'}{grid_rows.OPEN_PARAM}={key}#{key}"


def _first_field(the_grid: grid.Grid) -> str:
    """The id of the row where a keyboard user starts (the page's first skip link goes there, and
    static/js/entry-grid.js on to its first input; without it, Tab does): the first empty cell
    that can be entered, else the first cell that can be."""
    editable = [cell for cell in the_grid.cells() if cell.editable]
    first = next((cell for cell in editable if not cell.has_data), editable[0] if editable else None)
    if first is None:
        return ""
    return first.key


def _open_cell(request: HttpRequest) -> str:
    """The cell whose comment editor to show open: its button was used without JavaScript."""
    key = request.POST.get(grid_rows.OPEN_PARAM) or request.GET.get(grid_rows.OPEN_PARAM) or ""
    return key if re.fullmatch(r"cell-\d+-\d+", key) else ""


def _section_rows(the_grid: grid.Grid, open_key: str = "") -> list[tuple[grid.GridSection, str]]:
    """Each section of the grid with its rows written out (views/grid_rows.py)."""
    texts = grid_rows.page_texts(the_grid, open_key)
    return [(section, grid_rows.rows(the_grid, section.cells, texts)) for section in the_grid.sections]


def _grid_context(request: HttpRequest, the_grid: grid.Grid, failed: list[CellForm]) -> dict:
    chain, organisation, period = the_grid.chain, the_grid.organisation, the_grid.period
    query = _query(request, organisation)
    # The mandate is asked only when there is something to approve: submitted figures, or late ones.
    to_approve = the_grid.status == SubmissionStatus.SUBMITTED or (
        the_grid.status == SubmissionStatus.APPROVED and bool(the_grid.awaiting_approval)
    )
    approver = to_approve and submissions.may_approve(request.user, chain, organisation)
    may_approve = approver and the_grid.status == SubmissionStatus.SUBMITTED
    return {
        "chain": chain,
        "grid": the_grid,
        "organisation": organisation,
        "period": period,
        "query": query,
        "organisation_param": ORGANISATION_PARAM if query else "",
        # The page's counts of entered figures, which static/js/entry-grid.js keeps up to date.
        "entered": format_html("<span data-kp-entered>{}</span>", the_grid.entered),
        "first_field": _first_field(the_grid),
        "sections": _section_rows(the_grid, _open_cell(request)),
        "failed": failed,
        "previous_url": grid_url(request, chain, period.previous, organisation),
        "next_url": grid_url(request, chain, period.next, organisation),
        "may_submit": the_grid.status == SubmissionStatus.OPEN and the_grid.is_open,
        "may_approve": may_approve,
        "may_approve_late": approver and the_grid.status == SubmissionStatus.APPROVED,
        "may_reopen": the_grid.status != SubmissionStatus.OPEN
        and delivery.may_reopen(request.user, chain, organisation, period, the_grid.today),
        "delivery_terms": delivery.shown(chain, organisation, period),
    }


# --- One cell ----------------------------------------------------------------------------------


def _posted_id(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit():
        raise Http404
    return int(raw)


@require_POST
def entry_cell(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Save one cell (``indicator`` and ``unit`` in the post): htmx gets the cell back with its
    saved state or its error; a plain form post is redirected back to the grid."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    the_period = _period(period)
    # Scoped to the chain: another chain's indicator, or a unit of an organisation that is no
    # partner here, is simply not found.
    indicator = get_object_or_404(
        Indicator.objects.select_related("ambition"), pk=_posted_id(request, "indicator"), ambition__chain=chain
    )
    indicator.ambition.chain = chain  # known already: saves save_cell two queries
    partner = Partnership.objects.filter(chain=chain, organisation=OuterRef("organisation"))
    unit = get_object_or_404(
        Unit.objects.filter(Exists(partner)).select_related("organisation"), pk=_posted_id(request, "unit")
    )
    organisation = unit.organisation
    require(request.user, Action.ENTER_FIGURES, chain, organisation)
    cell, form, status, announce = _save_one_cell(request, chain, indicator, unit, the_period)
    if cell is None:
        return _refused_outside_grid(request, chain, the_period, indicator, unit)

    if not getattr(request, "htmx", False):
        if status == 200:
            messages.success(request, announce)
            return redirect(grid_url(request, chain, the_period, organisation))
        # Show the whole grid with this cell's message, as the grid's own post would.
        whole = grid.build(chain, organisation, the_period)
        whole.cell(indicator.pk, unit.pk).form = form
        return render(request, "ambitions/entry_grid.html", _grid_context(request, whole, [form]), status=422)
    return _fragment(grid_rows.one_row(chain.slug, cell, form), announce, status)


def _fragment(row: str, announce: str, status: int) -> HttpResponse:
    """A row for htmx, with what the page's live region says about it (swapped out of band)."""
    oob = format_html('<template><div id="entry-announcer" hx-swap-oob="innerHTML">{}</div></template>', announce)
    return HttpResponse(row + oob, status=status)


def _save_one_cell(
    request: HttpRequest, chain: Chain, indicator: Indicator, unit: Unit, period: Period
) -> tuple[grid.GridCell | None, CellForm | None, int, str]:
    """Read the cell under its roll-up lock and save it there: one read serves the checks, the
    write and the page (saving a cell is the portal's most frequent write). Returns the cell
    (None when the grid has no such cell), its form to show, the status and what to announce."""
    # No savepoint: every refusal is caught inside the block, and anything else fails the request.
    with aggregates.locked_rollups([(indicator.pk, period.start)], savepoint=False) as touched:
        the_grid = grid.build(chain, unit.organisation, period, indicators=[indicator], unit=unit, for_update=True)
        cell = the_grid.cell(indicator.pk, unit.pk)
        if cell is None:
            return None, None, 0, ""
        form = CellForm(request.POST, cell=cell)
        status = 422
        if form.resolve == RESOLVE_THEIRS:
            form, status = CellForm(cell=cell), 200
            announce = _("%(unit)s, %(indicator)s: the saved value is shown again.")
        elif not form.is_valid():
            announce = _("%(unit)s, %(indicator)s: not saved, see the message at the cell.")
        else:
            try:
                figure = write_cell(request.user, cell.context(), cell.figure, form.cell_input(), touched)
            except CellRefused as refused:
                form.refuse(refused.errors)
                announce = _("%(unit)s, %(indicator)s: not saved, see the message at the cell.")
            except CellConflict as conflict:
                if _same_as_saved(form, conflict.current):
                    cell.figure = conflict.current
                    form, status = CellForm(cell=cell), 200
                    form.saved = True
                    announce = _("%(unit)s, %(indicator)s: saved.")
                else:
                    form.in_conflict(conflict.current)
                    announce = _(
                        "%(unit)s, %(indicator)s: someone else saved this cell meanwhile; choose which value to keep."
                    )
            else:
                cell.figure = figure
                form, status = CellForm(cell=cell), 200
                form.saved = True
                announce = _("%(unit)s, %(indicator)s: saved.")
    return cell, form, status, announce % {"unit": unit, "indicator": indicator}


def _refused_outside_grid(
    request: HttpRequest, chain: Chain, period: Period, indicator: Indicator, unit: Unit
) -> HttpResponse:
    """A cell the grid does not have (the unit does not report the indicator, or there is no
    adopted definition for the period): save_cell gives the reason, nothing is saved."""
    data = request.POST
    prefix = f"cell-{indicator.pk}-{unit.pk}"
    attempt = CellInput(
        value=data.get(f"{prefix}-value", ""),
        numerator=data.get(f"{prefix}-numerator", ""),
        denominator=data.get(f"{prefix}-denominator", ""),
        comment=data.get(f"{prefix}-comment", ""),
        revision=0,
    )
    try:
        save_cell(request.user, indicator, unit, period, attempt)
    except CellRefused as refused:
        message = " ".join(refused.errors.values())
    except CellConflict:
        message = _("Someone else saved this cell meanwhile.")
    else:  # pragma: no cover - the grid has every cell save_cell accepts
        message = _("Saved.")
    if not getattr(request, "htmx", False):
        messages.error(request, message)
        return redirect(grid_url(request, chain, period, unit.organisation))
    return _fragment(grid_rows.refused_row(prefix, message), message, 422)


# --- A cell's history ----------------------------------------------------------------------------


def figure_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every saved state of one cell: when, who, value and comment; all members may read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    figure = get_object_or_404(
        Figure.objects.select_related("indicator", "unit", "organisation", "version"),
        pk=pk,
        indicator__ambition__chain=chain,
    )
    changes = list(figure.changes.select_related("changed_by").order_by("-revision"))
    for change in changes:
        change.shown = grid.shown_state(change, figure.version)
    period = Period(figure.period, figure.version.frequency)
    may_enter = allows(request.user, Action.ENTER_FIGURES, chain, figure.organisation)
    return render(
        request,
        "ambitions/entry_history.html",
        {
            "chain": chain,
            "figure": figure,
            "period": period,
            "changes": changes,
            "grid_url": grid_url(request, chain, period, figure.organisation) if may_enter else "",
        },
    )


routes = [
    path("invoer/", entry_index, name="entry_index"),
    path("invoer/<str:period>/", entry_grid, name="entry_grid"),
    path("invoer/<str:period>/cel/", entry_cell, name="entry_cell"),
    path("cellen/<int:pk>/geschiedenis/", figure_history, name="figure_history"),
]
