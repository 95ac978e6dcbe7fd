"""A chain's data revision: a token in the shared cache that changes whenever something its
dashboard shows changes, so that a page rendered from the chain's data can be kept in the cache
under it and is never served once the data behind it has moved on.

Why a token in the cache rather than a column or a query:

- The dashboard's warm path must cost next to nothing: one cache read for the token, one for the
  page. A stamp read from the database (the newest roll-up's time, say) would have to cover every
  table the page reads (figures, versions, units, partnerships, the chain map…): many queries.
- Two gunicorn instances (and the Celery workers) share Redis, so a save on one is seen by the
  other's next request at once (the scale-out test relies on it). Without Redis, `make demo`'s
  server and worker share a cache on disk (CACHE_DIR, set by scripts/run-demo); otherwise the
  cache is one process's memory, which is what the SQLite test leg runs.
- A token (random, not a counter) because ids come back: SQLite and a recreated test database
  hand out a deleted chain's id again, and a new chain must never meet the old one's pages. A
  chain's creation sets a fresh token, and the keys carry the database's name, so two databases
  sharing one Redis (the test workers, staging beside production) never mix.

Who bumps: the figure writers call ``figures_changed`` explicitly (``entry.write_cell``, the bulk
upsert behind the API's batch and the spreadsheet import), and ``aggregates.rebuild_all`` calls
``bump``. They are the hot path and write in bulk statements that fire no model signals. Everything
else the dashboard shows (ambitions, indicators, versions and their units and consents,
partnerships, organisations, units, submissions, the chain map, delivery terms, reports) changes
rarely and from many places (pages, services, Celery tasks, the admin, management commands), so
``ambitions/revision_signals.py`` calls ``bump`` on their model signals: no writer can forget it.
``bump`` also renews the chain's structure token and ``figures_changed`` the indicators' figures
tokens, which pages that do not show every figure of the chain are kept under (docs/kept-parts.md).

When: once at once and once more when the transaction commits. The first makes the writer's own
transaction (and a test's, which never commits) see the change; but another request may read the
new token before the commit, render the old data and keep it under that token, so the second
bump, after the commit, retires whatever was cached in between. A rolled-back write has bumped for
nothing, which costs one rendering.

What the token does not cover, the page's key adds: the day (periods close and deadlines pass by
the calendar, with no write), the language and the time zone.
"""

from __future__ import annotations

from ketenportaal.kept import Token
from ketenportaal.revisions import RevisionTokens

_TOKENS = RevisionTokens("data-revision")
current = _TOKENS.current  # current(chain_id) -> str: the chain's revision now (one cache read)
token = _TOKENS.token  # token(chain_id) -> Token: where it is kept, to read it with other keys at once
# Two narrower tokens beside it, for pages that do not show every figure of the chain: a saved cell
# renews the data revision of its chain and the figures token of its indicator only, so an
# indicator page (or a report, which shows no live figure) is kept while others are entered.
_STRUCTURE = RevisionTokens("structure-revision")  # everything but the figures
_FIGURES = RevisionTokens("indicator-figures")  # one indicator's figures and roll-ups


def bump(chain_ids) -> None:
    """Something of these chains other than a figure changed (an indicator, a version, a unit, a
    partner, a submission, the chain map; or every figure at once, as a rebuild does): every kept
    page of theirs that reads ambitions is retired."""
    chain_ids = list(chain_ids)
    _TOKENS.bump(chain_ids)
    _STRUCTURE.bump(chain_ids)


def figures_changed(chain_ids, indicator_ids) -> None:
    """The figure writers': figures of these indicators (in these chains) were saved."""
    _TOKENS.bump(chain_ids)
    _FIGURES.bump(indicator_ids)


def structure_token(chain_id: int) -> Token:
    return _STRUCTURE.token(chain_id)


def figures_token(indicator_id: int) -> Token:
    return _FIGURES.token(indicator_id)


def bump_for_versions(versions) -> None:
    """``bump`` the chains of these indicator versions, for writers that change versions with an
    UPDATE statement (no signal): adopting after the deadline, superseding. Their indicators'
    ambitions when loaded, else one query."""
    from ambitions.models import Indicator

    chains, unknown = set(), set()
    for version in versions:
        indicator = version.indicator if version._meta.get_field("indicator").is_cached(version) else None
        if indicator is not None and indicator._meta.get_field("ambition").is_cached(indicator):
            chains.add(indicator.ambition.chain_id)
        else:
            unknown.add(version.indicator_id)
    if unknown:
        chains.update(Indicator.objects.filter(pk__in=unknown).values_list("ambition__chain_id", flat=True))
    bump(chains)
