"""Add governance to the benchmark data set (docs/benchmarks.md, "Governance (issue 10)").

Runs on a database that ``build_national_dataset`` filled (its chains ``bench-*``, ten core
partners each). Per chain: 12 bodies (a steering group, 5 tactical and 6 operational bodies), each
with a member and an alternate for every partner (with mandates to vote in a body) and a
secretary; 10 years of monthly meetings (eleven bodies have 120 meetings, one started five years
ago and has 60: 1,380 per chain, 6,900 in all) with 6 agenda items each and attendance for every
seat at the held ones; 10,000 decisions with a position per partner (50,000 decisions, 500,000
positions in all); 40,000 actions (200,000 in all). One person per chain sits in three bodies with
300 meetings between them and has a calendar feed (``FEED_TOKEN``).

The structure (people, bodies, seats, series, meetings) goes through the ORM in bulk, with the
meetings' times from the series rule (governance/services/series.py); the agenda, attendance,
decisions, positions and actions are generated inside PostgreSQL (INSERT … SELECT over
generate_series), as the figures are. PostgreSQL only.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ambitions.models import Indicator
from governance.models import (
    Body,
    BodyLevel,
    BodyMember,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MemberPosition,
    SeriesFrequency,
)
from governance.services import series as series_rules
from stakeholders.models import (
    Chain,
    Mandate,
    MandateScope,
    Membership,
    Partnership,
    PartnershipStatus,
    Person,
    Role,
)

BODIES = 12
MONTHS = 120  # ten years of monthly meetings: nine back, one ahead
SHORT_MONTHS = 60  # the last body started five years ago
MONTHS_AHEAD = 12
DECISIONS_PER_CHAIN = 10_000
ACTIONS_PER_CHAIN = 40_000
AGENDA_ITEMS = 6
FEED_BODIES = (0, 1, BODIES - 1)  # 120 + 120 + 60 = 300 meetings in the feed person's calendar


def feed_token(chain: Chain) -> str:
    """The feed person's secret calendar token (only its hash is stored, as for anyone)."""
    return f"bench-feed-{chain.slug}"


def feed_person_email(chain: Chain) -> str:
    return f"agenda@{chain.slug}.gov.example"


class Command(BaseCommand):
    help = "Add bodies, meetings, decisions and actions to the benchmark data set (PostgreSQL only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--decisions", type=int, default=DECISIONS_PER_CHAIN, help="decisions per chain")
        parser.add_argument("--actions", type=int, default=ACTIONS_PER_CHAIN, help="actions per chain")

    def handle(self, *args, decisions: int, actions: int, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark data set needs PostgreSQL (set DATABASE_URL).")
        chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
        if not chains:
            raise CommandError("Build the national data set first (manage.py build_national_dataset).")
        if Body.objects.filter(chain__in=chains).exists():
            raise CommandError("This database already holds the governance data set.")
        password = make_password("ketenportaal-bench")  # hashed once, shared
        now = timezone.now()
        with transaction.atomic():
            for chain in chains:
                self._chain(chain, password, now, {"decisions": decisions, "actions": actions})
        with connection.cursor() as cursor:
            for table in ("meeting", "agendaitem", "attendance", "decision", "decisionposition", "actionitem"):
                cursor.execute(f"ANALYZE governance_{table}")

    def _chain(self, chain: Chain, password: str, now: datetime, sizes: dict[str, int]) -> None:
        partners = list(
            Partnership.objects.filter(chain=chain, status=PartnershipStatus.CORE)
            .select_related("organisation")
            .order_by("organisation__name", "pk")
        )
        bodies = self._bodies(chain)
        seats = self._seats(chain, bodies, partners, password)
        self._meetings(bodies, seats, partners, now)
        indicators = list(Indicator.objects.filter(ambition__chain=chain).order_by("pk").values_list("pk", flat=True))
        managers = Membership.objects.filter(chain=chain, role=Role.PROGRAMME_MANAGER)
        manager = managers.values_list("person", flat=True)[0]
        params = {"chain": chain.pk, "indicators": indicators, "manager": manager, **sizes}
        with connection.cursor() as cursor:
            for name, sql in _STATEMENTS:
                cursor.execute(sql, params | {"held": _held(cursor, chain)})
                self.stdout.write(f"{chain.slug}: {cursor.rowcount} {name}")

    def _bodies(self, chain: Chain) -> list[Body]:
        levels = [BodyLevel.STRATEGIC] + [BodyLevel.TACTICAL] * 5 + [BodyLevel.OPERATIONAL] * 6
        names = ["Stuurgroep"] + [f"Tactisch overleg {k}" for k in range(1, 6)]
        names += [f"Operationeel overleg {k}" for k in range(1, 7)]
        bodies = Body.objects.bulk_create(
            [
                Body(chain=chain, name=name, level=level, purpose=f"{name} van {chain.name}.", meeting_minutes=120)
                for name, level in zip(names, levels, strict=True)
            ]
        )
        for number, body in enumerate(bodies):
            if body.level == BodyLevel.TACTICAL:
                body.escalates_to = bodies[0]
            elif body.level == BodyLevel.OPERATIONAL:
                body.escalates_to = bodies[1 + (number - 6) % 5]
        Body.objects.bulk_update(bodies, ["escalates_to"])
        return bodies

    def _seats(
        self, chain: Chain, bodies: list[Body], partners: list[Partnership], password: str
    ) -> dict[int, list[BodyMember]]:
        """A member and an alternate per partner in every body (steering group members of the chain
        with a mandate to vote), and one secretary for all bodies; the member for the first partner
        in FEED_BODIES is one and the same person."""

        def person(email: str, partner: Partnership) -> Person:
            return Person(
                email=email,
                full_name=f"{email.split('@')[0].title()} ({chain.name})",
                organisation=partner.organisation,
                password=password,
            )

        feed = person(feed_person_email(chain), partners[0])
        people: dict[tuple[int, int, bool], Person] = {}
        for b in range(len(bodies)):
            for p, partner in enumerate(partners):
                shared = p == 0 and b in FEED_BODIES
                people[b, p, False] = feed if shared else person(f"lid-{b}-{p}@{chain.slug}.gov.example", partner)
                people[b, p, True] = person(f"plv-{b}-{p}@{chain.slug}.gov.example", partner)
        secretary = Person(
            email=f"secretariaat@{chain.slug}.gov.example", full_name=f"Secretariaat {chain.name}", password=password
        )
        unique = list({id(p): p for p in people.values()}.values())
        Person.objects.bulk_create([*unique, secretary])
        Membership.objects.bulk_create(
            [Membership(person=p, chain=chain, role=Role.STEERING_MEMBER) for p in unique]
            + [Membership(person=secretary, chain=chain, role=Role.VIEWER)]
        )
        by_partner = {partner.organisation_id: partner for partner in partners}
        Mandate.objects.bulk_create(
            [
                Mandate(
                    person=p,
                    partnership=by_partner[p.organisation_id],
                    scope=MandateScope.VOTE_IN_BODY,
                    valid_from=date(2010, 1, 1),
                )
                for p in unique
            ]
        )
        CalendarFeed.objects.create(person=feed, token_hash=hashlib.sha256(feed_token(chain).encode()).hexdigest())
        seats = []
        for b, body in enumerate(bodies):
            for p, partner in enumerate(partners):
                position = [MemberPosition.CHAIR, MemberPosition.VICE_CHAIR][p] if p < 2 else MemberPosition.MEMBER
                seats.append(
                    BodyMember(
                        body=body,
                        person=people[b, p, False],
                        partnership=partner,
                        position=position,
                        alternate=people[b, p, True],
                    )
                )
            seats.append(BodyMember(body=body, person=secretary, position=MemberPosition.SECRETARY))
        BodyMember.objects.bulk_create(seats)
        found: dict[int, list[BodyMember]] = {}
        for seat in seats:
            found.setdefault(seat.body_id, []).append(seat)
        return found

    def _meetings(
        self, bodies: list[Body], seats: dict[int, list[BodyMember]], partners: list[Partnership], now: datetime
    ) -> None:
        """Monthly meetings by the series rule: the past ones held (the last one's minutes waiting
        for approval, the others approved), the next one announced, the rest drafts."""
        this_month = timezone.localdate(now).replace(day=1)
        meetings = []
        for number, body in enumerate(bodies):
            months = SHORT_MONTHS if number == len(bodies) - 1 else MONTHS
            first_month = _add_months(this_month, MONTHS_AHEAD - months + 1)
            first = datetime.combine(first_month.replace(day=1 + number), time(10, 0))
            found = series_rules.occurrences(SeriesFrequency.MONTHLY_DATE, 1, first, count=months)
            series = MeetingSeries.objects.create(
                body=body,
                frequency=SeriesFrequency.MONTHLY_DATE,
                first_start=found.starts[0],
                duration_minutes=120,
                count=months,
                rrule=found.rrule_text,
            )
            chair = seats[body.pk][0].person
            past = [start for start in found.starts if start < now]
            for index, start in enumerate(found.starts):
                status = MeetingStatus.DRAFT
                if start < now:
                    status = MeetingStatus.HELD if start == past[-1] else MeetingStatus.MINUTES_APPROVED
                elif index == len(past):
                    status = MeetingStatus.ANNOUNCED
                meetings.append(
                    Meeting(
                        body=body,
                        series=series,
                        starts_at=start,
                        ends_at=start + timedelta(hours=2),
                        place="Vergaderzaal 1",
                        host=partners[index % len(partners)],
                        status=status,
                        announced_at=start - timedelta(days=21) if status != MeetingStatus.DRAFT else None,
                        minutes_approved_at=start + timedelta(days=9)
                        if status == MeetingStatus.MINUTES_APPROVED
                        else None,
                        minutes_approved_by=chair if status == MeetingStatus.MINUTES_APPROVED else None,
                    )
                )
        Meeting.objects.bulk_create(meetings, batch_size=2000)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _held(cursor, chain: Chain) -> int:
    cursor.execute(
        "SELECT count(*) FROM governance_meeting m JOIN governance_body b ON b.id = m.body_id "
        "WHERE b.chain_id = %s AND m.status IN ('held', 'minutes_approved')",
        [chain.pk],
    )
    return cursor.fetchone()[0]


# The held meetings of the chain numbered 0…n-1 (newest first), to spread decisions and actions over.
_HELD = """
WITH held AS (
    SELECT m.id, m.body_id, m.starts_at, row_number() OVER (ORDER BY m.starts_at DESC, m.id DESC) - 1 AS n
    FROM governance_meeting m JOIN governance_body b ON b.id = m.body_id
    WHERE b.chain_id = %(chain)s AND m.status IN ('held', 'minutes_approved')
),
seat AS (
    SELECT s.body_id, s.person_id, s.alternate_id, s.partnership_id,
           row_number() OVER (PARTITION BY s.body_id ORDER BY s.id) - 1 AS k
    FROM governance_bodymember s JOIN governance_body b ON b.id = s.body_id
    WHERE b.chain_id = %(chain)s AND s.partnership_id IS NOT NULL
)
"""

_AGENDA = """
INSERT INTO governance_agendaitem
    ("order", title, duration_minutes, description, suggestion_key, status, notes, meeting_id, presenter_id,
     indicator_id)
SELECT k,
       CASE k WHEN 1 THEN 'Opening en mededelingen' WHEN 2 THEN 'Verslag en actielijst vorige vergadering'
              WHEN 3 THEN 'Stand van de ketenindicatoren' WHEN 6 THEN 'Rondvraag en sluiting'
              ELSE 'Agendapunt ' || k || ' van ' || to_char(m.starts_at, 'YYYY-MM') END,
       CASE WHEN k IN (1, 6) THEN 10 ELSE 25 END, '', '',
       CASE WHEN m.status = 'held' AND k = 4 THEN 'unfinished'
            WHEN m.status IN ('held', 'minutes_approved') THEN 'finished' ELSE 'open' END,
       CASE WHEN m.status IN ('held', 'minutes_approved')
            THEN 'Besproken. De partners spreken af de uitwerking in de volgende vergadering te bespreken.'
            ELSE '' END,
       m.id, chair.person_id,
       CASE WHEN k = 3 THEN (%(indicators)s::bigint[])[1 + m.id %% cardinality(%(indicators)s::bigint[])] END
FROM governance_meeting m
JOIN governance_body b ON b.id = m.body_id
JOIN governance_bodymember chair ON chair.body_id = b.id AND chair.position = 'chair'
CROSS JOIN generate_series(1, 6) AS k
WHERE b.chain_id = %(chain)s
"""

_ATTENDANCE = """
INSERT INTO governance_attendance (status, member_id, meeting_id)
SELECT CASE WHEN (m.id + s.id) %% 13 = 0 THEN 'excused' WHEN (m.id + s.id) %% 11 = 0 THEN 'represented'
            WHEN (m.id + s.id) %% 29 = 0 THEN 'absent' ELSE 'present' END,
       s.id, m.id
FROM governance_meeting m
JOIN governance_body b ON b.id = m.body_id
JOIN governance_bodymember s ON s.body_id = b.id
WHERE b.chain_id = %(chain)s AND m.status IN ('held', 'minutes_approved')
"""

# Decided at a held meeting (one in ten in writing between meetings); adopted, a few rejected or
# withdrawn; a quarter with a review date.
_DECISIONS = (
    _HELD
    + """
INSERT INTO governance_decision
    (title, text, way, closes_on, round, status, outcome_statement, decided_on, review_on, created_at, chain_id,
     body_id, proposed_by_id, meeting_id, indicator_id)
SELECT 'Besluit ' || g || ' over de ketenaanpak',
       'Voorstel ' || g || ': de partners spreken af hoe zij de werkwijze in de keten aanpassen.',
       CASE WHEN g %% 10 = 0 THEN 'written' ELSE 'meeting' END,
       (h.starts_at AT TIME ZONE 'Europe/Amsterdam')::date, 1,
       CASE WHEN g %% 50 = 0 THEN 'rejected' WHEN g %% 70 = 0 THEN 'withdrawn' ELSE 'adopted' END,
       'Besloten volgens de besluitregel van het gremium.',
       (h.starts_at AT TIME ZONE 'Europe/Amsterdam')::date,
       CASE WHEN g %% 4 = 0 THEN (h.starts_at AT TIME ZONE 'Europe/Amsterdam')::date + 365 END,
       h.starts_at - interval '14 days', %(chain)s, h.body_id, %(manager)s, CASE WHEN g %% 10 <> 0 THEN h.id END,
       CASE WHEN g %% 7 = 0 THEN (%(indicators)s::bigint[])[1 + g %% cardinality(%(indicators)s::bigint[])] END
FROM generate_series(0, %(decisions)s - 1) AS g
JOIN held h ON h.n = g %% %(held)s
"""
)

# Every represented partner's position; one in twenty with recorded dissent, some abstentions, an
# objection on the rejected ones; one in nine recorded by the alternate.
_POSITIONS = (
    _HELD
    + """
INSERT INTO governance_decisionposition
    (round, kind, reason, as_alternate, by_silence, recorded_at, decision_id, partnership_id, recorded_by_id)
SELECT 1,
       CASE WHEN d.status = 'rejected' AND s.k = d.id %% 10 THEN 'objection'
            WHEN (d.id + s.k) %% 20 = 0 THEN 'dissent' WHEN (d.id + s.k) %% 31 = 0 THEN 'abstain'
            ELSE 'consent' END,
       CASE WHEN d.status = 'rejected' AND s.k = d.id %% 10
            THEN 'Dit voorstel past niet bij de afspraken die wij eerder met onze opdrachtgever maakten.'
            WHEN (d.id + s.k) %% 20 = 0
            THEN 'Wij stemmen in, maar leggen vast dat onze capaciteit hiervoor onvoldoende is.'
            ELSE '' END,
       (d.id + s.k) %% 9 = 0, false, d.created_at + interval '14 days', d.id, s.partnership_id,
       CASE WHEN (d.id + s.k) %% 9 = 0 THEN s.alternate_id ELSE s.person_id END
FROM governance_decision d
JOIN seat s ON s.body_id = d.body_id
JOIN governance_body b ON b.id = d.body_id
WHERE b.chain_id = %(chain)s
"""
)

# Agreed at a held meeting, owned by a member; long past ones closed, recent ones partly open
# (so each body has some overdue actions), future ones open.
_ACTIONS = (
    _HELD  # noqa: S608 - constant text; the values are parameters
    + """,
action AS (
    SELECT g, h.id AS meeting_id, h.body_id, h.starts_at,
           (h.starts_at AT TIME ZONE 'Europe/Amsterdam')::date + 14 + g %% 60 AS due_on
    FROM generate_series(0, %(actions)s - 1) AS g
    JOIN held h ON h.n = g %% %(held)s
)
INSERT INTO governance_actionitem
    (description, due_on, status, closing_note, carried_over, created_at, closed_at, owner_id, body_id,
     meeting_id)
SELECT 'Actie ' || a.g || ': de uitwerking voorbereiden en terugkoppelen aan het gremium.', a.due_on,
       CASE WHEN a.due_on < current_date - 90 THEN CASE WHEN a.g %% 20 = 0 THEN 'cancelled' ELSE 'done' END
            WHEN a.g %% 10 < 8 THEN 'done' WHEN a.g %% 10 = 8 THEN 'open' ELSE 'in_progress' END,
       CASE WHEN a.due_on < current_date - 90 OR a.g %% 10 < 8 THEN 'Afgerond zoals afgesproken.' ELSE '' END,
       false, a.starts_at + interval '2 hours',
       CASE WHEN a.due_on < current_date - 90 OR a.g %% 10 < 8
            THEN least(a.starts_at + interval '10 days', now()) END,
       s.person_id, a.body_id, a.meeting_id
FROM action a
JOIN seat s ON s.body_id = a.body_id AND s.k = a.g %% 10
"""
)

# Decisions taken and actions agreed under one of the meeting's three subject items (the minutes
# show them there).
_DECISION_ITEMS = """
UPDATE governance_decision d SET agenda_item_id = a.id
FROM governance_agendaitem a
WHERE d.chain_id = %(chain)s AND a.meeting_id = d.meeting_id AND a."order" = 3 + d.id %% 3
"""

_ACTION_ITEMS = """
UPDATE governance_actionitem c SET agenda_item_id = a.id
FROM governance_agendaitem a, governance_body b
WHERE b.chain_id = %(chain)s AND c.body_id = b.id AND a.meeting_id = c.meeting_id AND a."order" = 3 + c.id %% 3
"""

# A decision comes back on the agenda of the body's first meeting on or after its review date
# (suggested there, and accepted), as the register's decisions with a review date in the past did.
_REVIEWS = """
INSERT INTO governance_agendaitem
    ("order", title, duration_minutes, description, suggestion_key, status, notes, meeting_id, decision_id)
SELECT 7, 'Herziening: ' || d.title, 15, '', 'review:' || d.id, 'finished',
       'Herzien: het besluit blijft van kracht.', next.id, d.id
FROM governance_decision d
JOIN governance_body b ON b.id = d.body_id
CROSS JOIN LATERAL (
    SELECT m.id FROM governance_meeting m
    WHERE m.body_id = d.body_id AND m.starts_at >= d.review_on::timestamp AT TIME ZONE 'Europe/Amsterdam'
      AND m.status IN ('held', 'minutes_approved')
    ORDER BY m.starts_at LIMIT 1
) next
WHERE b.chain_id = %(chain)s AND d.review_on IS NOT NULL
"""

# Waiting for each body's announced meeting: two proposals for the meeting, one in a written round.
_OPEN = """
INSERT INTO governance_decision
    (title, text, way, closes_on, round, status, outcome_statement, created_at, chain_id, body_id,
     proposed_by_id, meeting_id)
SELECT 'Voorstel ' || k || ' voor ' || b.name, 'De partners besluiten over de volgende stap in de ketenaanpak.',
       CASE WHEN k = 3 THEN 'written' ELSE 'meeting' END, (m.starts_at AT TIME ZONE 'Europe/Amsterdam')::date, 1,
       'open', '', now() - interval '7 days', b.chain_id, b.id, %(manager)s, CASE WHEN k < 3 THEN m.id END
FROM governance_body b
JOIN governance_meeting m ON m.body_id = b.id AND m.status = 'announced'
CROSS JOIN generate_series(1, 3) AS k
WHERE b.chain_id = %(chain)s
"""

_STATEMENTS = [
    ("agenda items", _AGENDA),
    ("attendance rows", _ATTENDANCE),
    ("decisions", _DECISIONS),
    ("positions", _POSITIONS),
    ("actions", _ACTIONS),
    ("decisions under an agenda item", _DECISION_ITEMS),
    ("actions under an agenda item", _ACTION_ITEMS),
    ("reviews on the agenda", _REVIEWS),
    ("open proposals", _OPEN),
]
