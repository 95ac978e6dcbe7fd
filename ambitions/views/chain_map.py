"""The chain map: the chain's shape (a relay's steps, or a network's partners around its dossier)
with each step's lead time against its norm; and the programme manager's page that defines it.

Every member reads the map; only the programme manager (Action.MANAGE_CHAIN) changes it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ambitions.forms.chain_map import forms_for
from ambitions.models.chain_map import ChainMap
from ambitions.services import chain_map as maps
from stakeholders.models import ChainKind
from stakeholders.permissions import Action, allows, get_chain_or_404, require


def chain_map(request: HttpRequest, slug: str) -> HttpResponse:
    """The map as a picture and as a table: where the chain pinches, at a glance."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    return render(
        request,
        "ambitions/chain_map.html",
        {
            "chain": chain,
            "chain_map": maps.for_page(chain),
            "can_edit": allows(request.user, Action.MANAGE_CHAIN, chain),
        },
    )


def chain_map_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The steps, their partners, lead-time indicators and norms; refused whole when the order has
    a gap or a loop, or when someone else saved the map meanwhile."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    current = ChainMap.objects.filter(chain=chain).first() or ChainMap(chain=chain)
    steps = maps.steps_of(chain) if current.pk else []
    posted = request.method == "POST"
    map_form, rows = forms_for(chain, current, steps, request.POST if posted else None)
    conflict = False
    if posted and map_form.is_valid() and rows.is_valid():
        with transaction.atomic():
            saved_map, _created = ChainMap.objects.get_or_create(chain=chain)
            saved = saved_map.replace_steps(
                map_form.cleaned_data["dossier"],
                [draft for _form, draft in rows.drafts()],
                map_form.cleaned_data["revision"],
                request.user,
            )
        if saved:
            messages.success(request, _("The chain map has been saved."))
            return redirect(reverse("ambitions:chain_map", args=[chain.slug]))
        # Someone saved first: show the map as it is now, with nothing of this post saved.
        conflict = True
        current = ChainMap.objects.get(chain=chain)
        map_form, rows = forms_for(chain, current, maps.steps_of(chain))
    return render(
        request,
        "ambitions/chain_map_edit.html",
        {
            "chain": chain,
            "map_form": map_form,
            "rows": rows,
            "conflict": conflict,
            "is_network": chain.kind == ChainKind.NETWORK,
        },
        status=422 if posted else 200,
    )


routes: list = [
    path("ketenkaart/", chain_map, name="chain_map"),
    path("ketenkaart/bewerken/", chain_map_edit, name="chain_map_edit"),
]
