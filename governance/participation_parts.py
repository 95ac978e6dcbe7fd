"""What participation health adds to the chain home (registered in governance/apps.py through
stakeholders/registry.py): the partners that need attention, with what slips, in the read model's
fixed number of queries (governance/services/participation.py)."""

from __future__ import annotations

from governance.services import participation
from stakeholders.models import Chain


def chain_home(user, chain: Chain) -> dict:
    return {"partners_needing_attention": participation.needing_attention(chain)}
