"""The quarterly newsletter: the members' archive, the programme manager's edit page, and each
edition's login-free web page, PDF and logo.

- ``/ketens/<slug>/nieuwsbrief/``: the archive. Every member sees the sent editions; the
  programme manager (Action.MANAGE_NEWSLETTERS) also the drafts, with a link to edit them.
- ``/ketens/<slug>/nieuwsbrief/<pk>/bewerken/``: the introduction (POST here) and the items in
  their order, each with up/down and leave out/put back (POST to ``…/onderdelen/``: plain forms
  that work without JavaScript). Only a draft changes; a stale page is refused with 422 and
  nothing changes (governance/services/newsletters.py). H3's send button is the include
  ``governance/newsletters/_newsletter_send.html`` (H3 fills it).
- ``/nieuwsbrief/<public_token>/`` (+ ``nieuwsbrief.pdf``, ``logo``): a sent edition for anyone
  who has the address (it is in every mail); the token is random, a draft is not found (404).
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.forms.newsletters import IntroductionForm, ItemStepForm
from governance.models.newsletters import Newsletter, NewsletterStatus
from governance.services import newsletters as services
from governance.services.newsletter_render import edition
from governance.views.meeting_parts import _logo
from ketenportaal.htmx import redirect_after_save, render_form_page
from ketenportaal.links import site_url
from stakeholders.permissions import Action, allows, get_chain_or_404, require

TEMPLATES = "governance/newsletters/"
PUBLIC_STATUSES = (NewsletterStatus.SENDING, NewsletterStatus.SENT)


def newsletter_list(request: HttpRequest, slug: str) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    can_manage = allows(request.user, Action.MANAGE_NEWSLETTERS, chain)
    editions = Newsletter.objects.filter(chain=chain)
    if not can_manage:
        editions = editions.filter(status__in=PUBLIC_STATUSES)
    context = {"chain": chain, "editions": list(editions.order_by("-quarter")), "can_manage": can_manage}
    return render(request, f"{TEMPLATES}newsletter_list.html", context)


def _editable(request: HttpRequest, slug: str, pk: int):
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_NEWSLETTERS, chain)  # before the edition is looked up
    newsletter = get_object_or_404(Newsletter.objects.filter(chain=chain), pk=pk)
    newsletter.chain = chain
    return chain, newsletter


def _edit_url(newsletter: Newsletter) -> str:
    return reverse("governance-newsletters:newsletter_edit", args=[newsletter.chain.slug, newsletter.pk])


def _edit_page(request: HttpRequest, chain, newsletter: Newsletter, form: IntroductionForm, status: int | None = None):
    items = list(newsletter.items.order_by("position", "pk"))
    context = {
        "chain": chain,
        "newsletter": newsletter,
        "form": form,
        "items": items,
        "preview": edition(newsletter, items, base=""),
        "locked": None if newsletter.is_draft else str(services.NOT_DRAFT),
    }
    if status is None:
        return render_form_page(request, f"{TEMPLATES}newsletter_edit.html", context, form)
    return render(request, f"{TEMPLATES}newsletter_edit.html", context, status=status)


def _fresh_form(newsletter: Newsletter, data=None) -> IntroductionForm:
    return IntroductionForm(data, initial={"introduction": newsletter.introduction, "version": newsletter.version})


def newsletter_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The introduction, and the items with their steps; a preview of the edition below."""
    chain, newsletter = _editable(request, slug, pk)
    if request.method != "POST":
        return _edit_page(request, chain, newsletter, _fresh_form(newsletter))
    form = _fresh_form(newsletter, request.POST)
    if form.is_valid():
        try:
            services.save_introduction(
                newsletter, form.cleaned_data["introduction"].strip(), form.cleaned_data["version"]
            )
        except services.NewsletterRefused as refused:
            newsletter.refresh_from_db()
            form.add_error(None, str(refused))
            form.data = form.data.copy()
            form.data["version"] = newsletter.version  # the user reviews the current text, then saves on purpose
        else:
            messages.success(request, _("The introduction is saved."))
            return redirect_after_save(request, _edit_url(newsletter))
    return _edit_page(request, chain, newsletter, form)


@require_POST
def newsletter_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One step for one item: up, down, leave out or put back."""
    chain, newsletter = _editable(request, slug, pk)
    step = ItemStepForm(request.POST)
    error = None
    if not step.is_valid():
        error = _("This step could not be done: reload the page and try again.")
    else:
        item, what, version = (step.cleaned_data[k] for k in ("item", "step", "version"))
        try:
            if what in ("up", "down"):
                services.move(newsletter, item, what == "up", version)
            else:
                services.set_included(newsletter, item, what == "restore", version)
        except services.NewsletterRefused as refused:
            error = str(refused)
    if error is not None:
        newsletter.refresh_from_db()
        form = _fresh_form(newsletter)
        form.step_error = error
        return _edit_page(request, chain, newsletter, form, status=422)
    return redirect(f"{_edit_url(newsletter)}#item-{item}")


# --- Public: by the edition's token -------------------------------------------------------------


def _public(token) -> Newsletter:
    return get_object_or_404(
        Newsletter.objects.select_related("chain").filter(status__in=PUBLIC_STATUSES), public_token=token
    )


@login_not_required
def newsletter_public(request: HttpRequest, token) -> HttpResponse:
    newsletter = _public(token)
    context = {"chain": newsletter.chain, "edition": edition(newsletter, base=site_url(request))}
    response = render(request, f"{TEMPLATES}newsletter_public.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
def newsletter_public_pdf(request: HttpRequest, token) -> HttpResponse:
    from weasyprint import CSS, HTML  # heavy: only when a PDF is asked for

    newsletter = _public(token)
    chain = newsletter.chain
    context = {"chain": chain, "edition": edition(newsletter, base=site_url(request)), "logo": _logo(chain)}
    html = render_to_string(f"{TEMPLATES}newsletter_pdf.html", context, request=request)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find("css/report-pdf.css"))])
    response = HttpResponse(pdf, content_type="application/pdf")
    quarter = newsletter.quarter_label.replace(" ", "-").lower()
    response["Content-Disposition"] = f'attachment; filename="nieuwsbrief-{chain.slug}-{quarter}.pdf"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
def newsletter_public_logo(request: HttpRequest, token) -> FileResponse:
    """The chain's logo for the mail and the web page (the portal's own logo address needs a login)."""
    newsletter = _public(token)
    logo = newsletter.chain.logo
    if not logo:
        raise Http404
    response = FileResponse(logo.open("rb"), content_type=mimetypes.guess_type(logo.name)[0] or "image/png")
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


chain_routes = [
    path("", newsletter_list, name="newsletter_list"),
    path("<int:pk>/bewerken/", newsletter_edit, name="newsletter_edit"),
    path("<int:pk>/onderdelen/", newsletter_item, name="newsletter_item"),
]

public_routes = [
    path("<uuid:token>/", newsletter_public, name="newsletter_public"),
    path("<uuid:token>/nieuwsbrief.pdf", newsletter_public_pdf, name="newsletter_public_pdf"),
    path("<uuid:token>/logo", newsletter_public_logo, name="newsletter_public_logo"),
]
