"""Pages of the governance app, all under /ketens/<slug>/overleg/.

Each views module declares its own ``routes`` next to the views they point at:

- views/bodies.py     bodies and their members: list, page (with the representation flags), create, edit
- views/meetings.py   planning meetings and series, a meeting's page, its states, moving and cancelling
- views/agenda.py     agenda items and suggestions, the agenda PDF
- views/minutes.py    attendance, minutes per item, approving and reopening them, the minutes PDF
- views/calendar.py   a meeting as .ics and the personal calendar feed
- views/decisions.py  proposals, positions, amending, outcome, the decision register and its export
- views/proposal_agenda.py  a stalled indicator proposal put on the agenda of the body that decides
- views/actions.py    actions per body and chain, their status
- views/agreements.py agreements, their versions and signatures, the agreement as PDF
- views/delivery_terms.py  a service agreement's delivery terms
- views/bottlenecks.py  bottlenecks: the board, reporting, the clock, escalating, responding, comments
- views/early_warnings.py  early warnings from the forecast: the list, a warning's page, accept, dismiss
- views/course_checks.py  course checks: answering, the statements, the results and their alert
- views/course_check_results.py  a course check's results page (per partner, never per person)
- views/participation.py  participation health per partner
- views/public_page.py  the settings of the chain's public page (the public page itself is at /openbaar/<slug>/)

Names follow <model>_<action>; every name needs a row in tests/matrix/governance/.
"""

from .views import (
    actions,
    agenda,
    agreements,
    bodies,
    bottlenecks,
    calendar,
    course_check_results,
    course_checks,
    decisions,
    delivery_terms,
    early_warnings,
    meetings,
    minutes,
    participation,
    proposal_agenda,
    public_page,
)

app_name = "governance"

urlpatterns = [
    *bodies.routes,
    *meetings.routes,
    *agenda.routes,
    *minutes.routes,
    *calendar.routes,
    *decisions.routes,
    *proposal_agenda.routes,
    *actions.routes,
    *agreements.routes,
    *delivery_terms.routes,
    *bottlenecks.routes,
    *early_warnings.routes,
    *course_checks.routes,
    *course_check_results.routes,
    *participation.routes,
    *public_page.routes,
]
