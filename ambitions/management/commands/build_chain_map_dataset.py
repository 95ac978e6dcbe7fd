"""Add chain maps to the benchmark data set (docs/benchmarks-recognition.md, "Chain map").

Runs on a database that ``build_national_dataset`` filled (the chains ``bench-*`` with their
partners and indicators). Every benchmark chain gets a relay map of eight steps — more than a real
relay has (ZSM has five) — holding all ten of its partners (the first two steps two in parallel,
each partner once) and one of the chain's indicators per step as its lead-time indicator, so the
map page reads eight indicators' roll-ups.

Idempotent: a chain that has a map is left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ambitions.models import Indicator
from ambitions.models.chain_map import ChainMap, StepDraft
from stakeholders.models import Chain, ChainKind, Partnership

STEPS = 8


class Command(BaseCommand):
    help = "Add a chain map of eight steps to every benchmark chain."

    def handle(self, *args, **options) -> None:
        chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
        if not chains:
            raise CommandError("No benchmark chains: run build_national_dataset first.")
        for chain in chains:
            if ChainMap.objects.filter(chain=chain).exists():
                self.stdout.write(f"{chain.slug}: has a map already")
                continue
            partners = list(Partnership.objects.filter(chain=chain).select_related("organisation").order_by("pk"))
            indicators = list(
                Indicator.objects.filter(ambition__chain=chain).order_by("ambition__position", "position")
            )
            if len(partners) < STEPS or len(indicators) < STEPS:
                raise CommandError(f"{chain.slug}: needs {STEPS} partners and {STEPS} indicators for its map.")
            # Each partner at one step (no loop); the partners left over join the first steps in parallel.
            held = [[partner] for partner in partners[:STEPS]]
            for n, partner in enumerate(partners[STEPS:]):
                held[n % STEPS].append(partner)
            drafts = [StepDraft(n + 1, f"Stap {n + 1}", held[n], indicators[n]) for n in range(STEPS)]
            with transaction.atomic():
                Chain.objects.filter(pk=chain.pk).update(kind=ChainKind.RELAY)
                chain_map = ChainMap.objects.create(chain=chain)
                chain_map.replace_steps("", drafts, 0, None)
            self.stdout.write(f"{chain.slug}: {STEPS} steps")
