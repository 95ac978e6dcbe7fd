"""Success stories (succesverhalen), under /ketens/<slug>/verhalen/: the list, a story's page,
writing and editing one, its photo, and a partner lead's one-click approval.

Rules (who reads, writes, edits, approves; what an edit does to approvals): governance/services/stories.py.
``?title=…&body=…`` (and ``?indicator=<pk>``) fill in a new story's form: a meetup's report offers
"make it a success story" that way. Mounted by ketenportaal/urls.py under its own namespace
``governance-stories`` (its address is not under /overleg/).
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ambitions.models import Indicator
from governance.forms.stories import StoryForm
from governance.models.stories import Story, StoryApproval
from governance.services import stories as rules
from ketenportaal.htmx import redirect_after_save, render_form_page
from ketenportaal.markdown import render_markdown
from stakeholders.models import Chain, Partnership
from stakeholders.permissions import Action, get_chain_or_404, require

TEMPLATES = "governance/stories/"
LIST_SIZE = 50  # stories per section of the list (the newest)


def _story(request: HttpRequest, chain: Chain, pk: int) -> Story:
    story = get_object_or_404(rules.readable(request.user, chain).select_related("author"), pk=pk)
    story.chain = chain
    return story


def story_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's published stories, newest first, and those awaiting approval that the user may see."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partners = Prefetch("partners", queryset=Partnership.objects.select_related("organisation"))
    stories = list(
        rules.readable(request.user, chain)
        .select_related("author")
        .prefetch_related(partners, "approvals")
        .order_by("-published_at", "-created_at", "-pk")[: 2 * LIST_SIZE]
    )
    published = [story for story in stories if story.is_published][:LIST_SIZE]
    awaiting = [story for story in stories if not story.is_published][:LIST_SIZE]
    for story in awaiting:
        story.approved_count = len(story.approvals.all())
        story.partner_count = len(story.partners.all())
    context = {
        "chain": chain,
        "published": published,
        "awaiting": awaiting,
        "can_write": rules.may_write(request.user, chain),
    }
    return render(request, f"{TEMPLATES}story_list.html", context)


def story_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    story = _story(request, chain, pk)
    partners = list(story.partners.select_related("organisation").order_by("organisation__name"))
    approvals = {
        approval.partnership_id: approval
        for approval in StoryApproval.objects.filter(story=story).select_related("approved_by")
    }
    story._prefetched_objects_cache = {"approvals": list(approvals.values())}
    for partner in partners:
        partner.approval = approvals.get(partner.pk)
    context = {
        "chain": chain,
        "story": story,
        "body_html": render_markdown(story.body),
        "partners": partners,
        "indicators": list(story.indicators.all()),
        "decisions": list(story.decisions.all()),
        "can_edit": rules.may_edit(request.user, story),
        "approvable": rules.approvable_by(request.user, story, partners),
        "token": rules.approval_token(story),
    }
    return render(request, f"{TEMPLATES}story_detail.html", context)


def _indicator_from_query(request: HttpRequest, chain: Chain) -> Indicator | None:
    value = request.GET.get("indicator", "")
    if not value.isdigit() or len(value) > 18:
        return None
    return Indicator.objects.filter(ambition__chain=chain, pk=int(value)).first()


def _initial(request: HttpRequest, chain: Chain) -> dict:
    """A new story's title and text from the address (cut to the fields' length), and an indicator."""
    initial = {}
    title = request.GET.get("title", "").strip()
    if title:
        initial["title"] = title[: Story._meta.get_field("title").max_length]
    body = request.GET.get("body", "")
    if body.strip():
        initial["body"] = body[:20_000]
    indicator = _indicator_from_query(request, chain)
    if indicator is not None:
        initial["indicators"] = [indicator.pk]
    return initial


def _save(request: HttpRequest, form: StoryForm, created: bool, before: dict | None = None) -> Story:
    """Save the form; ``before`` is the story's content before the form touched the instance
    (rules.snapshot, taken before validation: is_valid() writes the posted values onto it)."""
    before = before or {}
    partners_before = set(before.pop("partners", ()))
    story = form.save()
    partners_after = set(story.partners.values_list("pk", flat=True))
    reset = not created and rules.content_changed(before, story, partners_before, partners_after)
    withdrawn = rules.after_save(story, created=created, reset=reset, by=request.user)
    story.refresh_from_db()
    if created:
        messages.success(request, _("The story is saved. It is published when every partner involved has approved it."))
    elif withdrawn:
        messages.warning(
            request,
            _("The story is saved. Its content changed, so the partners involved are asked to approve it again."),
        )
    else:
        messages.success(request, _("The story is saved."))
    return story


def story_create(request: HttpRequest, slug: str) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.WRITE_STORIES, chain)
    posted = request.method == "POST"
    form = StoryForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        instance=Story(chain=chain, author=request.user),
        chain=chain,
        initial=None if posted else _initial(request, chain),
    )
    if posted and form.is_valid():
        story = _save(request, form, created=True)
        return redirect_after_save(request, reverse("governance-stories:story_detail", args=[chain.slug, story.pk]))
    context = {"chain": chain, "form": form}
    return render_form_page(request, f"{TEMPLATES}story_form.html", context, form)


def story_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    story = _story(request, chain, pk)
    if not rules.may_edit(request.user, story):
        raise PermissionDenied
    posted = request.method == "POST"
    before = {**rules.snapshot(story), "partners": set(story.partners.values_list("pk", flat=True))}
    form = StoryForm(request.POST if posted else None, request.FILES if posted else None, instance=story, chain=chain)
    if posted and form.is_valid():
        story = _save(request, form, created=False, before=before)
        return redirect_after_save(request, reverse("governance-stories:story_detail", args=[chain.slug, story.pk]))
    if form.errors:
        story.refresh_from_db()  # the page's heading shows the saved title, not the refused one
    context = {"chain": chain, "form": form, "story": story}
    return render_form_page(request, f"{TEMPLATES}story_form.html", context, form)


@require_POST
def story_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One click: the lead approves the story for their own organisation (the ``partner`` posted)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    story = _story(request, chain, pk)
    value = request.POST.get("partner", "")
    partner = None
    if value.isdigit() and len(value) <= 18:
        partner = Partnership.objects.filter(chain=chain, pk=int(value)).select_related("organisation").first()
    involved = list(story.partners.select_related("organisation"))
    if partner is None or partner not in involved or not rules.may_approve_for(request.user, story, partner):
        raise PermissionDenied
    if partner not in rules.approvable_by(request.user, story, involved):
        return _refused(request, chain, story, str(rules.ALREADY), 422)
    try:
        published = rules.approve(story, partner, request.user, request.POST.get("token", ""))
    except rules.StoryRefused as refused:
        return _refused(request, chain, story, str(refused), 422)
    if published:
        messages.success(
            request, _("Approved. Every partner involved has approved: the story is now published to the chain.")
        )
    else:
        messages.success(request, _("Approved for %(organisation)s.") % {"organisation": partner.organisation.name})
    return redirect_after_save(request, reverse("governance-stories:story_detail", args=[chain.slug, story.pk]))


def _refused(request: HttpRequest, chain: Chain, story: Story, message: str, status: int) -> HttpResponse:
    context = {"chain": chain, "story": story, "message": message}
    return render(request, f"{TEMPLATES}story_refused.html", context, status=status)


@require_GET
def story_photo(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The story's photo, read through the storage API, for whoever may read the story."""
    chain = get_chain_or_404(request.user, slug)
    story = _story(request, chain, pk)
    if not story.photo:
        raise Http404
    content_type = mimetypes.guess_type(story.photo.name)[0] or "application/octet-stream"
    response = FileResponse(story.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


routes = [
    path("", story_list, name="story_list"),
    path("nieuw/", story_create, name="story_create"),
    path("<int:pk>/", story_detail, name="story_detail"),
    path("<int:pk>/bewerken/", story_edit, name="story_edit"),
    path("<int:pk>/goedkeuren/", story_approve, name="story_approve"),
    path("<int:pk>/foto/", story_photo, name="story_photo"),
]
