"""Pages of the ambitions app, all under /ketens/<slug>/.

Each views module declares its own ``routes`` next to the views they point at, so a feature's
URLs, views and tests sit together:

- views/setup.py      ambitions and indicators: list, create, edit (programme managers)
- views/versions.py   indicator versions: draft, edit, propose, consent/object, comment
- views/indicators.py the indicator page: chart, partner and unit tables, export
- views/dashboard.py  the chain dashboard
- views/entry.py      entering figures: the grid, a cell, cell history
- views/imports.py    figures from a file: the template, upload, preview, confirm, cancel
- views/submissions.py the period's steps: submit, approve, approve a late delivery, reopen
- views/reports.py    progress reports: list, page, PDF, draft, regenerate, commentary, publish
- views/benefits.py   what each partner gains: benefits (start → end picture) beside contributions
- views/chain_map.py  the chain map: the steps (or the partners around the dossier) with their lead times

Names follow <model>_<action>; every name needs a row in tests/test_authorisation_matrix.py.
"""

from .views import benefits, chain_map, dashboard, entry, imports, indicators, reports, setup, submissions, versions

app_name = "ambitions"

urlpatterns = [
    *setup.routes,
    *versions.routes,
    *indicators.routes,
    *dashboard.routes,
    *entry.routes,
    *imports.routes,
    *submissions.routes,
    *reports.routes,
    *benefits.routes,
    *chain_map.routes,
]
