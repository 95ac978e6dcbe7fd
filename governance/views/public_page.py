"""A chain's public page (issue 14 point 4): the programme manager's settings, and the login-free
page, its embeddable version and the chain's logo for them.

- ``/ketens/<slug>/overleg/openbare-pagina/`` (governance:public_page_edit): switching the page on,
  with the steering group's decision linked, choosing indicators and whether units show;
  programme managers and administrators (Action.MANAGE_CHAIN).
- ``/openbaar/<slug>/`` (public:page_detail), ``/openbaar/<slug>/embed/`` (public:page_embed) and
  ``/openbaar/<slug>/logo/`` (public:page_logo): anyone, no sign-in. A chain that has not switched
  its page on, and a slug no chain has, answer the same 404.

The public pages are rendered once a minute per chain, variant and language into the shared cache
(Redis in production, so every web process serves the same copy), for anonymous callers only: a
signed-in caller gets a fresh copy, marked private by PrivateResponsesMiddleware. The cache key
carries a stamp of the page's settings and the chain's name, mission, colour and logo, so a change
to either shows at once. The cached HTML holds a placeholder for the CSP nonce, replaced by this
response's nonce: the same nonce'd CSP as every page. Only the embedded version may be framed
(``frame-ancestors *``, no X-Frame-Options); the full page keeps the portal's ``'none'`` and DENY.
"""

from __future__ import annotations

import hashlib
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from governance.forms.public_page import PublicPageForm
from governance.models.public_page import PublicPage
from governance.services import public_page as read_model
from stakeholders.history import history_for
from stakeholders.permissions import Action, get_chain_or_404, require

CACHE_SECONDS = 60
# Stands in for the response's CSP nonce in the cached HTML; never a valid nonce itself.
NONCE_MARK = "kp-nonce-placeholder"
TEMPLATES = {"page": "governance/public/page_detail.html", "embed": "governance/public/page_embed.html"}
EMBED_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


def public_page_edit(request: HttpRequest, slug: str) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    # The row exists from the first visit (switched off), so that the form's concurrency check has a
    # version to compare: two first saves at once cannot both create it.
    page, _created = PublicPage.objects.get_or_create(chain=chain)
    posted = request.method == "POST"
    form = PublicPageForm(request.POST if posted else None, instance=page)
    if posted and form.is_valid():
        form.save()
        messages.success(
            request,
            _("The public page is switched on.") if form.instance.enabled else _("The public page is switched off."),
        )
        return redirect("governance:public_page_edit", slug=chain.slug)
    return render(
        request,
        "governance/public/page_edit.html",
        {
            "chain": chain,
            "form": form,
            "page": page,
            "has_decisions": form.fields["decision"].queryset.exists(),
            "history": history_for(page),
        },
        status=422 if form.errors else 200,
    )


def _switched_on(slug: str) -> PublicPage:
    """The chain's page when switched on; else the same 404 as for a slug nobody has."""
    page = PublicPage.objects.switched_on().select_related("chain").filter(chain__slug=slug).first()
    if page is None:
        raise Http404
    return page


def _cache_key(page: PublicPage, variant: str) -> str:
    chain = page.chain
    stamp = "|".join(
        [page.updated_at.isoformat(), chain.name, chain.tagline, chain.mission, chain.colour, chain.logo.name or ""]
    )
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:20]
    return f"public-page:{chain.pk}:{variant}:{translation.get_language()}:{digest}"


def _respond(request: HttpRequest, page: PublicPage, variant: str) -> HttpResponse:
    anonymous = not request.user.is_authenticated
    key = _cache_key(page, variant)
    html = cache.get(key) if anonymous else None
    if html is None:
        view = read_model.build(page, embed=variant == "embed")
        html = render_to_string(TEMPLATES[variant], {"view": view, "chain": page.chain, "csp_nonce": NONCE_MARK})
        if anonymous:
            cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html.replace(NONCE_MARK, str(get_nonce(request))))
    if anonymous:
        # Proxies may keep it as long as we do; the language cookie decides which copy.
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
    return response


@login_not_required
@transaction.non_atomic_requests  # read only: spares the transaction's round trips
@require_safe
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _respond(request, _switched_on(slug), "page")


@login_not_required
@transaction.non_atomic_requests  # read only: spares the transaction's round trips
@require_safe
@xframe_options_exempt
@csp_override(EMBED_CSP)
def page_embed(request: HttpRequest, slug: str) -> HttpResponse:
    return _respond(request, _switched_on(slug), "embed")


@login_not_required
@transaction.non_atomic_requests  # read only: spares the transaction's round trips
@require_safe
def page_logo(request: HttpRequest, slug: str) -> FileResponse:
    """The chain's logo for its public page (the members' logo address asks for a role)."""
    chain = _switched_on(slug).chain
    if not chain.logo:
        raise Http404
    content_type = mimetypes.guess_type(chain.logo.name)[0] or "application/octet-stream"
    response = FileResponse(chain.logo.open("rb"), content_type=content_type)
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


routes = [path("openbare-pagina/", public_page_edit, name="public_page_edit")]

public_routes = [
    path("<slug:slug>/", page_detail, name="page_detail"),
    path("<slug:slug>/embed/", page_embed, name="page_embed"),
    path("<slug:slug>/logo/", page_logo, name="page_logo"),
]
