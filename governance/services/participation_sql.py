"""Participation health's governance measures for every partner of a chain in one set-based
statement (governance/services/participation.py reads it; docs/partner-health.md).

Signatures outstanding, overdue actions and the course check's respondents are the models' own
querysets (``services.agreements.unsigned_parties``, ``ActionItem.objects.overdue``,
``CourseCheckRespondent``), compiled by the ORM and grouped per partner as parts of the statement,
so their rules are not restated. Positions and attendance join seats to decisions and meetings,
which the ORM cannot group per partner without a correlated subquery per partner (on a national
chain, 1,250 decisions a year read once per partner: seconds). Their SQL restates three rules, each
with the model's own values as parameters, and tests/governance/test_participation.py holds them
to the ORM's on the same cases:

- a partner is represented by its seats in a representing position
  (``BodyMember.objects.representing()``);
- a seat counts on a day until its ``ended_on`` (``services.attendance.seats_of``: also a seat
  with attendance recorded at the meeting);
- a partner is at the table when one of its seats is present or represented
  (``AttendanceStatus.counting()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from governance.models import ActionItem, AttendanceStatus, DecisionStatus, MeetingStatus, MemberPosition
from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckStatus
from governance.services.agreements import unsigned_parties
from stakeholders.models import Chain

DECIDED = (DecisionStatus.ADOPTED, DecisionStatus.REJECTED)
HELD = (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED)


@dataclass(frozen=True)
class Counts:
    decisions_asked: int = 0
    positions_recorded: int = 0
    meetings_held: int = 0
    meetings_attended: int = 0
    signatures_outstanding: int = 0
    actions_overdue: int = 0
    check_asked: int = 0
    check_answered: int = 0
    check_open: bool = False  # the latest course check is still open


_SEATS_AND_DECISIONS = """
span AS MATERIALIZED (
    -- Per partner and body, when its last representing seat there ends (NULL: one still lasts).
    SELECT partnership_id, body_id,
           CASE WHEN bool_or(ended_on IS NULL) THEN NULL ELSE max(ended_on) END AS ends
    FROM governance_bodymember
    WHERE partnership_id = ANY(%s) AND position = ANY(%s)
    GROUP BY partnership_id, body_id
),
decided AS MATERIALIZED (
    -- A decided decision is filed under its decision date (Decision.filed_on): the register's index.
    SELECT d.id, d.body_id, d.decided_on,
           ARRAY(SELECT p.partnership_id FROM governance_decisionposition p
                 WHERE p.decision_id = d.id AND p.round = d.round AND NOT p.by_silence) AS answered_by
    FROM governance_decision d
    WHERE d.chain_id = %s AND d.status = ANY(%s) AND d.filed_on > %s AND d.filed_on <= %s
      AND d.decided_on > %s AND d.decided_on <= %s
),
positions AS (
    SELECT s.partnership_id, count(*) AS asked,
           count(*) FILTER (WHERE s.partnership_id = ANY(d.answered_by)) AS answered
    FROM decided d
    JOIN span s ON s.body_id = d.body_id AND (s.ends IS NULL OR s.ends > d.decided_on)
    GROUP BY s.partnership_id
),
held AS MATERIALIZED (
    -- Per meeting, the partners of the representing seats with attendance recorded, and of those
    -- at the table: one look at the meeting's attendance rows (a handful each).
    SELECT g.id, g.body_id, (g.starts_at AT TIME ZONE %s)::date AS day,
           coalesce(seen.recorded_for, '{}') AS recorded_for, coalesce(seen.at_table, '{}') AS at_table
    FROM governance_meeting g
    JOIN governance_body b ON b.id = g.body_id
    LEFT JOIN LATERAL (
        SELECT array_agg(x.partnership_id) AS recorded_for,
               array_agg(x.partnership_id) FILTER (WHERE x.status = ANY(%s)) AS at_table
        FROM (
            SELECT a.status, (SELECT m.partnership_id FROM governance_bodymember m
                              WHERE m.id = a.member_id AND m.position = ANY(%s)) AS partnership_id
            FROM governance_attendance a
            WHERE a.meeting_id = g.id
        ) x
    ) seen ON true
    WHERE b.chain_id = %s AND g.status = ANY(%s) AND g.starts_at <= %s
      AND (g.starts_at AT TIME ZONE %s)::date > %s AND (g.starts_at AT TIME ZONE %s)::date <= %s
),
meetings AS (
    SELECT s.partnership_id, count(*) AS held,
           count(*) FILTER (WHERE s.partnership_id = ANY(h.at_table)) AS attended
    FROM held h
    JOIN span s ON s.body_id = h.body_id
        AND (s.ends IS NULL OR s.ends > h.day OR s.partnership_id = ANY(h.recorded_for))
    GROUP BY s.partnership_id
)"""

_SELECT = """
SELECT p.id,
       coalesce(positions.asked, 0), coalesce(positions.answered, 0),
       coalesce(meetings.held, 0), coalesce(meetings.attended, 0),
       coalesce(signatures.n, 0), coalesce(actions.n, 0),
       coalesce(checks.asked, 0), coalesce(checks.answered, 0),
       coalesce((SELECT status FROM latest_check) = %s, false)
FROM stakeholders_partnership p
LEFT JOIN positions ON positions.partnership_id = p.id
LEFT JOIN meetings ON meetings.partnership_id = p.id
LEFT JOIN signatures ON signatures.partnership_id = p.id
LEFT JOIN actions ON actions.organisation_id = p.organisation_id
LEFT JOIN checks ON checks.partnership_id = p.id
WHERE p.id = ANY(%s)"""


def _compiled(rows: QuerySet) -> tuple[str, tuple]:
    return rows.order_by().query.sql_with_params()


def counts(chain: Chain, partner_ids: list[int], today: date, since: date, now: datetime) -> dict[int, Counts]:
    """Partnership id → its governance counts (one statement)."""
    if not partner_ids:
        return {}
    signatures = (
        unsigned_parties()
        .filter(agreement__chain=chain)
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values("partnership_id", "n")
    )
    actions = (
        ActionItem.objects.overdue(today)
        .filter(body__chain=chain)
        .values(organisation_id=F("owner__organisation_id"))
        .annotate(n=Count("pk"))
        .values("organisation_id", "n")
    )
    newest = CourseCheck.objects.filter(chain=chain).order_by("-opens_on", "-pk")
    latest = newest.values("pk")[:1]
    checks = (
        CourseCheckRespondent.objects.filter(course_check__in=latest)
        .values("partnership_id")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .values("partnership_id", "asked", "answered")
    )
    parts, params = [], []
    for name, rows in (("signatures", signatures), ("actions", actions), ("checks", checks)):
        sql, part_params = _compiled(rows)
        parts.append(f"{name} AS ({sql})")
        params += part_params
    sql, part_params = newest.values("status")[:1].query.sql_with_params()  # keeps its order
    parts.append(f"latest_check AS ({sql})")
    params += part_params
    tz = settings.TIME_ZONE
    representing = list(MemberPosition.representing())
    representing = list(MemberPosition.representing())
    own = [
        *(partner_ids, representing),
        *(chain.pk, list(DECIDED), since, today, since, today),
        *(tz, list(AttendanceStatus.counting()), representing),
        *(chain.pk, list(HELD), now, tz, since, tz, today),
    ]
    sql = f"WITH {_SEATS_AND_DECISIONS.strip()},\n" + ",\n".join(parts) + _SELECT
    with connection.cursor() as cursor:
        cursor.execute(sql, [*own, *params, CourseCheckStatus.OPEN, partner_ids])
        return {row[0]: Counts(*row[1:]) for row in cursor.fetchall()}
