"""A meeting's attendance and minutes: recording attendance (with the quorum), the minutes per
agenda item, the chair's approval, reopening with a reason, and the minutes as PDF.

Who runs the meeting (governance.policy.may_run_meetings) records attendance and minutes; the
chair or vice-chair (may_approve_minutes) approves and reopens. Once approved, the minutes are
locked: these pages answer with a page that says so (409), and the models refuse any write behind
them (the admin's and the API's too).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import policy
from governance.forms.agenda import AttendanceForm, MinutesForm, ReopenForm
from governance.services import agenda as agenda_service
from governance.services import attendance, minutes
from governance.services.agenda import MeetingClosed
from governance.views.meeting_parts import closed, find_item, find_meeting, for_change, meeting_url, pdf_response
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import history_for


def attendance_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Present, absent with notice, absent or represented by the alternate, per representing member."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    try:
        minutes.check_minutes_open(meeting)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    sheet = attendance.sheet(meeting)
    form = AttendanceForm(request.POST or None, meeting=meeting, lines=sheet.lines, token=sheet.token)
    if request.method == "POST" and form.is_valid():
        try:
            attendance.record(meeting, form.statuses(), form.cleaned_data["recorded"])
        except MeetingClosed as refusal:
            return closed(request, chain, meeting, refusal)
        messages.success(request, _("The attendance has been recorded."))
        return redirect_after_save(request, meeting_url(meeting, "attendance"))
    context = {"chain": chain, "meeting": meeting, "form": form, "sheet": sheet}
    return render_form_page(request, "governance/agenda/attendance_form.html", context, form)


def minutes_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One item's minutes; a concurrent save by someone else is shown as a conflict, never overwritten."""
    chain, item = find_item(request, slug, pk)
    meeting = item.meeting
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    meeting = for_change(request, meeting)
    try:
        minutes.check_minutes_open(meeting)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    form = MinutesForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The minutes of “%(title)s” have been saved.") % {"title": item.title})
        return redirect_after_save(request, meeting_url(meeting, "minutes"))
    context = {"chain": chain, "meeting": meeting, "item": item, "form": form, "history": history_for(item)}
    return render_form_page(request, "governance/agenda/minutes_form.html", context, form)


@require_POST
def minutes_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The chair approves the minutes of a held meeting; they are locked from then on."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_approve_minutes(request.user, meeting.body), meeting.body)
    try:
        minutes.approve(meeting, by=request.user)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    messages.success(request, _("The minutes have been approved and are now locked."))
    return redirect_after_save(request, meeting_url(meeting, "minutes"))


def minutes_reopen(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Approved minutes opened again, with a reason that stays on the record."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_approve_minutes(request.user, meeting.body), meeting.body)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            minutes.reopen(meeting, form.cleaned_data["reason"], by=request.user)
        except MeetingClosed as refusal:
            return closed(request, chain, meeting, refusal)
        messages.success(
            request, _("The minutes have been reopened; the chair approves them again when they are ready.")
        )
        return redirect_after_save(request, meeting_url(meeting, "minutes"))
    context = {"chain": chain, "meeting": meeting, "form": form}
    return render_form_page(request, "governance/agenda/minutes_reopen.html", context, form)


def minutes_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The minutes (attendance, quorum, notes per item, decisions taken, actions agreed) as PDF."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_view(request.user, meeting.body), meeting.body)
    items = list(agenda_service.items_of(meeting, with_minutes=True))
    context = {
        "agenda": agenda_service.build(meeting, items),
        "sheet": attendance.sheet(meeting),
        "reopenings": list(meeting.reopenings.select_related("by")),
        "approved_by": meeting.minutes_approved_by,
    }
    return pdf_response(request, chain, meeting, "governance/agenda/minutes_pdf.html", context, "notulen")


routes = [
    path("vergaderingen/<int:pk>/aanwezigheid/", attendance_edit, name="attendance_edit"),
    path("vergaderingen/<int:pk>/notulen/vaststellen/", minutes_approve, name="minutes_approve"),
    path("vergaderingen/<int:pk>/notulen/heropenen/", minutes_reopen, name="minutes_reopen"),
    path("vergaderingen/<int:pk>/notulen.pdf", minutes_pdf, name="minutes_pdf"),
    path("agendapunten/<int:pk>/notulen/", minutes_edit, name="minutes_edit"),
]
