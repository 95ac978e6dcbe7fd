"""What the agenda and minutes views share: finding a meeting or an agenda item inside the URL's
chain, the refusal page of a meeting that no longer changes, a section of the meeting page for
htmx, and a PDF in the chain's house style (colour and logo, as the progress reports' PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_htmx.http import HttpResponseClientRedirect

from governance.models import AgendaItem, Meeting
from governance.services.agenda import MeetingClosed, lock_meeting
from stakeholders.branding import logo_data_url
from stakeholders.models import Chain
from stakeholders.permissions import get_chain_or_404


def find_meeting(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, Meeting]:
    """The chain (404 when the user cannot see it) and its meeting ``pk`` (404 in another chain)."""
    chain = get_chain_or_404(request.user, slug)
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).filter(body__chain=chain).select_related("body"), pk=pk
    )
    meeting.body.chain = chain
    return chain, meeting


def find_item(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, AgendaItem]:
    """The chain and its agenda item ``pk`` with its meeting (404 in another chain)."""
    chain = get_chain_or_404(request.user, slug)
    items = AgendaItem.objects.filter(meeting__in=Meeting.objects.visible_to(request.user).filter(body__chain=chain))
    item = get_object_or_404(items.select_related("meeting__body"), pk=pk)
    item.meeting.body.chain = chain
    return chain, item


def for_change(request: HttpRequest, meeting: Meeting) -> Meeting:
    """For a POST, the meeting re-read under its row lock (held by the request's transaction), so
    the chair's approval and a change to its items never pass each other: whichever comes second
    sees the other's outcome. A GET changes nothing and takes no lock."""
    if request.method != "POST":
        return meeting
    locked = lock_meeting(meeting)
    locked.body.chain = meeting.body.chain
    return locked


def meeting_url(meeting: Meeting, section: str = "") -> str:
    """The meeting page, at one of its sections (agenda, attendance, minutes)."""
    url = reverse("governance:meeting_detail", args=[meeting.body.chain.slug, meeting.pk])
    return f"{url}#{section}" if section else url


def closed(request: HttpRequest, chain: Chain, meeting: Meeting, refusal: MeetingClosed) -> HttpResponse:
    """The meeting no longer allows the change: a page that says why (409); nothing changed."""
    if getattr(request, "htmx", False) and request.method == "POST":
        # htmx does not swap a 409 in: the meeting page, with the reason as a message.
        messages.error(request, refusal.message)
        return HttpResponseClientRedirect(meeting_url(meeting))
    context = {"chain": chain, "meeting": meeting, "message": refusal.message}
    return render(request, "governance/agenda/closed.html", context, status=409)


def refresh_section(request: HttpRequest, meeting: Meeting, section: str) -> HttpResponse:
    """One section of the meeting page (its fragment), for an htmx swap."""
    fresh = Meeting.objects.select_related("body").get(pk=meeting.pk)
    fresh.body.chain = meeting.body.chain
    context = {"chain": meeting.body.chain, "meeting": fresh}
    return render(request, f"governance/meetings/_{section}.html", context)


# The chain's logo for a PDF (agreements and newsletters import it from here too).
_logo = logo_data_url


def pdf_response(
    request: HttpRequest, chain: Chain, meeting: Meeting, template: str, context: dict, name: str
) -> HttpResponse:
    """``template`` as a PDF download, named after the body and the meeting's day."""
    from weasyprint import CSS, HTML  # heavy: only when a PDF is asked for

    context = {"chain": chain, "meeting": meeting, "logo": _logo(chain), **context}
    html = render_to_string(template, context, request=request)
    stylesheet = CSS(filename=finders.find("css/report-pdf.css"))
    pdf = HTML(string=html).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{slugify(meeting.body.name)}-{day}.pdf"'
    return response
