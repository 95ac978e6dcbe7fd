"""Chain home and chain settings (branding and reporting calendar)."""

import mimetypes
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from stakeholders.forms.chains import ChainSettingsForm
from stakeholders.history import history_for
from stakeholders.models import Mandate, Partnership, PartnershipStatus
from stakeholders.permissions import Action, allows, get_chain_or_404, require
from stakeholders.registry import chain_home_fragments
from stakeholders.views.mandates import grantable_ids


@dataclass(frozen=True)
class HomeFragment:
    template: str
    items: dict


def _from_other_apps(user, chain) -> list[HomeFragment]:
    """What apps built on stakeholders show on the chain home (next meetings, open proposals…):
    each registers a fragment in its AppConfig.ready() (stakeholders/registry.py), rendered with its
    own context as ``items``, and only when that holds something. stakeholders imports none of them."""
    fragments = []
    for fragment in chain_home_fragments():
        items = fragment.items(user, chain)
        if any(items.values()):
            fragments.append(HomeFragment(fragment.template, items))
    return fragments


def chain_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Chain home: mission, societal question, shared values, the partners by status, and what
    other apps register for it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partnerships = list(Partnership.objects.filter(chain=chain).select_related("organisation"))
    gaps = Mandate.objects.missing_for(Partnership.objects.filter(chain=chain))
    groups = [
        {"status": status, "label": label, "partnerships": [p for p in partnerships if p.status == status]}
        for status, label in PartnershipStatus.choices
    ]
    return render(
        request,
        "stakeholders/chain_detail.html",
        {
            "chain": chain,
            "partner_groups": [group for group in groups if group["partnerships"]],
            "partner_count": len(partnerships),
            "can_manage": allows(request.user, Action.MANAGE_CHAIN, chain),
            "mandate_gaps": gaps,
            "grantable": grantable_ids(request.user, chain, gaps),
            "home_fragments": _from_other_apps(request.user, chain),
        },
    )


def chain_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Name, story, branding and reporting calendar; programme managers and administrators only."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    posted = request.method == "POST"
    form = ChainSettingsForm(request.POST if posted else None, request.FILES if posted else None, instance=chain)
    if posted and form.is_valid():
        form.save()
        messages.success(request, _("The settings of %(chain)s have been saved.") % {"chain": chain.name})
        return redirect("stakeholders:chain_settings", slug=chain.slug)
    # Bound form errors may have put a not-saved name on the instance; the page header shows the saved one.
    if form.errors:
        chain.refresh_from_db()
    return render(
        request,
        "stakeholders/chain_settings.html",
        {"chain": chain, "form": form, "history": history_for(chain)},
        status=422 if form.errors else 200,
    )


@require_GET
def chain_logo(request: HttpRequest, slug: str) -> FileResponse:
    """The chain's logo, read through Django's storage API.

    Served by the app rather than from a local media folder so that members only see
    logos of their own chains and so that every web process behind a load balancer
    reads the same file, whichever storage backend (disk or object store) is configured.
    """
    chain = get_chain_or_404(request.user, slug)
    if not chain.logo:
        raise Http404
    response = FileResponse(chain.logo.open("rb"), content_type=_logo_content_type(chain.logo.name))
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def _logo_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
