"""The indicator page (definition, versions, chart, partner and unit tables) and its export."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import path

from ambitions.models import Indicator
from ambitions.services import data_revision, export, indicator_page
from ketenportaal import kept
from stakeholders import roster
from stakeholders.models import Chain
from stakeholders.permissions import Action, get_chain_or_404, require
from stakeholders.registry import filled, indicator_page_fragments

KEPT_UNTIL_LENGTH = 24  # ``?tot=`` is a period's slug; anything longer is refused, never kept


def _indicator(chain: Chain, pk: int) -> Indicator:
    # Scoped to the chain: another chain's indicator id is simply not found.
    indicator = get_object_or_404(Indicator.objects.select_related("ambition"), ambition__chain=chain, pk=pk)
    indicator.ambition.chain = chain
    return indicator


def indicator_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Every member may read it; ``?tot=<period>`` picks the last of the 24 periods shown."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    indicator = _indicator(chain, pk)
    until = request.GET.get("tot")
    if until is None or len(until) <= KEPT_UNTIL_LENGTH:
        # The same for every member: kept (ketenportaal/kept.py) under the indicator's own figures,
        # the rest of the chain's ambitions data and the roster, so a figure saved for another
        # indicator of the chain keeps this page.
        tokens = [
            data_revision.figures_token(indicator.pk),
            data_revision.structure_token(chain.pk),
            roster.token(),
        ]
        parts = ["indicator-page:1", indicator.pk, until or ""]
        page = kept.fetch(parts, tokens, lambda: indicator_page.build(indicator, until))
    else:
        page = indicator_page.build(indicator, until)  # never a period: the window's error, not kept
    # What apps built on ambitions add (governance: "report a bottleneck" when off track).
    fragments = filled(indicator_page_fragments(), request.user, indicator, page)
    context = {"chain": chain, "indicator": indicator, "page": page, "fragments": fragments}
    return render(request, "ambitions/indicator_detail.html", context)


def indicator_export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """CSV or XLSX of the window on the page (``?tot=``), or of every period with ``?alles=1``."""
    if fmt not in export.CONTENT_TYPES:
        raise Http404
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    indicator = _indicator(chain, pk)
    first = last = None
    if not request.GET.get("alles"):
        try:
            first, last = indicator_page.window(indicator, request.GET.get("tot")) or (None, None)
        except indicator_page.BadWindow as exc:
            # A download has no form to show the message at: say it plainly, with 400.
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    data = export.collect(indicator, first, last)
    response = HttpResponse(export.render(data, fmt), content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{data.filename_stem}.{fmt}"'
    return response


routes = [
    path("indicatoren/<int:pk>/", indicator_detail, name="indicator_detail"),
    path("indicatoren/<int:pk>/export.<str:fmt>", indicator_export, name="indicator_export"),
]
