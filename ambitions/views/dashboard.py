"""The chain dashboard: where the chain stands on each shared ambition (see ambitions/urls.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from ambitions.services import chain_map, dashboard
from stakeholders.permissions import Action, get_chain_or_404, require
from stakeholders.registry import dashboard_fragments, filled


def chain_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Indicator tiles per ambition and who hasn't reported yet; every member may read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    board = dashboard.build(chain)
    # The chain map with the tiles' own standing: two queries (its steps and their partners).
    progress = {tile.indicator.pk: tile.progress for block in board.ambitions for tile in block.tiles}
    context = {
        "chain": chain,
        "dashboard": board,
        "chain_map": chain_map.build(chain, chain_map.steps_of(chain), progress),
        # What apps built on ambitions add (governance: open escalations), without importing them.
        "fragments": filled(dashboard_fragments(), request.user, chain),
    }
    return render(request, "ambitions/dashboard.html", context)


routes = [path("dashboard/", chain_dashboard, name="chain_dashboard")]
