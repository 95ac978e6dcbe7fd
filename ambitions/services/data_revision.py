"""A chain's data revision: a token in the shared cache that changes whenever something its
dashboard shows changes, so that a page rendered from the chain's data can be kept in the cache
under it and is never served once the data behind it has moved on.

Why a token in the cache rather than a column or a query:

- The dashboard's warm path must cost next to nothing: one cache read for the token, one for the
  page. A stamp read from the database (the newest roll-up's time, say) would have to cover every
  table the page reads (figures, versions, units, partnerships, the chain map…): many queries.
- Two gunicorn instances (and the Celery workers) share Redis, so a save on one is seen by the
  other's next request at once (the scale-out test relies on it). Without Redis the cache is
  local memory: one process, which is what the SQLite leg and the demo run.
- A token (random, not a counter) because ids come back: SQLite and a recreated test database
  hand out a deleted chain's id again, and a new chain must never meet the old one's pages. A
  chain's creation sets a fresh token, and the keys carry the database's name, so two databases
  sharing one Redis (the test workers, staging beside production) never mix.

Who bumps: the figure writers call ``bump`` explicitly (``entry.write_cell``, the bulk upsert
behind the API's batch and the spreadsheet import, ``aggregates.rebuild_all``). They are the hot
path and write in bulk statements that fire no model signals. Everything else the dashboard shows
(ambitions, indicators, versions and their units, partnerships, organisations, units,
submissions, the chain map, delivery terms) changes rarely and from many places (pages, services,
Celery tasks, the admin, management commands), so ``ambitions/revision_signals.py`` bumps on their
model signals: no writer can forget it.

When: once at once and once more when the transaction commits. The first makes the writer's own
transaction (and a test's, which never commits) see the change; but another request may read the
new token before the commit, render the old data and keep it under that token, so the second
bump, after the commit, retires whatever was cached in between. A rolled-back write has bumped for
nothing, which costs one rendering.

What the token does not cover, the page's key adds: the day (periods close and deadlines pass by
the calendar, with no write), the language and the time zone.
"""

from __future__ import annotations

from ketenportaal.revisions import ChainRevisions

_TOKENS = ChainRevisions("data-revision")
current = _TOKENS.current  # current(chain_id) -> str: the chain's revision now (one cache read)
bump = _TOKENS.bump  # bump(chain_ids): a new revision for each, now and again on commit


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
