"""Run the measurements against the database in DATABASE_URL and print them as JSON lines.

Called by bench/run.py once per data set; not meant to be run by hand (use ``make bench``).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenportaal.settings")
    import django

    django.setup()
    # Not setup_test_environment(): it instruments template rendering, which would slow the
    # pages down. bench/run.py allows the test client's host name and discards mail instead.
    from bench import (
        agreements,
        ambitions,
        api_tokens,
        benefits,
        bottlenecks,
        chain_map,
        consent,
        course_checks,
        early_warning,
        governance,
        grid,
        imports,
        my_work,
        newsletter_send,
        newsletters,
        participation,
        public_page,
        reminders,
        reports,
    )
    from stakeholders.models import Chain

    chain = Chain.objects.filter(slug__startswith="bench-").order_by("slug").first()
    which = set(sys.argv[1:]) or {
        "dashboard",
        "dashboard_warm",
        "indicator_page",
        "cell_save",
        "bulk_upsert",
        "reminder_sweep",
        "reports",
        "governance",
        "agreements",
        "bottlenecks",
        "imports",
        "api_tokens",
        "course_checks",
        "participation",
        "benefits",
        "chain_map",
        "newsletter_draft",
        "newsletter_send",
        "public_page",
        "early_warning",
        "proposal_page",
        "grid_page",
        "my_work",
    }
    results = []
    for name in ("dashboard", "dashboard_warm", "indicator_page", "cell_save", "bulk_upsert"):
        if name in which:
            results += getattr(ambitions, name)(chain)
    if "reminder_sweep" in which:
        results += reminders.reminder_sweep(chain)
    if "reports" in which:
        results += reports.reports(chain)
    if "governance" in which:
        results += governance.governance(chain)
    if "agreements" in which:
        results += agreements.agreements(chain)
    if "bottlenecks" in which:
        results += bottlenecks.bottlenecks(chain)
    if "imports" in which:
        results += imports.imports(chain)
    if "api_tokens" in which:
        results += api_tokens.api_tokens(chain)
    if "course_checks" in which:
        results += course_checks.course_checks(chain)
    if "participation" in which:
        results += participation.participation_page(chain)
    if "benefits" in which:
        results += benefits.benefits(chain)
    if "chain_map" in which:
        results += chain_map.chain_map(chain)
    if "newsletter_send" in which:
        results += newsletter_send.newsletter_send(chain)
    if "newsletter_draft" in which:
        results += newsletters.newsletter_draft(chain)
    if "public_page" in which:
        results += public_page.public_page(chain)
    if "early_warning" in which:
        results += early_warning.early_warnings(chain)
    if "proposal_page" in which:
        results += consent.proposal_page(chain)
    if "grid_page" in which:
        results += grid.grid_page(chain)
    if "my_work" in which:
        results += my_work.my_work(chain)
    for result in results:
        print(json.dumps({"name": result.name, "value": result.value, "unit": result.unit}), flush=True)


if __name__ == "__main__":
    main()
