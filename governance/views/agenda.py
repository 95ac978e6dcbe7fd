"""A meeting's agenda: adding, editing, moving and removing items, the suggested items with their
one-click answers, and the agenda as PDF. Attendance and minutes are in views/minutes.py.

Who: the body's chair, vice-chair and secretary and the chain's programme managers
(governance.policy.may_run_meetings); every member of the chain reads the agenda and its PDF. A
meeting or item is looked up inside the URL's chain only, so another chain's id is not found
(404); a meeting whose agenda no longer changes (minutes approved, cancelled) answers with a page
that says so (409), and nothing changes.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import policy
from governance.forms.agenda import AgendaItemForm
from governance.services import agenda as agenda_service
from governance.services import suggestions
from governance.services.agenda import MeetingClosed
from governance.views.meeting_parts import (
    closed,
    find_item,
    find_meeting,
    for_change,
    meeting_url,
    pdf_response,
    refresh_section,
)
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import history_for


def agenda_item_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new item, last on the agenda."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    try:
        agenda_service.check_agenda_open(meeting)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    form = AgendaItemForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_service.add(meeting, form.save(commit=False))
        except MeetingClosed as refusal:
            return closed(request, chain, meeting, refusal)
        messages.success(request, _("The item has been added to the agenda."))
        return redirect_after_save(request, meeting_url(meeting, "agenda"))
    context = {"chain": chain, "meeting": meeting, "form": form, "item": None}
    return render_form_page(request, "governance/agenda/item_form.html", context, form)


def agenda_item_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, item = find_item(request, slug, pk)
    meeting = item.meeting
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    meeting = for_change(request, meeting)
    try:
        agenda_service.check_agenda_open(meeting)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    form = AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        form.save()
        agenda_service.after_linking(form.instance)
        messages.success(request, _("The agenda item has been saved."))
        return redirect_after_save(request, meeting_url(meeting, "agenda"))
    context = {"chain": chain, "meeting": meeting, "form": form, "item": item, "history": history_for(item)}
    return render_form_page(request, "governance/agenda/item_form.html", context, form)


@require_POST
def agenda_item_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One place up (``direction=up``) or down; htmx gets the agenda section back."""
    chain, item = find_item(request, slug, pk)
    meeting = item.meeting
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    try:
        agenda_service.move(item, up=request.POST.get("direction") == "up")
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    if getattr(request, "htmx", False):
        return refresh_section(request, meeting, "agenda")
    return redirect(meeting_url(meeting, "agenda"))


@require_POST
def agenda_item_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, item = find_item(request, slug, pk)
    meeting = item.meeting
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    try:
        agenda_service.remove(item)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    messages.success(request, _("“%(title)s” has been removed from the agenda.") % {"title": item.title})
    return redirect_after_save(request, meeting_url(meeting, "agenda"))


# --- Suggestions -------------------------------------------------------------------------------


def agenda_suggestions(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """What the portal suggests for the agenda, each with accept and dismiss."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    try:
        agenda_service.check_agenda_open(meeting)
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    context = {
        "chain": chain,
        "meeting": meeting,
        "suggestions": suggestions.compute(meeting),
        "on_agenda": meeting.agenda_items.count(),
    }
    return render(request, "governance/agenda/suggestions.html", context)


def _answer(request: HttpRequest, slug: str, pk: int, accept: bool) -> HttpResponse:
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    key = request.POST.get("key", "")[:100]
    try:
        if accept:
            item = suggestions.accept(meeting, key, by=request.user)
            messages.success(request, _("“%(title)s” has been added to the agenda.") % {"title": item.title})
        else:
            suggestions.dismiss(meeting, key, by=request.user)
            messages.success(request, _("The suggestion has been dismissed."))
    except MeetingClosed as refusal:
        return closed(request, chain, meeting, refusal)
    except suggestions.SuggestionGone:
        messages.error(request, _("That suggestion is no longer open: it was answered already or no longer applies."))
    return redirect_after_save(request, reverse("governance:agenda_suggestions", args=[chain.slug, meeting.pk]))


@require_POST
def suggestion_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Put a suggestion on the agenda (POST ``key``)."""
    return _answer(request, slug, pk, accept=True)


@require_POST
def suggestion_dismiss(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Leave a suggestion off this meeting's agenda (POST ``key``)."""
    return _answer(request, slug, pk, accept=False)


# --- PDF ---------------------------------------------------------------------------------------


def agenda_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The agenda in the chain's house style, for every member of the chain."""
    chain, meeting = find_meeting(request, slug, pk)
    policy.require(request.user, policy.may_view(request.user, meeting.body), meeting.body)
    context = {"agenda": agenda_service.build(meeting)}
    return pdf_response(request, chain, meeting, "governance/agenda/agenda_pdf.html", context, "agenda")


routes = [
    path("vergaderingen/<int:pk>/agenda/nieuw/", agenda_item_create, name="agenda_item_create"),
    path("vergaderingen/<int:pk>/agenda/suggesties/", agenda_suggestions, name="agenda_suggestions"),
    path("vergaderingen/<int:pk>/agenda/suggesties/overnemen/", suggestion_accept, name="suggestion_accept"),
    path("vergaderingen/<int:pk>/agenda/suggesties/afwijzen/", suggestion_dismiss, name="suggestion_dismiss"),
    path("vergaderingen/<int:pk>/agenda.pdf", agenda_pdf, name="agenda_pdf"),
    path("agendapunten/<int:pk>/bewerken/", agenda_item_edit, name="agenda_item_edit"),
    path("agendapunten/<int:pk>/verplaatsen/", agenda_item_move, name="agenda_item_move"),
    path("agendapunten/<int:pk>/verwijderen/", agenda_item_delete, name="agenda_item_delete"),
]
