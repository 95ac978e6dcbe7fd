"""A body's meetings: the list (upcoming and past), planning one meeting or a series, a meeting's
page, changing (moving) one meeting and its steps: announce, mark as held, cancel.

Who: every member of the chain reads; the body's chair, vice-chair and secretary and the chain's
programme managers plan and take the steps (governance.policy.may_run_meetings). A body or meeting
is looked up inside the URL's chain only, so another chain's id is not found (404). The steps are
POSTs with CSRF; a GET of a step's address leads to the meeting's page.

The meeting page includes the agenda, attendance and minutes sections of views/agenda.py and
views/minutes.py (``templates/governance/meetings/_agenda.html``, ``_attendance.html``,
``_minutes.html``); each needs ``meeting`` (with body and chain) and ``request``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance import policy
from governance.forms.meetings import MeetingEditForm, MeetingPlanForm
from governance.models import Body, Meeting, MeetingNotice, MeetingStatus, NoticeStatus
from governance.sections import BodySection, register_body_section
from governance.services import governance_revision, notices, series
from governance.services import meetings as meeting_service
from governance.services.meetings import MeetingRefused
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders import roster
from stakeholders.history import history_for
from stakeholders.models import Chain
from stakeholders.permissions import get_chain_or_404

PAST_PER_PAGE = 25
UPCOMING_ON_BODY_PAGE = 5


# --- Finding ------------------------------------------------------------------------------------


def _body(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, Body]:
    chain = get_chain_or_404(request.user, slug)
    body = get_object_or_404(Body.objects.visible_to(request.user).filter(chain=chain), pk=pk)
    body.chain = chain
    return chain, body


def _meeting(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, Meeting]:
    chain = get_chain_or_404(request.user, slug)
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user)
        .filter(body__chain=chain)
        .select_related("body", "host__organisation", "series"),
        pk=pk,
    )
    meeting.body.chain = chain
    return chain, meeting


def _meetings_of(body: Body):
    return Meeting.objects.filter(body=body).select_related("host__organisation", "series")


# --- The list -----------------------------------------------------------------------------------


def upcoming_meetings(body: Body, limit: int | None = None) -> list[Meeting]:
    """The body's meetings that have not ended, soonest first (cancelled ones too, marked)."""
    found = _meetings_of(body).filter(ends_at__gte=timezone.now()).order_by("starts_at")
    found = list(found[:limit] if limit else found)
    for meeting in found:
        meeting.body = body
    return found


def past_meetings(body: Body, page_number: str | None) -> Page:
    found = _meetings_of(body).filter(ends_at__lt=timezone.now()).order_by("-starts_at")
    page = Paginator(found, PAST_PER_PAGE).get_page(page_number)
    for meeting in page.object_list:
        meeting.body = body
    return page


def meeting_list(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A body's meetings: upcoming (all) and past (newest first, by page)."""
    chain, body = _body(request, slug, pk)
    policy.require(request.user, policy.may_view(request.user, body), body)
    return render(
        request,
        "governance/meetings/meeting_list.html",
        {
            "chain": chain,
            "body": body,
            "upcoming": upcoming_meetings(body),
            "past": past_meetings(body, request.GET.get("pagina")),
            "can_run": policy.may_run_meetings(request.user, body),
        },
    )


def _body_section(request: HttpRequest, body: Body) -> dict:
    """The body page's part: its next meetings."""
    return {"upcoming_meetings": upcoming_meetings(body, UPCOMING_ON_BODY_PAGE)}


register_body_section(BodySection("meetings", "governance/meetings/_body_meetings.html", 10, _body_section))


# --- Planning -----------------------------------------------------------------------------------


def _planned_message(planned: meeting_service.Planned) -> str:
    if planned.series is None:
        return _("The meeting has been planned as a draft. Announce it when the agenda is ready.")
    count = len(planned.meetings)
    text = ngettext(
        "%(count)d meeting of the series has been planned as a draft.",
        "The %(count)d meetings of the series have been planned as drafts.",
        count,
    ) % {"count": count}
    if planned.capped:
        last = date_format(timezone.localtime(planned.meetings[-1].starts_at), "DATE_FORMAT")
        text += " " + _(
            "A series has at most %(max)d meetings: it now ends on %(last)s. Plan a new series to continue after that."
        ) % {"max": len(planned.meetings), "last": last}
    return text


def meeting_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Plan one meeting or a series of the body."""
    chain, body = _body(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, body), body)
    if not body.is_active:
        messages.error(request, _("This body is no longer active: it plans no meetings."))
        return redirect("governance:meeting_list", chain.slug, body.pk)
    host = meeting_service.next_host(body)
    form = MeetingPlanForm(
        request.POST if request.method == "POST" else None,
        body=body,
        initial={"host": host.pk if host else None, "repeat": "", "interval": 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        planned = meeting_service.plan(
            meeting_service.MeetingPlan(
                body=body,
                starts_at=form.starts_at,
                ends_at=form.ends_at,
                place=data["place"],
                online_link=data["online_link"],
                host=data["host"],
                frequency=data["repeat"],
                interval=data["interval"] or 1,
                until=data["until"],
                count=data["count"],
            ),
            by=request.user,
        )
        (messages.warning if planned.capped else messages.success)(request, _planned_message(planned))
        if planned.series is None:
            return redirect_after_save(request, planned.meetings[0].get_absolute_url())
        return redirect_after_save(request, reverse("governance:meeting_list", args=[chain.slug, body.pk]))
    context = {"chain": chain, "body": body, "form": form, "max_meetings": series.MAX_MEETINGS}
    return render_form_page(request, "governance/meetings/meeting_create.html", context, form)


# --- A meeting's page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeSummary:
    kind: str
    sent: int
    failed: int
    waiting: int


def notice_summary(meeting: Meeting, recipient_count: int) -> NoticeSummary | None:
    """How far the mail the meeting calls for has gone out (for those who run the meeting)."""
    occasion = notices.due(meeting)
    if occasion is None:
        return None
    counts = MeetingNotice.objects.filter(meeting=meeting, kind=occasion.kind, sequence=occasion.sequence).aggregate(
        sent=Count("pk", filter=Q(status=NoticeStatus.SENT)), failed=Count("pk", filter=Q(status=NoticeStatus.FAILED))
    )
    waiting = max(recipient_count - counts["sent"] - counts["failed"], 0)
    return NoticeSummary(occasion.kind, counts["sent"], counts["failed"], waiting)


def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The meeting: when, where, who hosts, its state and steps, its agenda, attendance and minutes."""
    chain, meeting = _meeting(request, slug, pk)
    body = meeting.body
    policy.require(request.user, policy.may_view(request.user, body), body)
    can_run = policy.may_run_meetings(request.user, body)
    now = timezone.now()
    planned = meeting.status in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED)
    context = {
        "chain": chain,
        "body": body,
        "meeting": meeting,
        # The agenda, attendance, minutes and history are the same for every reader with the same
        # two rights, so they are kept rendered (ketenportaal/kept.py) under the chain's governance
        # revision and the roster revision; what they read is only read when they are built.
        "kept_tokens": [governance_revision.token(chain.pk), roster.token()],
        "can_approve": policy.may_approve_minutes(request.user, body),
        "can_run": can_run,
        "can_edit": can_run and planned,
        "can_announce": can_run and meeting.status == MeetingStatus.DRAFT and meeting.starts_at > now,
        "can_hold": can_run and planned and meeting.starts_at <= now,
        "can_cancel": can_run and planned,
        "notices": notice_summary(meeting, len(meeting_service.recipients(meeting))) if can_run else None,
        "series_words": series.in_words(meeting.series.frequency, meeting.series.interval, meeting.series.first_start)
        if meeting.series
        else "",
        "history": SimpleLazyObject(lambda: history_for(meeting, chain=chain)),
    }
    return render(request, "governance/meetings/meeting_detail.html", context)


def meeting_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Another date, time, place, link or host for one meeting; after announcing, everyone gets
    the change. A change saved by someone else meanwhile is shown, never overwritten."""
    chain, meeting = _meeting(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED):
        messages.error(
            request,
            _("Only a planned meeting can be changed; this one is %(status)s.")
            % {"status": meeting.get_status_display().lower()},
        )
        return redirect(meeting.get_absolute_url())
    form = MeetingEditForm(request.POST if request.method == "POST" else None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        was_announced = meeting.status == MeetingStatus.ANNOUNCED
        before = meeting.sequence
        try:
            saved = meeting_service.save_changes(form.save(commit=False), by=request.user)
        except MeetingRefused as refused:
            messages.error(request, refused.message)
            return redirect(meeting.get_absolute_url())
        if was_announced and saved.sequence != before:
            messages.success(request, _("The meeting has been changed; everyone invited gets the change by e-mail."))
        else:
            messages.success(request, _("The meeting has been changed."))
        return redirect_after_save(request, saved.get_absolute_url())
    context = {"chain": chain, "body": meeting.body, "meeting": meeting, "form": form}
    return render_form_page(request, "governance/meetings/meeting_edit.html", context, form)


# --- The steps ---------------------------------------------------------------------------------------


def _step(request: HttpRequest, slug: str, pk: int, step, done: str) -> HttpResponse:
    chain, meeting = _meeting(request, slug, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, meeting.body), meeting.body)
    if request.method != "POST":
        return redirect(meeting.get_absolute_url())
    try:
        step(meeting, by=request.user)
    except MeetingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect(meeting.get_absolute_url())


def meeting_announce(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST: draft → announced; every member and alternate is notified and e-mailed the invitation."""
    return _step(
        request,
        slug,
        pk,
        meeting_service.announce,
        _("The meeting has been announced. Every member and alternate gets the invitation by e-mail."),
    )


def meeting_hold(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST: the meeting has been held; the minutes can be completed and approved."""
    return _step(request, slug, pk, meeting_service.hold, _("The meeting has been marked as held."))


def meeting_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST: cancel the meeting; if it was announced, everyone invited gets a cancellation."""
    return _step(request, slug, pk, meeting_service.cancel, _("The meeting has been cancelled."))


routes = [
    path("gremia/<int:pk>/vergaderingen/", meeting_list, name="meeting_list"),
    path("gremia/<int:pk>/vergaderingen/plannen/", meeting_create, name="meeting_create"),
    path("vergaderingen/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("vergaderingen/<int:pk>/wijzigen/", meeting_edit, name="meeting_edit"),
    path("vergaderingen/<int:pk>/aankondigen/", meeting_announce, name="meeting_announce"),
    path("vergaderingen/<int:pk>/gehouden/", meeting_hold, name="meeting_hold"),
    path("vergaderingen/<int:pk>/annuleren/", meeting_cancel, name="meeting_cancel"),
]
