"""Progress reports: the list, a report as HTML and as PDF (also per partner), and the programme
manager's steps: draft on demand, regenerate, commentary, publish (see ambitions/services/reports.py).

Every member reads published and draft reports alike (drafts are marked); only programme managers
(and administrators) take the steps. The report pages read the frozen snapshot only: their query
count does not depend on the number of figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambitions.forms.reports import CommentaryForm, DraftForm
from ambitions.models import ProgressReport, ReportStatus
from ambitions.services import chain_map, data_revision, reports
from ambitions.services.display import NO_VALUE, STATUS_MARKS, ProgressText, Wording, show_progress
from ambitions.services.progress import Measure
from ambitions.services.report_schema import PartnerResult, SnapshotError
from ambitions.services.reports import ReportRefused
from ketenportaal import kept
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders import roster
from stakeholders.branding import logo_data_url
from stakeholders.models import Chain
from stakeholders.permissions import Action, allows, get_chain_or_404, require

# --- Presenting the snapshot ---------------------------------------------------------------------


@dataclass
class Part:
    """A partner's or unit's part of an indicator (or a unit furthest off track), ready to show."""

    name: str
    value: str
    target: str
    status: str
    status_label: str
    mark: str
    badge: str  # the status as display.status_badge shows it (safe HTML)
    indicator_name: str = ""  # for a unit in the off-track list


@dataclass
class Row:
    """One indicator: where it stands in the same words as the dashboard's tile (``shown``)."""

    indicator_id: int
    name: str
    shown: ProgressText
    commentary: str = ""
    reported_text: str = NO_VALUE  # "2 of 3 units" for the headline period
    in_progress_text: str = ""  # a later period still coming in, in one sentence
    organisation_rows: list[Part] = field(default_factory=list)
    unit_rows: list[Part] = field(default_factory=list)

    @property
    def unit_rows_html(self) -> SafeString:
        """The partner variant's unit rows (20 per indicator: a template loop cost more than the page)."""
        return mark_safe(  # noqa: S308 (texts escaped, the badge safe already)
            "\n".join(
                '<tr class="utrecht-table__row">'
                f'<th class="utrecht-table__header-cell" scope="row">{escape(u.name)}</th>'
                f'<td class="utrecht-table__cell">{escape(u.value)}</td>'
                f'<td class="utrecht-table__cell">{escape(u.target or NO_VALUE)}</td>'
                f'<td class="utrecht-table__cell">{u.badge}</td></tr>'
                for u in self.unit_rows
            )
        )


@dataclass
class Block:
    id: int
    statement: str
    horizon: date
    commentary: str
    rows: list[Row]


@dataclass
class PartnerRow:
    id: int
    name: str
    reported: int
    expected: int
    late: int
    completeness: str
    timeliness: str
    is_variant: bool  # the partner of the per-partner variant
    reported_text: str = ""  # "18 of 20, 2 late"


@dataclass
class Presented:
    period_label: str
    blocks: list[Block]
    partners: list[PartnerRow]
    off_track: list[Part]
    organisation: PartnerResult | None  # the partner of the per-partner variant


def present(report: ProgressReport, organisation_id: int | None = None) -> Presented:
    """The report's snapshot (of whatever stored version) as text in the reader's language.

    report_schema.SnapshotError when this version cannot read it; Http404 for a partner that is
    not in the report."""
    snapshot = reports.snapshot_of(report)
    words = Wording()
    fmt = words.fmt
    ambition_notes, indicator_notes = reports.commentary_of(report)
    organisation = None
    if organisation_id is not None:
        organisation = next((p for p in snapshot.partners if p.id == organisation_id), None)
        if organisation is None:
            raise Http404

    def part(name: str, measure: Measure, value: Decimal | None, status: str, target: Decimal | None) -> Part:
        shown_target = fmt.with_unit(target, measure) if target is not None else ""
        shown_value = fmt.with_unit(value, measure)
        badge = words.badges[status]
        return Part(name, shown_value, shown_target, status, words.labels[status], STATUS_MARKS[status], badge)

    units_text = _("%(reported)s of %(expected)s units")
    blocks = []
    for ambition in snapshot.ambitions:
        rows = []
        for indicator in ambition.indicators:
            row = Row(indicator.id, indicator.name, show_progress(indicator.progress, words))
            row.commentary = indicator_notes.get(indicator.id, "")
            shown = row.shown
            if shown.period_label:
                row.reported_text = units_text % {"reported": shown.reported, "expected": shown.expected}
            if shown.in_progress_period:
                row.in_progress_text = _in_progress(shown)
            measure = indicator.progress.measure
            if organisation is not None and measure is not None:
                row.organisation_rows = [
                    part(o.name, measure, o.value, o.status, None)
                    for o in indicator.organisations
                    if o.id == organisation_id
                ]
                row.unit_rows = [
                    part(u.name, measure, u.value, u.status, u.target)
                    for u in indicator.units
                    if u.organisation == organisation_id
                ]
            rows.append(row)
        notes = ambition_notes.get(ambition.id, "")
        blocks.append(Block(ambition.id, ambition.statement, ambition.horizon, notes, rows))
    off_track = []
    for unit in snapshot.off_track:
        measure = Measure(unit.unit_label, unit.decimals, "")
        off = part(unit.unit.name, measure, unit.unit.value, unit.unit.status, unit.unit.target)
        off.target = off.target or NO_VALUE
        off.indicator_name = unit.indicator_name
        off_track.append(off)
    of = _("%(reported)s of %(expected)s")
    return Presented(
        period_label=report.period_obj.label(),
        blocks=blocks,
        partners=[_partner_row(p, organisation_id, of) for p in snapshot.partners],
        off_track=off_track,
        organisation=organisation,
    )


def _in_progress(shown: ProgressText) -> str:
    return _("In progress: %(period)s, so far %(value)s (%(reported)s of %(count)s units; deadline %(deadline)s)") % {
        "period": shown.in_progress_period,
        "value": shown.in_progress_value,
        "reported": shown.in_progress_reported,
        "count": shown.in_progress_expected,
        "deadline": shown.in_progress_deadline,
    }


def _partner_row(partner: PartnerResult, organisation_id: int | None, of: str) -> PartnerRow:
    """``of``: "%(reported)s of %(expected)s", translated."""
    reported, expected, late = partner.reported, partner.expected, partner.late
    text = of % {"reported": reported, "expected": expected}
    if late:
        text += ", " + ngettext("%(counter)s late", "%(counter)s late", late) % {"counter": late}
    return PartnerRow(
        partner.id,
        partner.name,
        reported,
        expected,
        late,
        completeness=f"{round(100 * reported / expected)}%" if expected else NO_VALUE,
        timeliness=f"{round(100 * (reported - late) / reported)}%" if reported else NO_VALUE,
        is_variant=partner.id == organisation_id,
        reported_text=text,
    )


# --- Helpers ---------------------------------------------------------------------------------------


def _report(chain: Chain, pk: int) -> ProgressReport:
    # Without its snapshot, which reports.snapshot_of loads only when this process has not read it yet.
    report = get_object_or_404(ProgressReport.objects.defer("snapshot"), chain=chain, pk=pk)
    report.chain = chain
    return report


def _organisation_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("organisatie")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404 from exc


def _context(request: HttpRequest, chain: Chain, report: ProgressReport) -> dict:
    organisation_id = _organisation_id(request)

    def shown() -> tuple:
        presented = present(report, organisation_id)
        # The map's shape is today's; its figures are the report's own, frozen in the snapshot.
        frozen = {i.id: i.progress for a in reports.snapshot_of(report).ambitions for i in a.indicators}
        return presented, chain_map.build(chain, chain_map.steps_of(chain), frozen)

    # The same for every member: kept (ketenportaal/kept.py) under the chain's ambitions data other
    # than the live figures (the report's own row and commentary, the chain map, partners and units:
    # data_revision's structure token) and the roster; the revision in the key for a regenerated one.
    tokens = [data_revision.structure_token(chain.pk), roster.token()]
    parts = ["report-page:1", report.pk, report.revision, organisation_id or ""]
    presented, the_map = kept.fetch(parts, tokens, shown)
    return {
        "chain": chain,
        "report": report,
        "presented": presented,
        "chain_map": the_map,
        "can_manage": allows(request.user, Action.MANAGE_REPORTS, chain),
        "latest_revision": reports.latest_revision(report),
        "organisation_query": f"?organisatie={organisation_id}" if organisation_id else "",
    }


def _unreadable(request: HttpRequest, chain: Chain, report: ProgressReport, error: SnapshotError) -> HttpResponse:
    """A stored snapshot this version cannot show (made by a newer version): said so, never a 500.
    409: the report is there, but its stored state conflicts with this version of the portal."""
    context = {"chain": chain, "report": report, "message": error.message}
    return render(request, "ambitions/report_unreadable.html", context, status=409)


# --- Pages -----------------------------------------------------------------------------------------


def _reports_of(chain: Chain) -> list[ProgressReport]:
    """The chain's reports for its list, newest period and revision first (without their snapshots)."""
    found = list(ProgressReport.objects.filter(chain=chain).defer("snapshot").order_by("-period", "-revision"))
    for report in found:
        report.chain = chain
    return found


def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every report of the chain, newest period first, with all revisions; drafting for managers."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    can_manage = allows(request.user, Action.MANAGE_REPORTS, chain)
    form = DraftForm(chain=chain, today=reports.chain_today()) if can_manage else None
    return render(
        request,
        "ambitions/report_list.html",
        {"chain": chain, "reports": _reports_of(chain), "can_manage": can_manage, "form": form},
    )


def report_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """POST: draft the report of a period that has ended now (or find the one that exists)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_REPORTS, chain)
    if request.method != "POST":
        return redirect("ambitions:report_list", chain.slug)
    form = DraftForm(request.POST, chain=chain, today=reports.chain_today())
    if not form.is_valid():
        return render_form_page(
            request,
            "ambitions/report_list.html",
            {"chain": chain, "reports": _reports_of(chain), "can_manage": True, "form": form},
            form,
        )
    report, created = reports.draft_report(chain, form.cleaned_data["period"], by=request.user)
    if created:
        messages.success(request, _("The report has been drafted."))
    else:
        messages.info(request, _("This period already has a report; regenerate it to take in later figures."))
    return redirect_after_save(request, report.get_absolute_url())


def report_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The report as accessible HTML; ``?organisatie=<id>`` adds that partner beside the chain."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    report = _report(chain, pk)
    try:
        context = _context(request, chain, report)
    except SnapshotError as error:
        return _unreadable(request, chain, report, error)
    return render(request, "ambitions/report_detail.html", context)


def report_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The same content as the page, as a PDF (WeasyPrint)."""
    from weasyprint import CSS, HTML  # heavy: only when a PDF is asked for

    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    report = _report(chain, pk)
    try:
        context = _context(request, chain, report)
    except SnapshotError as error:
        return _unreadable(request, chain, report, error)
    context["logo"] = logo_data_url(chain)  # the brand band (templates/stakeholders/_pdf_brand.html)
    html = render_to_string("ambitions/report_pdf.html", context, request=request)
    stylesheet = CSS(filename=finders.find("css/report-pdf.css"))
    pdf = HTML(string=html).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(pdf, content_type="application/pdf")
    organisation_id = _organisation_id(request)
    variant = f"-{organisation_id}" if organisation_id else ""
    name = f"voortgangsrapportage-{chain.slug}-{report.period_obj.slug}-r{report.revision}{variant}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report_regenerate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST: a new revision with the figures as they are now; the old revision stays."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_REPORTS, chain)
    report = _report(chain, pk)
    if request.method != "POST":
        return redirect(report.get_absolute_url())
    new = reports.regenerate(report, by=request.user)
    new.chain = chain
    messages.success(request, _("Revision %(number)s has been drafted.") % {"number": new.revision})
    return redirect_after_save(request, new.get_absolute_url())


def report_commentary(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Commentary per ambition and indicator; only on a draft."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_REPORTS, chain)
    report = _report(chain, pk)
    if report.status == ReportStatus.PUBLISHED:
        messages.error(request, _("This report has been published; its commentary can no longer be changed."))
        return redirect(report.get_absolute_url())
    try:
        reports.snapshot_of(report)
    except SnapshotError as error:
        return _unreadable(request, chain, report, error)
    form = CommentaryForm(request.POST if request.method == "POST" else None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            reports.save_commentary(report, request.user, *form.texts())
        except ReportRefused as refused:
            messages.error(request, refused.message)
            return redirect(report.get_absolute_url())
        messages.success(request, _("The commentary has been saved."))
        return redirect_after_save(request, report.get_absolute_url())
    return render_form_page(
        request, "ambitions/report_commentary.html", {"chain": chain, "report": report, "form": form}, form
    )


def report_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST: publish the draft; every member of the chain is notified."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_REPORTS, chain)
    report = _report(chain, pk)
    if request.method != "POST":
        return redirect(report.get_absolute_url())
    try:
        reports.publish(report, by=request.user)
    except ReportRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The report has been published and every member of the chain notified."))
    return redirect(report.get_absolute_url())


routes = [
    path("rapportages/", report_list, name="report_list"),
    path("rapportages/opstellen/", report_draft, name="report_draft"),
    path("rapportages/<int:pk>/", report_detail, name="report_detail"),
    path("rapportages/<int:pk>/pdf/", report_pdf, name="report_pdf"),
    path("rapportages/<int:pk>/opnieuw/", report_regenerate, name="report_regenerate"),
    path("rapportages/<int:pk>/toelichting/", report_commentary, name="report_commentary"),
    path("rapportages/<int:pk>/publiceren/", report_publish, name="report_publish"),
]
