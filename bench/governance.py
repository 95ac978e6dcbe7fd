"""Measurements for governance (issue 10): a meeting's page, the decision register, a meeting's
agenda suggestions and a person's calendar feed, on the governance data set
(manage.py build_governance_dataset: 6,900 meetings, 50,000 decisions, 500,000 positions,
200,000 actions over the five benchmark chains).

Pages go through the test client as the chain's programme manager (bench/ambitions.py); the feed
is requested as a calendar application does, without signing in. Floors are the plain SQL
reading what the page shows.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.ambitions import _client, _get, _manager
from bench.timing import Result, p95_of_rounds, sql_p95_ms, timed_ms
from governance.management.commands.build_governance_dataset import feed_person_email, feed_token
from governance.models import Body, BodyLevel, Decision, Meeting, MeetingStatus
from governance.services import suggestions
from stakeholders.models import Chain, Partnership, PartnershipStatus

PAGE_RUNS = 100
FEED_RUNS = 50  # the feed is the slowest request; 5 × 50 keeps the run within minutes


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return len(queries)


def _page(name: str, client: Client, url: str, runs: int = PAGE_RUNS) -> tuple[Result, int]:
    p95_ms = p95_of_rounds(name, lambda: timed_ms(lambda: _get(client, url), runs))
    return Result(f"{name}_p95", p95_ms, "ms"), _queries(client, url)


def _steering_group(chain: Chain) -> Body:
    return Body.objects.get(chain=chain, level=BodyLevel.STRATEGIC)


def meeting_page(chain: Chain) -> list[Result]:
    """The steering group's last meeting (held, minutes to approve: 6 agenda items, 11 seats'
    attendance, about 8 decisions and 30 actions under its items) and its next one (announced:
    the agenda and the suggestions)."""
    body = _steering_group(chain)
    client = _client(_manager(chain))
    held = Meeting.objects.filter(body=body, status=MeetingStatus.HELD).get()
    announced = Meeting.objects.filter(body=body, status=MeetingStatus.ANNOUNCED).get()
    page, held_queries = _page("meeting_page", client, reverse("governance:meeting_detail", args=[chain.slug, held.pk]))
    coming, coming_queries = _page(
        "meeting_page_announced", client, reverse("governance:meeting_detail", args=[chain.slug, announced.pk])
    )
    floor = sql_p95_ms(_MEETING_FLOOR, {"meeting": held.pk})
    return [
        page,
        Result("meeting_page_queries", held_queries, "count"),
        Result("meeting_page_floor", floor, "ms"),
        coming,
        Result("meeting_page_announced_queries", coming_queries, "count"),
    ]


# What the held meeting's page shows: the meeting, its agenda, attendance, decisions with their
# positions and actions, one statement.
_MEETING_FLOOR = """
SELECT m.id, m.starts_at, m.status,
       (SELECT json_agg(a ORDER BY a."order") FROM governance_agendaitem a WHERE a.meeting_id = m.id),
       (SELECT json_agg(json_build_object('member', t.member_id, 'status', t.status, 'person', p.full_name))
        FROM governance_attendance t JOIN governance_bodymember s ON s.id = t.member_id
        JOIN stakeholders_person p ON p.id = s.person_id WHERE t.meeting_id = m.id),
       (SELECT json_agg(json_build_object('decision', d.title, 'positions',
            (SELECT json_agg(json_build_object('kind', x.kind, 'reason', x.reason, 'partner', o.name))
             FROM governance_decisionposition x JOIN stakeholders_partnership pp ON pp.id = x.partnership_id
             JOIN stakeholders_organisation o ON o.id = pp.organisation_id WHERE x.decision_id = d.id)))
        FROM governance_decision d WHERE d.meeting_id = m.id),
       (SELECT json_agg(json_build_object('action', c.description, 'due', c.due_on, 'owner', q.full_name))
        FROM governance_actionitem c JOIN stakeholders_person q ON q.id = c.owner_id WHERE c.meeting_id = m.id)
FROM governance_meeting m WHERE m.id = %(meeting)s
"""


def decision_register(chain: Chain) -> list[Result]:
    """The register's first page filtered on last year and one partner (about 2,000 decisions
    match; 25 on the page), as the manager reads it."""
    partner = (
        Partnership.objects.filter(chain=chain, status=PartnershipStatus.CORE).order_by("organisation__name").first()
    )
    year = timezone.localdate().year - 1
    url = reverse("governance:decision_list", args=[chain.slug]) + f"?jaar={year}&partner={partner.pk}"
    client = _client(_manager(chain))
    page, queries = _page("decision_register", client, url)
    floor = sql_p95_ms(_REGISTER_FLOOR, {"chain": chain.pk, "year": year, "partner": partner.pk})
    return [
        page,
        Result("decision_register_queries", queries, "count"),
        Result("decision_register_floor", floor, "ms"),
        Result(
            "decision_register_matching",
            Decision.objects.filter(body__chain=chain, decided_on__year=year, positions__partnership=partner).count(),
            "count",
        ),
    ]


# The first 25 decisions of the year on which the partner took a position, newest first, with all
# their positions, and the number matching.
_REGISTER_FLOOR = """
WITH page AS (
    SELECT d.id, d.title, d.status, d.decided_on, d.review_on, b.name AS body, count(*) OVER () AS matching
    FROM governance_decision d JOIN governance_body b ON b.id = d.body_id
    WHERE b.chain_id = %(chain)s
      AND coalesce(d.decided_on, d.closes_on) >= make_date(%(year)s, 1, 1)
      AND coalesce(d.decided_on, d.closes_on) < make_date(%(year)s + 1, 1, 1)
      AND EXISTS (SELECT 1 FROM governance_decisionposition x
                  WHERE x.decision_id = d.id AND x.round = d.round AND x.partnership_id = %(partner)s)
    ORDER BY coalesce(d.decided_on, d.closes_on) DESC, d.id DESC
    LIMIT 25
)
SELECT page.*, x.kind, x.reason, o.name
FROM page JOIN governance_decisionposition x ON x.decision_id = page.id
JOIN stakeholders_partnership pp ON pp.id = x.partnership_id
JOIN stakeholders_organisation o ON o.id = pp.organisation_id
"""


def agenda_suggestions(chain: Chain) -> list[Result]:
    """Computing the suggestions for the steering group's announced meeting, as its page does."""
    meeting = (
        Meeting.objects.filter(body=_steering_group(chain), status=MeetingStatus.ANNOUNCED)
        .select_related("body__chain")
        .get()
    )
    p95_ms = p95_of_rounds("agenda_suggestions", lambda: timed_ms(lambda: suggestions.compute(meeting), PAGE_RUNS))
    with CaptureQueriesContext(connection) as queries:
        found = suggestions.compute(meeting)
    return [
        Result("agenda_suggestions_p95", p95_ms, "ms"),
        Result("agenda_suggestions_queries", len(queries), "count"),
        Result("agenda_suggestions_found", len(found), "count"),
    ]


def ics_feed(chain: Chain) -> list[Result]:
    """A person's calendar feed with 300 meetings (three bodies), fetched without signing in."""
    client = Client()
    url = reverse("governance-feed:calendar_feed_ics", args=[feed_token(chain)])
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    events = response.content.count(b"BEGIN:VEVENT")
    page, queries = _page("ics_feed", client, url, FEED_RUNS)
    floor = sql_p95_ms(_FEED_FLOOR, {"email": feed_person_email(chain)})
    return [
        page,
        Result("ics_feed_queries", queries, "count"),
        Result("ics_feed_meetings", events, "count"),
        Result("ics_feed_floor", floor, "ms"),
    ]


_FEED_FLOOR = """
SELECT m.id, m.starts_at, m.ends_at, m.place, m.online_link, m.status, m.sequence, b.name, c.name, o.name
FROM governance_meeting m JOIN governance_body b ON b.id = m.body_id JOIN stakeholders_chain c ON c.id = b.chain_id
LEFT JOIN stakeholders_partnership h ON h.id = m.host_id
LEFT JOIN stakeholders_organisation o ON o.id = h.organisation_id
WHERE m.body_id IN (SELECT s.body_id FROM governance_bodymember s JOIN stakeholders_person p
                    ON p.id = s.person_id OR p.id = s.alternate_id WHERE p.email = %(email)s)
ORDER BY m.starts_at, m.id
"""


def governance(chain: Chain) -> list[Result]:
    results = [*meeting_page(chain), *decision_register(chain), *agenda_suggestions(chain), *ics_feed(chain)]
    pages = ("meeting_page_queries", "meeting_page_announced_queries", "decision_register_queries", "ics_feed_queries")
    largest = max(r.value for r in results if r.name in pages)
    return [*results, Result("governance_queries", largest, "count")]
