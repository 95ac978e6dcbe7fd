"""The chain dashboard: where the chain stands on each shared ambition (see ambitions/urls.py).

The chain-wide part (the chain map, the tiles, who hasn't reported) is the same for every member
and costs most of the page, so it is kept in the shared cache as rendered HTML under a key that
holds everything it depends on:

- the chain's data revision (services/data_revision.py), which every write of what it shows
  changes, on commit, so a saved figure is on the next dashboard, on any gunicorn instance (kept
  beside the page in the entry, and compared when it is read);
- the day in the active time zone: periods end and deadlines pass by the calendar, with no
  write (tiles move to the next period, "overdue" appears); and the time zone's name;
- the language: every word and number format on it.

Nothing in that part depends on the viewer: every member may see the whole of it (VIEW on the
chain is the only permission checked), and it is rendered without the request (no user, no CSRF
token, no nonce). What does depend on the viewer stays outside the cache and is rendered on every
request: the chain menu and header (the layout) and the fragments of apps built on ambitions
(governance: the open escalations waiting for this person).
"""

from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from ambitions.services import chain_map, dashboard, data_revision
from ketenportaal import db_router
from stakeholders.models import Chain
from stakeholders.permissions import Action, get_chain_or_404, require
from stakeholders.registry import dashboard_fragments, filled

# How long a rendering is kept when nothing changes. The key carries the revision and the day,
# so this only bounds how long a page from before a deployment (new template) can be served.
CACHE_SECONDS = 60 * 60
BODY_TEMPLATE = "ambitions/_dashboard_body.html"


@transaction.non_atomic_requests  # it only reads: spares the transaction's two round trips
def chain_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Indicator tiles per ambition and who hasn't reported yet; every member may read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    context = {
        "chain": chain,
        "chain_wide": chain_wide_part(chain),
        # What apps built on ambitions add (governance: open escalations), without importing them:
        # per viewer, so never cached with the rest.
        "fragments": filled(dashboard_fragments(), request.user, chain),
    }
    return render(request, "ambitions/dashboard.html", context)


def cache_key(chain: Chain) -> str:
    """One entry per chain, day, time zone and language; the revision is stored in the entry, not
    in the key, so each save replaces the chain's rendering instead of leaving the old one in
    Redis until it expires (at the month's deadline a chain is saved to every few seconds)."""
    return ":".join(
        [
            "dashboard:2",
            connection.settings_dict["NAME"],  # two databases may share one Redis (test workers)
            str(chain.pk),
            timezone.localdate().isoformat(),
            timezone.get_current_timezone_name(),
            translation.get_language() or "",
        ]
    )


def chain_wide_part(chain: Chain) -> str:
    """The chain map, the tiles and who hasn't reported, rendered: from the cache when nothing it
    shows has changed since (one cache round trip), else built (a fixed number of queries) and kept."""
    key = cache_key(chain)
    token = data_revision.token(chain.pk)
    # The revision is read with the entry, before the data: a save during a build retires what it keeps.
    found = cache.get_many([key, token.key])
    revision = found.get(token.key) or token.current()
    db_router.confirm_caught_up()  # a replica in use has the data of this revision, or the primary is read
    kept = found.get(key)
    if kept is not None and kept[0] == revision:
        html = kept[1]
    else:
        html = render_to_string(BODY_TEMPLATE, _body_context(chain))
        cache.set(key, (revision, html), CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  our own rendering of an autoescaped template


def _body_context(chain: Chain) -> dict:
    board = dashboard.build(chain)
    # The chain map with the tiles' own standing: two queries (its steps and their partners).
    progress = {tile.indicator.pk: tile.progress for block in board.ambitions for tile in block.tiles}
    return {
        "chain": chain,
        "dashboard": board,
        "chain_map": chain_map.build(chain, chain_map.steps_of(chain), progress),
    }


routes = [path("dashboard/", chain_dashboard, name="chain_dashboard")]
