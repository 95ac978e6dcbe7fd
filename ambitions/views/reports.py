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
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import formats
from django.utils.translation import gettext as _

from ambitions.forms.reports import CommentaryForm, DraftForm
from ambitions.models import ProgressReport, ReportStatus
from ambitions.periods import Period
from ambitions.services import reports
from ambitions.services.display import STATUS_MARKS, NumberFormat, change_text, status_labels
from ambitions.services.reports import ReportRefused
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.models import Chain
from stakeholders.permissions import Action, allows, get_chain_or_404, require

# --- Presenting the snapshot ---------------------------------------------------------------------


@dataclass
class Row:
    """One indicator, or one organisation's or unit's part of it, ready to show."""

    name: str
    value: str
    target: str = ""
    status: str = "no_data"
    status_label: str = ""
    mark: str = ""
    change: str = ""
    forecast: str = ""
    reported: str = ""
    commentary: str = ""
    period_label: str = ""
    indicator_id: int | None = None
    indicator_name: str = ""  # for a unit in the off-track list
    in_progress: str = ""  # a later period still coming in (progress.standing)
    organisation_rows: list[Row] = field(default_factory=list)
    unit_rows: list[Row] = field(default_factory=list)


@dataclass
class Block:
    id: int
    statement: str
    horizon: date
    commentary: str
    rows: list[Row]


@dataclass
class Presented:
    period_label: str
    blocks: list[Block]
    partners: list[dict]
    off_track: list[Row]
    organisation: dict | None  # the partner of the per-partner variant


def _number(fmt: NumberFormat, text: str | None, entry: dict) -> str:
    return fmt.with_unit(None if text is None else Decimal(text), SimpleNamespace(**_shape(entry)))


def _shape(entry: dict) -> dict:
    return {"decimals": entry.get("decimals", 0), "unit_label": entry.get("unit_label", "")}


def present(report: ProgressReport, organisation_id: int | None = None) -> Presented:
    snapshot = report.snapshot
    fmt = NumberFormat()
    labels = status_labels()
    ambition_notes, indicator_notes = reports.commentary_of(report)
    organisation = None
    if organisation_id is not None:
        organisation = next((p for p in snapshot.get("partners", []) if p["id"] == organisation_id), None)
        if organisation is None:
            raise Http404

    def status_row(name: str, entry: dict, value: str | None, status: str, target: str | None = None) -> Row:
        return Row(
            name=name,
            value=_number(fmt, value, entry),
            target=_number(fmt, target, entry) if target is not None else "",
            status=status,
            status_label=labels[status],
            mark=STATUS_MARKS[status],
        )

    blocks = []
    for ambition in snapshot.get("ambitions", []):
        rows = []
        for entry in ambition["indicators"]:
            row = status_row(entry["name"], entry, entry.get("value"), entry.get("status", "no_data"))
            row.indicator_id = entry["id"]
            row.commentary = indicator_notes.get(entry["id"], "")
            if entry.get("in_progress"):
                coming = entry["in_progress"]
                row.in_progress = _(
                    "In progress: %(period)s, so far %(value)s (%(reported)s of %(count)s units; deadline %(deadline)s)"
                ) % {
                    "period": Period.from_slug(coming["period"]).label(),
                    "value": _number(fmt, coming["value"], entry),
                    "reported": coming["reported"],
                    "count": coming["expected"],
                    "deadline": formats.date_format(date.fromisoformat(coming["deadline"]), "j F Y"),
                }
            if "period" in entry:
                row.period_label = Period.from_slug(entry["period"]).label()
                row.target = _number(fmt, entry.get("target"), entry)
                if entry.get("change") is not None:
                    row.change = change_text(
                        fmt,
                        Decimal(entry["change"]),
                        SimpleNamespace(**_shape(entry)),
                        entry.get("improving"),
                        entry.get("change_is_provisional", False),
                    )
                if entry.get("forecast"):
                    row.forecast = _("At this pace: %(value)s by %(period)s") % {
                        "value": _number(fmt, entry["forecast"]["value"], entry),
                        "period": Period.from_slug(entry["forecast"]["period"]).label(),
                    }
                row.reported = _("%(reported)s of %(expected)s units") % {
                    "reported": entry.get("reported", 0),
                    "expected": entry.get("expected", 0),
                }
                if organisation is not None:
                    row.organisation_rows = [
                        status_row(o["name"], entry, o["value"], o["status"])
                        for o in entry.get("organisations", [])
                        if o["id"] == organisation_id
                    ]
                    row.unit_rows = [
                        status_row(u["name"], entry, u["value"], u["status"], u.get("target"))
                        for u in entry.get("units", [])
                        if u["organisation"] == organisation_id
                    ]
            rows.append(row)
        blocks.append(
            Block(
                id=ambition["id"],
                statement=ambition["statement"],
                horizon=date.fromisoformat(ambition["horizon"]),
                commentary=ambition_notes.get(ambition["id"], ""),
                rows=rows,
            )
        )
    partners = []
    for partner in snapshot.get("partners", []):
        reported, expected, late = partner["reported"], partner["expected"], partner["late"]
        partners.append(
            {
                **partner,
                "completeness": f"{round(100 * reported / expected)}%" if expected else "—",
                "timeliness": f"{round(100 * (reported - late) / reported)}%" if reported else "—",
                "is_variant": partner["id"] == organisation_id,
            }
        )
    off_track = []
    for unit in snapshot.get("off_track", []):
        row = status_row(unit["name"], unit, unit["value"], unit["status"])
        row.target = _number(fmt, unit.get("target"), unit)
        row.indicator_name = unit["indicator_name"]
        off_track.append(row)
    return Presented(
        period_label=report.period_obj.label(),
        blocks=blocks,
        partners=partners,
        off_track=off_track,
        organisation=organisation,
    )


# --- Helpers ---------------------------------------------------------------------------------------


def _report(chain: Chain, pk: int) -> ProgressReport:
    report = get_object_or_404(ProgressReport, chain=chain, pk=pk)
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
    return {
        "chain": chain,
        "report": report,
        "presented": present(report, organisation_id),
        "can_manage": allows(request.user, Action.MANAGE_REPORTS, chain),
        "latest_revision": reports.latest_revision(report),
        "organisation_query": f"?organisatie={organisation_id}" if organisation_id else "",
    }


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
    return render(request, "ambitions/report_detail.html", _context(request, chain, report))


def report_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The same content as the page, as a PDF (WeasyPrint)."""
    from weasyprint import CSS, HTML  # heavy: only when a PDF is asked for

    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    report = _report(chain, pk)
    html = render_to_string("ambitions/report_pdf.html", _context(request, chain, report), request=request)
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
