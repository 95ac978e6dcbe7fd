"""Add bottlenecks to the benchmark data set (docs/benchmarks.md, "Bottlenecks (issue 11)").

Runs on a database that ``build_national_dataset`` and ``build_governance_dataset`` filled (the
chains ``bench-*`` with their ladder of 12 bodies: 6 operational → 5 tactical → 1 steering group).
Over the chains, ``--bottlenecks`` bottlenecks (100,000 by default) of which ``--open`` (10,000)
are open, spread over the levels (half operational, a third tactical, the rest at the steering
group), each open one with the escalations that brought it to its level and two partners and an
indicator; one in twenty open ones is overdue (the sweep's work: those below the top escalate,
those at the top are flagged). The others are resolved (with cause and resolution) or withdrawn,
with one partner. Owners are the chain's members of a partner organisation. The escalations'
receivers were told (their ``EscalationNotice`` rows), as in a chain whose sweep runs.

Everything is generated inside PostgreSQL (INSERT … SELECT over generate_series), as the figures
are. PostgreSQL only. Idempotent: a chain that has bottlenecks is left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ambitions.models import Indicator
from governance.models import Body, BodyLevel, Bottleneck
from stakeholders.models import Chain, Membership, Partnership

BOTTLENECKS = 100_000
OPEN = 10_000
BENCH_TITLE = "Benchknelpunt"


class Command(BaseCommand):
    help = "Add bottlenecks with their escalations to the benchmark data set (PostgreSQL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bottlenecks", type=int, default=BOTTLENECKS, help="bottlenecks over all chains")
        parser.add_argument("--open", type=int, default=OPEN, help="of which open, over all chains")

    def handle(self, *args, bottlenecks: int, open: int, **options) -> None:  # noqa: A002 (the option's name)
        if connection.vendor != "postgresql":
            raise CommandError("The bottlenecks data set is written with PostgreSQL's own functions.")
        chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
        if not chains:
            raise CommandError("No benchmark chains: run build_national_dataset first.")
        per_chain, open_per_chain = max(bottlenecks // len(chains), 1), min(open, bottlenecks) // len(chains)
        for chain in chains:
            if Bottleneck.objects.filter(chain=chain).exists():
                self.stdout.write(f"{chain.slug}: has bottlenecks already")
                continue
            bodies = {level: list(Body.objects.filter(chain=chain, level=level).order_by("pk")) for level in BodyLevel}
            if not all(bodies.values()):
                raise CommandError(f"{chain.slug} has no ladder: run build_governance_dataset first.")
            with transaction.atomic():
                self._chain(chain, bodies, per_chain, open_per_chain)
            self.stdout.write(f"{chain.slug}: {per_chain} bottlenecks, {open_per_chain} open")
        # Fresh statistics, so the planner knows what the bulk inserts left (as after a restore).
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE governance_bottleneck, governance_escalation, governance_escalationnotice, "
                "governance_bottleneck_partners, governance_bottleneck_indicators"
            )

    def _chain(self, chain: Chain, bodies: dict, count: int, open_count: int) -> None:
        partners = list(Partnership.objects.filter(chain=chain).current().order_by("pk").values_list("pk", flat=True))
        owners = list(
            Membership.objects.filter(chain=chain, person__organisation__isnull=False, person__is_system=False)
            .order_by("person_id")
            .values_list("person_id", flat=True)[:200]
        )
        indicators = list(Indicator.objects.filter(ambition__chain=chain).order_by("pk").values_list("pk", flat=True))
        params = {
            "chain": chain.pk,
            "count": count,
            "open": open_count,
            "today": timezone.localdate(),
            "now": timezone.now(),
            "owners": owners,
            "operational": [b.pk for b in bodies[BodyLevel.OPERATIONAL]],
            "tactical": [b.pk for b in bodies[BodyLevel.TACTICAL]],
            "strategic": [b.pk for b in bodies[BodyLevel.STRATEGIC]],
            "title": BENCH_TITLE,
        }
        with connection.cursor() as cursor:
            # n < open: open, by level (n % 20: 0-9 operational, 10-16 tactical, 17-19 steering
            # group); n % 20 == 5, 12 or 18 overdue. The rest closed: resolved (two in three) or withdrawn.
            cursor.execute(
                """
                INSERT INTO governance_bottleneck
                    (chain_id, title, description, impact, urgency, owner_id, status, resolution, cause,
                     body_id, level_since, due_on, responded_at, response, reported_by_id, reported_at, closed_at)
                SELECT %(chain)s,
                       CASE WHEN n = 0 THEN %(title)s ELSE 'Knelpunt ' || n END,
                       'Het advies komt niet op tijd binnen; zaken worden aangehouden.',
                       (ARRAY['low', 'medium', 'high'])[1 + n %% 3],
                       (ARRAY['low', 'medium', 'high'])[1 + (n / 3) %% 3],
                       o.owner, s.status,
                       CASE WHEN s.status = 'resolved' THEN 'Extra capaciteit ingezet.' ELSE '' END,
                       CASE WHEN s.status = 'resolved' THEN 'Vacatures.' ELSE '' END,
                       l.body, l.since, l.due,
                       CASE WHEN s.status = 'in_progress' THEN l.since + interval '1 day' END,
                       CASE WHEN s.status = 'in_progress' THEN 'Wordt opgepakt.' ELSE '' END,
                       o.owner, l.since - interval '3 days',
                       CASE WHEN s.status IN ('resolved', 'withdrawn') THEN l.since + interval '10 days' END
                FROM generate_series(0, %(count)s - 1) AS n
                CROSS JOIN LATERAL (
                    SELECT (%(owners)s::bigint[])[1 + n %% cardinality(%(owners)s::bigint[])] AS owner
                ) o
                CROSS JOIN LATERAL (
                    SELECT CASE
                        WHEN n >= %(open)s THEN (CASE WHEN n %% 3 = 0 THEN 'withdrawn' ELSE 'resolved' END)
                        WHEN n %% 20 IN (5, 12, 18) OR n %% 4 <> 1 THEN 'reported'
                        ELSE 'in_progress' END AS status
                ) s
                CROSS JOIN LATERAL (
                    SELECT CASE
                        WHEN n >= %(open)s OR n %% 20 < 10
                            THEN (%(operational)s::bigint[])[1 + n %% cardinality(%(operational)s::bigint[])]
                        WHEN n %% 20 < 17
                            THEN (%(tactical)s::bigint[])[1 + n %% cardinality(%(tactical)s::bigint[])]
                        ELSE (%(strategic)s::bigint[])[1] END AS body,
                        %(now)s::timestamptz - ((n %% 30) || ' days')::interval
                            - (CASE WHEN n >= %(open)s THEN ((n / 100) || ' days')::interval
                                    ELSE interval '0' END) AS since,
                        CASE WHEN n < %(open)s AND n %% 20 IN (5, 12, 18) THEN %(today)s::date - 3
                             ELSE %(today)s::date + 1 + n %% 10 END AS due
                ) l
                """,
                params,
            )
            # The steps up that brought each open bottleneck above the operational level.
            cursor.execute(
                """
                INSERT INTO governance_escalation
                    (bottleneck_id, from_body_id, to_body_id, at, by_id, automatic, reason, due_on, response)
                SELECT b.id, step.from_body, step.to_body, b.level_since - step.back, NULL, true, '',
                       b.due_on, ''
                FROM governance_bottleneck b
                JOIN governance_body here ON here.id = b.body_id
                CROSS JOIN LATERAL (
                    SELECT (SELECT id FROM governance_body
                            WHERE escalates_to_id = b.body_id ORDER BY id LIMIT 1) AS from_body,
                           b.body_id AS to_body, interval '0' AS back
                    WHERE here.level IN ('tactical', 'strategic')
                    UNION ALL
                    SELECT (SELECT o.id FROM governance_body o
                            WHERE o.escalates_to_id = (SELECT t.id FROM governance_body t
                                                       WHERE t.escalates_to_id = b.body_id ORDER BY t.id LIMIT 1)
                            ORDER BY o.id LIMIT 1),
                           (SELECT t.id FROM governance_body t
                            WHERE t.escalates_to_id = b.body_id ORDER BY t.id LIMIT 1),
                           interval '7 days'
                    WHERE here.level = 'strategic'
                ) step
                WHERE b.chain_id = %(chain)s AND b.status IN ('reported', 'in_progress')
                """,
                params,
            )
            # Their receivers were told then (a chain that runs its sweep): each escalation's notices.
            cursor.execute(
                """
                INSERT INTO governance_escalationnotice (escalation_id, person_id, sent_at)
                SELECT DISTINCT e.id, m.person_id, e.at
                FROM governance_escalation e
                JOIN governance_bottleneck b ON b.id = e.bottleneck_id
                JOIN governance_bodymember m ON m.body_id = e.to_body_id AND m.position IN ('chair', 'secretary')
                WHERE b.chain_id = %(chain)s
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO governance_bottleneck_partners (bottleneck_id, partnership_id)
                SELECT b.id, p.id
                FROM governance_bottleneck b
                CROSS JOIN LATERAL (
                    SELECT (%(partners)s::bigint[])[1 + b.id %% cardinality(%(partners)s::bigint[])] AS id
                    UNION
                    SELECT (%(partners)s::bigint[])[1 + (b.id + 3) %% cardinality(%(partners)s::bigint[])]
                    WHERE b.status IN ('reported', 'in_progress')
                ) p
                WHERE b.chain_id = %(chain)s
                """,
                {**params, "partners": partners},
            )
            if indicators:
                cursor.execute(
                    """
                    INSERT INTO governance_bottleneck_indicators (bottleneck_id, indicator_id)
                    SELECT b.id, (%(indicators)s::bigint[])[1 + b.id %% cardinality(%(indicators)s::bigint[])]
                    FROM governance_bottleneck b
                    WHERE b.chain_id = %(chain)s AND b.status IN ('reported', 'in_progress')
                    """,
                    {**params, "indicators": indicators},
                )
