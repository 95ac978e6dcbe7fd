"""The load test's cast, made on the Django side before gunicorn starts: who reads, who enters,
which pages, and a signed-in session for each of them (``python -m bench.load.plan`` writes it as JSON).

Sessions are made here instead of through the sign-in form. Signing 150 people in through the
form would measure the password hash (hundreds of milliseconds of CPU each, on purpose) and
trip the login throttle (django-axes), neither of which is what a working day looks like: people
sign in once and then work for hours. So each person's session is stored exactly as
``django.contrib.auth.login`` stores it — the user's id, the backend and the session hash, in
the configured engine (cached_db: Redis with PostgreSQL behind it) — and locust sends its key as
the session cookie. The server cannot tell these sessions from real ones, and logging out or a
password change ends them as it would end a real one.

Everyone is a contributor of a benchmark chain (partner leads and programme managers are left
out: programme managers would need a second factor). Each contributor enters for a different
organisation, or for the same one in a different month, so no two people ever save the same cell:
a conflict in the results then means the tokens were handled wrongly, not that two people raced.
"""

from __future__ import annotations

import json
import os
import sys

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenportaal.settings")
    django.setup()  # before the models are imported

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from ambitions.models import Indicator, ProgressReport  # noqa: E402
from ambitions.periods import Frequency, Period  # noqa: E402
from ambitions.services.reports import draft_report  # noqa: E402
from governance.models import Meeting  # noqa: E402
from stakeholders.models import Chain, Membership, Role  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"
READERS = 400  # more than any stage uses: locust hands them out in turn
CONTRIBUTORS = 100  # two months × 50 organisations


def _session_for(person) -> str:
    """A signed-in session for ``person``, stored as django.contrib.auth.login stores one."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.create()
    return store.session_key


def _chain_pages(chain: Chain, last: Period) -> tuple[dict, list[int]]:
    """The reader's pages of one chain, and the ids of the reports drafted for the load test."""
    drafted = []
    report, created = draft_report(chain, last.previous)  # not `last`: bench/reports.py drafts that one
    if created:
        drafted.append(report.pk)
    indicators = Indicator.objects.filter(ambition__chain=chain).order_by("pk").values_list("pk", flat=True)
    meetings = (
        Meeting.objects.filter(body__chain=chain, starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .values_list("pk", flat=True)[:20]
    )
    slug = chain.slug
    pages = {
        "my_work": [reverse("stakeholders:my_work")],
        "dashboard": [reverse("ambitions:chain_dashboard", args=[slug])],
        "indicator_page": [reverse("ambitions:indicator_detail", args=[slug, pk]) for pk in indicators],
        "report_page": [reverse("ambitions:report_detail", args=[slug, report.pk])],
        "meeting_page": [reverse("governance:meeting_detail", args=[slug, pk]) for pk in meetings],
        "decision_register": [reverse("governance:decision_list", args=[slug])],
    }
    return pages, drafted


def build() -> dict:
    chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
    if not chains:
        raise SystemExit("no benchmark chains in this database: build the 1m data set first (make bench)")
    last = Period.containing(timezone.localdate(), Frequency.MONTH).previous
    pages, drafted = {}, []
    for chain in chains:
        pages[chain.slug], made = _chain_pages(chain, last)
        drafted += made
    members = list(
        Membership.objects.filter(chain__in=chains, role=Role.CONTRIBUTOR)
        .select_related("person", "chain")
        .order_by("person__pk")
    )
    # Contributors: one per organisation for the last month, then one per organisation for the month before.
    contributors, taken = [], set()
    for period in (last, last.previous):
        seen = set()
        for membership in members:
            organisation = membership.person.organisation_id
            if organisation in seen or membership.person.pk in taken:
                continue
            seen.add(organisation)
            taken.add(membership.person.pk)
            grid = reverse("ambitions:entry_grid", args=[membership.chain.slug, period.slug])
            contributors.append({"session": _session_for(membership.person), "grid": grid})
    # Readers: the other contributors, spread over the chains in turn.
    by_chain: dict[str, list] = {}
    for membership in members:
        if membership.person.pk not in taken:
            by_chain.setdefault(membership.chain.slug, []).append(membership.person)
    readers = []
    while len(readers) < READERS and any(by_chain.values()):
        for slug, people in by_chain.items():
            if people and len(readers) < READERS:
                readers.append({"session": _session_for(people.pop(0)), "chain": slug})
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "pages": pages,
        "readers": readers,
        "contributors": contributors[:CONTRIBUTORS],
        "drafted_reports": drafted,
    }


def clean(plan: dict) -> None:
    """Remove what build() added: the sessions and the reports it drafted."""
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    for person in plan["readers"] + plan["contributors"]:
        engine(person["session"]).delete()
    ProgressReport.objects.filter(pk__in=plan["drafted_reports"]).delete()


def main() -> None:
    if sys.argv[1:2] == ["clean"]:
        clean(json.load(sys.stdin))
        return
    json.dump(build(), sys.stdout)


if __name__ == "__main__":
    main()
