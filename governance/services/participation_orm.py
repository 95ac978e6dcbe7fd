"""Participation health's governance measures on a database other than PostgreSQL (the embedded
SQLite of ``make demo``): the same counts as services/participation_sql.py, in one statement too,
but written with the ORM — a correlated subquery per partner and measure. That is what the
PostgreSQL statement avoids on a national chain (a year of decisions read once per partner); on
the embedded default, a demo or a small chain, it costs little and needs no array, LATERAL or time
zone SQL. tests/governance/test_participation.py runs its cases on both.

Each measure is the models' own rule, as in the statement: a partner is represented by its seats
in a representing position (``BodyMember.objects.representing()``), a seat counts on a day until
its ``ended_on`` or when attendance was recorded for it (``services.attendance.seats_of``), and a
partner is at the table when one of its seats was present or represented
(``AttendanceStatus.counting()``).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from governance.models import (
    ActionItem,
    Attendance,
    AttendanceStatus,
    BodyMember,
    Decision,
    DecisionPosition,
    Meeting,
)
from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckStatus
from governance.services.agreements import unsigned_parties
from governance.services.participation_sql import DECIDED, HELD, Counts
from stakeholders.models import Chain, Partnership


def _count(rows) -> Coalesce:
    """The number of ``rows`` (a queryset correlated with the partner) as a subquery."""
    counted = rows.order_by().values(n=Func("pk", function="COUNT"))  # one row, no GROUP BY
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def counts(chain: Chain, partner_ids: list[int], today: date, since: date, now: datetime) -> dict[int, Counts]:
    """Partnership id → its governance counts (one statement)."""
    if not partner_ids:
        return {}
    partner = OuterRef("pk")
    seats = BodyMember.all_seats.representing().filter(partnership=OuterRef(partner))

    seated_then = Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("decided_on"))
    decisions = Decision.objects.filter(
        chain=chain, status__in=DECIDED, decided_on__gt=since, decided_on__lte=today
    ).filter(Exists(seats.filter(body=OuterRef("body")).filter(seated_then)))
    answered = decisions.filter(
        Exists(
            # Consent by silence (issue 15) is no position the partner took.
            DecisionPosition.objects.filter(
                decision=OuterRef("pk"), round=OuterRef("round"), partnership=OuterRef(partner), by_silence=False
            )
        )
    )

    attended_seat = Attendance.objects.filter(meeting=OuterRef(OuterRef("pk")), member=OuterRef("pk"))
    meetings = (
        Meeting.objects.filter(body__chain=chain, status__in=HELD, starts_at__lte=now)
        .annotate(day=TruncDate("starts_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .filter(day__gt=since, day__lte=today)
        .filter(
            Exists(
                seats.filter(body=OuterRef("body")).filter(
                    Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("day")) | Exists(attended_seat)
                )
            )
        )
    )
    at_table = meetings.filter(
        Exists(
            Attendance.objects.filter(
                meeting=OuterRef("pk"),
                member__in=BodyMember.all_seats.representing().filter(partnership=OuterRef(OuterRef(partner))),
                status__in=AttendanceStatus.counting(),
            )
        )
    )

    latest = CourseCheck.objects.filter(chain=chain).order_by("-opens_on", "-pk")
    respondents = CourseCheckRespondent.objects.filter(
        course_check=Subquery(latest.values("pk")[:1]), partnership=partner
    )
    rows = Partnership.objects.filter(pk__in=partner_ids).annotate(
        decisions_asked=_count(decisions),
        positions_recorded=_count(answered),
        meetings_held=_count(meetings),
        meetings_attended=_count(at_table),
        signatures_outstanding=_count(unsigned_parties().filter(agreement__chain=chain, partnership=partner)),
        actions_overdue=_count(
            ActionItem.objects.overdue(today).filter(body__chain=chain, owner__organisation=OuterRef("organisation"))
        ),
        check_asked=_count(respondents),
        check_answered=_count(respondents.filter(answered_at__isnull=False)),
        check_open=Exists(
            CourseCheck.objects.filter(pk=Subquery(latest.values("pk")[:1]), status=CourseCheckStatus.OPEN)
        ),
    )
    names = [
        "decisions_asked",
        "positions_recorded",
        "meetings_held",
        "meetings_attended",
        "signatures_outstanding",
        "actions_overdue",
        "check_asked",
        "check_answered",
        "check_open",
    ]
    return {row["pk"]: Counts(*(row[name] for name in names)) for row in rows.values("pk", *names)}
