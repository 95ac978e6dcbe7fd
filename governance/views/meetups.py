"""Relationship events (ontmoetingen) under /ketens/<slug>/ontmoetingen/: the list (upcoming and
past, whose turn it is to host and who hosted before), a meetup's page with the answers and the
report, answering (yes, maybe, no; changed at will), the .ics download, the photo; planning,
changing and reporting (the programme manager's: Action.MANAGE_MEETUPS).

Every member reads the pages and answers for themselves. Mounted by ketenportaal/urls.py under its
own namespace ``governance-meetups`` (its address is not under /overleg/). Rules:
governance/services/meetups.py; the photo's: governance/services/photos.py.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.forms.meetups import MeetupForm, ReportForm, RsvpForm
from governance.models.meetups import Meetup, MeetupKind, MeetupRsvp, RsvpAnswer
from governance.services import meetups as services
from ketenportaal.htmx import redirect_after_save, render_form_page
from ketenportaal.links import site_url
from stakeholders.models import Chain
from stakeholders.permissions import Action, allows, get_chain_or_404, require

TEMPLATES = "governance/meetups/"
PAST_PER_PAGE = 20
ICS = "text/calendar; charset=utf-8"


def _meetup(request: HttpRequest, slug: str, pk: int, action: Action = Action.VIEW) -> tuple[Chain, Meetup]:
    """The chain (404 when not visible, 403 when the action is not allowed: checked before the
    meetup is looked up), then the meetup of that chain (404 otherwise)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, action, chain)
    meetup = get_object_or_404(Meetup.objects.filter(chain=chain).select_related("host__organisation"), pk=pk)
    meetup.chain = chain
    return chain, meetup


def _detail_url(chain: Chain, meetup: Meetup) -> str:
    return reverse("governance-meetups:meetup_detail", args=[chain.slug, meetup.pk])


def meetup_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Upcoming meetups (soonest first) with the counts and my answer, whose turn it is to host and
    who hosted before, then the past ones (latest first, by page)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    now = timezone.now()
    upcoming = list(services.with_counts(Meetup.objects.upcoming(chain, now)))
    past = Paginator(services.with_counts(Meetup.objects.past(chain, now)), PAST_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    mine = dict(
        MeetupRsvp.objects.filter(person=request.user, meetup__in=[m.pk for m in upcoming]).values_list(
            "meetup_id", "answer"
        )
    )
    for meetup in upcoming:
        meetup.my_answer = RsvpAnswer(mine[meetup.pk]).label if meetup.pk in mine else ""
    context = {
        "chain": chain,
        "upcoming": upcoming,
        "past": past,
        "turns": services.turns(chain),
        "can_manage": allows(request.user, Action.MANAGE_MEETUPS, chain),
    }
    return render(request, f"{TEMPLATES}meetup_list.html", context)


def _story_url(request: HttpRequest, chain: Chain, meetup: Meetup) -> str | None:
    """The success-story form (views/stories.py) with the report as its title and body, for whoever
    may write stories (Action.WRITE_STORIES)."""
    if not meetup.report or not allows(request.user, Action.WRITE_STORIES, chain):
        return None
    url = reverse("governance-stories:story_create", args=[chain.slug])
    return f"{url}?{urlencode(services.story_initial(meetup))}"


def _detail_context(request: HttpRequest, chain: Chain, meetup: Meetup, form: RsvpForm | None = None) -> dict:
    now = timezone.now()
    answer = services.answer_of(meetup, request.user)
    counted = services.with_counts(Meetup.objects.filter(pk=meetup.pk)).values("yes", "maybe", "no").get()
    return {
        "chain": chain,
        "meetup": meetup,
        "counts": counted,
        "attendees": services.attendees(meetup),
        "answer": answer,
        "rsvp_form": form or RsvpForm(initial={"answer": answer or None}),
        "is_over": meetup.is_over(now),
        "has_started": meetup.has_started(now),
        "can_manage": allows(request.user, Action.MANAGE_MEETUPS, chain),
        "story_url": _story_url(request, chain, meetup),
    }


def meetup_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, meetup = _meetup(request, slug, pk)
    return render(request, f"{TEMPLATES}meetup_detail.html", _detail_context(request, chain, meetup))


def _form_page(request: HttpRequest, chain: Chain, meetup: Meetup | None, form: MeetupForm) -> HttpResponse:
    context = {"chain": chain, "meetup": meetup, "form": form, "turns": services.turns(chain)}
    return render_form_page(request, f"{TEMPLATES}meetup_form.html", context, form)


def meetup_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Plan a meetup; the host proposed is the partner whose turn it is."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_MEETUPS, chain)
    meetup = Meetup(chain=chain, created_by=request.user)
    turns = services.turns(chain)
    form = MeetupForm(
        request.POST or None,
        instance=meetup,
        chain=chain,
        initial={"host": turns.next_host, "kind": MeetupKind.BORREL},
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("The meetup is planned. Members can now say whether they come."))
        return redirect_after_save(request, _detail_url(chain, meetup))
    return _form_page(request, chain, None, form)


@transaction.atomic  # the version check locks the row until the save (ketenportaal/concurrency.py)
def meetup_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, meetup = _meetup(request, slug, pk, Action.MANAGE_MEETUPS)
    form = MeetupForm(request.POST or None, instance=meetup, chain=chain)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The meetup is changed."))
        return redirect_after_save(request, _detail_url(chain, meetup))
    return _form_page(request, chain, meetup, form)


def meetup_rsvp(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """My answer: yes, maybe or no, changed as often as I like until the meetup is over. With htmx
    the answer part of the meetup's page comes back; without, the page itself (post/redirect/get)."""
    chain, meetup = _meetup(request, slug, pk)
    form = RsvpForm(request.POST or None, initial={"answer": services.answer_of(meetup, request.user) or None})
    over = meetup.is_over(timezone.now())
    if request.method == "POST":
        if over:
            form.add_error(None, _("This meetup is over: answers can no longer change."))
        elif form.is_valid():
            services.answer(meetup, request.user, form.cleaned_data["answer"])
            if getattr(request, "htmx", False):
                return render(request, f"{TEMPLATES}meetup_detail.html#rsvp", _detail_context(request, chain, meetup))
            messages.success(request, _("Your answer is saved."))
            return redirect_after_save(request, _detail_url(chain, meetup))
        if getattr(request, "htmx", False):
            context = _detail_context(request, chain, meetup, form)
            return render(request, f"{TEMPLATES}meetup_detail.html#rsvp", context, status=422)
    context = {"chain": chain, "meetup": meetup, "form": form, "is_over": over}
    return render(request, f"{TEMPLATES}meetup_rsvp.html", context, status=422 if form.errors else 200)


@require_GET
def meetup_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The meetup as an .ics file (METHOD:PUBLISH), for every member of the chain."""
    chain, meetup = _meetup(request, slug, pk)
    page_url = site_url(request) + _detail_url(chain, meetup)
    response = HttpResponse(services.ics_file(meetup, page_url), content_type=ICS)
    day = timezone.localtime(meetup.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ontmoeting-{slugify(meetup.title)[:60]}-{day}.ics"'
    return response


@transaction.atomic  # the version check locks the row until the save
def meetup_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The short report afterwards, with an optional photo (once the meetup has begun)."""
    chain, meetup = _meetup(request, slug, pk, Action.MANAGE_MEETUPS)
    if not meetup.has_started(timezone.now()):
        context = {"chain": chain, "meetup": meetup, "form": None}
        return render(
            request, f"{TEMPLATES}meetup_report.html", context, status=422 if request.method == "POST" else 200
        )
    old_photo = meetup.report_photo.name
    form = ReportForm(request.POST or None, request.FILES or None, instance=meetup)
    if request.method == "POST" and form.is_valid():
        meetup.reported_at = meetup.reported_at or timezone.now()
        form.save()
        if old_photo and old_photo != meetup.report_photo.name:
            # A replaced or removed photo leaves storage too (once the new state is committed).
            storage, name = meetup.report_photo.storage, old_photo
            transaction.on_commit(lambda: storage.delete(name))
        messages.success(request, _("The report is saved."))
        return redirect_after_save(request, _detail_url(chain, meetup))
    context = {"chain": chain, "meetup": meetup, "form": form}
    return render_form_page(request, f"{TEMPLATES}meetup_report.html", context, form)


@require_GET
def meetup_photo(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The report's photo, read through the storage API, for members of the chain only."""
    chain, meetup = _meetup(request, slug, pk)
    if not meetup.report_photo:
        raise Http404
    try:
        opened = meetup.report_photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(meetup.report_photo.name)[0] or "application/octet-stream"
    response = FileResponse(opened, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


routes = [
    path("", meetup_list, name="meetup_list"),
    path("nieuw/", meetup_create, name="meetup_create"),
    path("<int:pk>/", meetup_detail, name="meetup_detail"),
    path("<int:pk>/wijzigen/", meetup_edit, name="meetup_edit"),
    path("<int:pk>/aanmelden/", meetup_rsvp, name="meetup_rsvp"),
    path("<int:pk>/verslag/", meetup_report, name="meetup_report"),
    path("<int:pk>/ontmoeting.ics", meetup_ics, name="meetup_ics"),
    path("<int:pk>/foto/", meetup_photo, name="meetup_photo"),
]
