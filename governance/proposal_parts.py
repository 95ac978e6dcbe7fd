"""What governance adds to an indicator proposal's page (ambitions/proposal_parts.py, registered in
governance/apps.py): "Put it on the agenda of the body that decides" for a stalled proposal
(governance/services/proposal_agenda.py), and where it stands once it is there.

Nothing (no query) for a proposal that is not stopped or past its answer deadline; else at most
three queries (the open decision; for who may put it on the agenda also the strategic bodies and
whether the body decided this round), whatever the number of partners or rounds.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from ambitions.models import EventKind, ProposalEvent
from governance.forms.proposal_agenda import DecidingBodyForm
from governance.policy import may_put_proposal_on_agenda
from governance.services import proposal_agenda

TEMPLATE = "governance/proposals/_proposal_agenda.html"


def agenda_part(user, version) -> dict | None:
    if not proposal_agenda.stalled(version, timezone.localdate()):
        return None
    chain = version.indicator.ambition.chain
    decision = proposal_agenda.open_decision(version)
    if decision is not None:
        decision.body.chain = chain
        return {"chain": chain, "version": version, "decision": decision}
    if not may_put_proposal_on_agenda(user, version):
        return None
    if ProposalEvent.objects.filter(version=version, round=version.round, kind=EventKind.BODY_DECIDED).exists():
        return None  # the body decided this round: the timeline says so
    bodies = proposal_agenda.deciding_bodies(chain)
    return {
        "chain": chain,
        "version": version,
        "decision": None,
        "bodies": bodies,
        "form": DecidingBodyForm(bodies=bodies) if len(bodies) > 1 else None,
        "past_deadline": proposal_agenda.past_deadline(version, timezone.localdate()),
        "action": reverse("governance:decision_from_proposal", args=[chain.slug, version.pk]),
    }
