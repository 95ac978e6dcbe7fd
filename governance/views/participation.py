"""Participation health: per partner, where its part in the chain's work is slipping — figures on
time, positions on decisions, meetings attended, signatures outstanding and overdue actions, with a
summary in plain words (governance/services/participation.py). Every member of the chain reads it.

Routes are joined in governance/urls.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from governance.services import participation as service
from stakeholders.permissions import get_chain_or_404


def participation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's partners, core partners first, with their measures and summary (four queries)."""
    chain = get_chain_or_404(request.user, slug)
    rows = service.health(chain)
    return render(
        request,
        "governance/participation/participation_detail.html",
        {
            "chain": chain,
            "rows": rows,
            "attention": [row for row in rows if row.needs_attention],
            "periods": service.PERIODS,
            "thresholds": service.thresholds(),
        },
    )


routes = [path("deelname/", participation_detail, name="participation_detail")]
