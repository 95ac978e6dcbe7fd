"""What agreements add to *My work* (registered in governance/apps.py): the signatures waiting for
my mandate — agreements for signature whose current version a party I may sign for (a usable
mandate to sign agreements) has not signed yet. One query (services/agreements.py)."""

from __future__ import annotations

from governance.services.agreements import waiting_for_signature


def items(user) -> dict:
    return {"signatures_waiting": waiting_for_signature(user)}
