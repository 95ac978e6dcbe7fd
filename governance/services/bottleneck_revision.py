"""A chain's bottleneck revision (ketenportaal/revisions.py): a token that changes whenever the
chain's bottleneck counts ("3 open escalations, 1 overdue at the steering group") may have
changed, so the dashboard and the chain home keep those counts in the cache under it instead of
counting on every request (bottleneck_board.counts).

The counts read bottlenecks (open or not, their body and due day), their escalations, and the
bodies (names, and which one is at the top of the ladder). Those rows are written from pages,
services, Celery tasks and the admin, so the model signals bump, and no writer can forget it; the
one writer that uses statements without signals (the escalation sweep's bulk_create and UPDATE,
services/bottlenecks.py) bumps itself. Figures never bump it: a saved cell keeps these counts.
What passes with no write (a response's due day) is in the cache's key: the day.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from ketenportaal.revisions import RevisionTokens

_TOKENS = RevisionTokens("bottleneck-revision")
current = _TOKENS.current  # current(chain_id) -> str
bump = _TOKENS.bump  # bump(chain_ids): a new token for each, now and again on commit
key = _TOKENS.key  # key(chain_id): the token's key in the cache


def _own_chain(sender, instance, **kwargs) -> None:
    """A bottleneck or a body; and a chain itself: a new chain may have a deleted one's id (SQLite,
    a recreated test database) and must not meet its counts."""
    bump([instance.chain_id if hasattr(instance, "chain_id") else instance.pk])


def _escalation(sender, instance, **kwargs) -> None:
    from governance.models import Bottleneck

    bottleneck = instance.bottleneck if sender._meta.get_field("bottleneck").is_cached(instance) else None
    if bottleneck is not None:
        bump([bottleneck.chain_id])
    else:
        bump(Bottleneck.objects.filter(pk=instance.bottleneck_id).values_list("chain_id", flat=True))


def connect() -> None:
    """Listen to the rows the counts read (GovernanceConfig.ready())."""
    from governance.models import Body, Bottleneck, Escalation
    from stakeholders.models import Chain

    for handler, model in (
        (_own_chain, Chain),
        (_own_chain, Bottleneck),
        (_own_chain, Body),
        (_escalation, Escalation),
    ):
        uid = f"bottleneck-revision:{model._meta.label}"
        post_save.connect(handler, sender=model, dispatch_uid=uid)
        post_delete.connect(handler, sender=model, dispatch_uid=uid)
