"""Add course checks to the benchmark data set (docs/benchmarks.md, "Course checks (issue 13)").

Runs on a database that ``build_national_dataset`` filled (the chains ``bench-*`` with their
partners and members). Per chain ``--checks`` closed course checks (20 by default, one every six
months back from this month) with their eight statements, and ``--respondents`` people over all
chains (2,000 by default: 400 per chain, members of a partner organisation, each asked in every
check of their chain for the partner of their organisation). Nine in ten answered, each with a
score on every statement (relations erode in the latest check); one in five wrote a comment (about a
hundred different ones per dimension), one in seven an open answer. Every check's alert is marked
as worked out (``alert_notified_at``).

So a chain has 20 checks × 400 respondents = 8,000 respondent rows and about 57,600 scores; the
data set 40,000 respondents and about 288,000 scores.

Everything is generated inside PostgreSQL (INSERT … SELECT over generate_series), as the figures
are. PostgreSQL only. Idempotent: a chain that has course checks is left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from governance.models.course_checks import CourseCheck
from stakeholders.models import Chain, Membership, Partnership

CHECKS = 20
RESPONDENTS = 2_000


class Command(BaseCommand):
    help = "Add course checks with respondents and scores to the benchmark data set (PostgreSQL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--checks", type=int, default=CHECKS, help="closed course checks per chain")
        parser.add_argument("--respondents", type=int, default=RESPONDENTS, help="people asked, over all chains")

    def handle(self, *args, checks: int, respondents: int, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The course checks data set is written with PostgreSQL's own functions.")
        chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
        if not chains:
            raise CommandError("No benchmark chains: run build_national_dataset first.")
        per_chain = max(respondents // len(chains), 1)
        for chain in chains:
            if CourseCheck.objects.filter(chain=chain).exists():
                self.stdout.write(f"{chain.slug}: has course checks already")
                continue
            with transaction.atomic():
                asked = self._chain(chain, checks, per_chain)
            self.stdout.write(f"{chain.slug}: {checks} course checks, {asked} people asked in each")
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE governance_coursecheck, governance_coursecheckstatement, "
                "governance_coursecheckrespondent, governance_coursecheckscore"
            )

    def _chain(self, chain: Chain, checks: int, per_chain: int) -> int:
        # Members of a partner organisation, with the partnership of their organisation in this chain.
        partner_of = dict(Partnership.objects.filter(chain=chain).values_list("organisation_id", "pk"))
        members = (
            Membership.objects.filter(chain=chain, person__is_system=False, person__organisation__in=partner_of)
            .order_by("person_id")
            .values_list("person_id", "person__organisation_id")[:per_chain]
        )
        people = [(person, partner_of[organisation]) for person, organisation in members]
        if not people:
            raise CommandError(f"{chain.slug} has no members of a partner organisation.")
        first = timezone.localdate().replace(day=1)
        params = {
            "chain": chain.pk,
            "checks": checks,
            "first": first,
            "now": timezone.now(),
            "people": [p for p, _ in people],
            "partners": [p for _, p in people],
        }
        with connection.cursor() as cursor:
            # k = 1 … checks: opened 6k months before this month, closed 28 days later.
            cursor.execute(
                """
                INSERT INTO governance_coursecheck
                    (chain_id, opens_on, closes_on, status, opened_at, closed_at, reminded_at, question,
                     alert, alert_notified_at, version)
                SELECT %(chain)s, o.day, o.day + 28, 'closed', o.day, o.day + 28, o.day + 21,
                       'Wat moet er veranderen?', '{}'::jsonb, o.day + 28, 1
                FROM generate_series(1, %(checks)s) AS k
                CROSS JOIN LATERAL (SELECT (%(first)s::date - (6 * k || ' months')::interval)::date AS day) o
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO governance_coursecheckstatement (course_check_id, dimension, position, text)
                SELECT c.id, d.dimension, p.position, 'Stelling ' || d.dimension || ' ' || p.position
                FROM governance_coursecheck c
                CROSS JOIN unnest(ARRAY['content', 'procedure', 'relations', 'culture']) AS d(dimension)
                CROSS JOIN generate_series(1, 2) AS p(position)
                WHERE c.chain_id = %(chain)s
                """,
                params,
            )
            # Nine in ten answered; one in seven of them an open answer.
            cursor.execute(
                """
                INSERT INTO governance_coursecheckrespondent
                    (course_check_id, person_id, partnership_id, asked_at, answered_at, reminded_at, open_answer)
                SELECT c.id, m.person, m.partnership, c.opens_on, a.answered, NULL,
                       CASE WHEN a.answered IS NOT NULL AND m.n %% 7 = 0
                            THEN 'Vaker samen evalueren, ronde ' || (m.n %% 13) ELSE '' END
                FROM governance_coursecheck c
                CROSS JOIN unnest(%(people)s::bigint[], %(partners)s::bigint[])
                    WITH ORDINALITY AS m(person, partnership, n)
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN (m.n + c.id) %% 10 <> 0 THEN c.opens_on + interval '5 days' END AS answered
                ) a
                WHERE c.chain_id = %(chain)s
                ORDER BY c.id, m.n
                """,
                params,
            )
            # Scores 1-5 around 3.5; relations a point lower in the latest check (the alert's drop).
            cursor.execute(
                """
                INSERT INTO governance_coursecheckscore (respondent_id, statement_id, score, comment)
                SELECT r.id, s.id,
                       greatest(1, least(5, 2 + (r.id + s.position * 3 + length(s.dimension)) %% 4
                           - CASE WHEN s.dimension = 'relations' AND c.opens_on = latest.day THEN 1 ELSE 0 END)),
                       CASE WHEN (r.id + s.id) %% 5 = 0
                            THEN 'Opmerking ' || (r.id %% 97) || ' over ' || s.dimension ELSE '' END
                FROM governance_coursecheckrespondent r
                JOIN governance_coursecheck c ON c.id = r.course_check_id
                JOIN governance_coursecheckstatement s ON s.course_check_id = c.id
                CROSS JOIN (SELECT max(opens_on) AS day FROM governance_coursecheck WHERE chain_id = %(chain)s) latest
                WHERE c.chain_id = %(chain)s AND r.answered_at IS NOT NULL
                ORDER BY r.id, s.id  -- as answers are written: a respondent's eight scores at once
                """,
                params,
            )
        return len(people)
