"""Matrix rows of governance's actions (governance/views/actions.py; see tests/matrix/governance/__init__.py).

Who runs a body's meetings (governance/policy.py may_run_meetings): in the matrix's bodies nobody
holds a chair, vice-chair or secretary seat, so that is the programme manager and administrators.
The owner of an action may also change its status: lead A owns action A, lead B action B.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import ActionItem, ActionStatus, AgendaItem, Decision, Meeting, MeetingStatus
from tests.matrix.objects import in_chain, of
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    FORGED,
    LEAD_A,
    LOGIN,
    MANAGER,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
)
from tests.matrix.rows import Row, posting


def RUN(persona: str, target: str) -> int | str:
    """Who may run the body's meetings: programme managers and administrators here. The action
    (or the body, agenda item, decision) is looked up in the chain first: a forged one is not found."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        # The outsider is a viewer in the other chain; zsm's members cannot tell it exists.
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return OK if persona in (MANAGER, ADMIN) else 403


def OWNER_OR_RUN(persona: str, target: str) -> int | str:
    """The status step: who runs the meetings, and the action's owner (lead A owns action A)."""
    if persona == LEAD_A and target == PARTNER_A:
        return OK
    return RUN(persona, target)


def _owner(o, target: str):
    """Someone the form offers as owner in the target's chain (the forged URL shows the other chain's form)."""
    return o.lead_c if target in (OTHER, FORGED) else (o.world.lead_a if target == PARTNER_A else o.world.lead_b)


def a_new_action(o, target: str) -> dict:
    due = timezone.localdate() + timedelta(days=30)
    return {"description": "Matrix-actie", "owner": _owner(o, target).pk, "due_on": due.isoformat()}


def action_count(kind: str):
    def state(o, target: str) -> int:
        obj = o.get(kind, target)
        body = obj if kind == "body" else (obj.meeting.body if kind == "action_agenda_item" else obj.body)
        return ActionItem.objects.filter(body=body).count()

    return state


def action_description(o, target: str) -> str:
    return ActionItem.objects.values_list("description", flat=True).get(pk=o.get("action", target).pk)


def new_description(o, target: str) -> dict:
    return {"description": "Matrix: herzien"}


def action_status(o, target: str) -> str:
    return ActionItem.objects.values_list("status", flat=True).get(pk=o.get("action", target).pk)


def in_progress(o, target: str) -> dict:
    return {"status": ActionStatus.IN_PROGRESS}


def action_exists(o, target: str) -> bool:
    return ActionItem.objects.filter(pk=o.get("action", target).pk).exists()


def nothing(o, target: str) -> dict:
    return {}


ROWS: list = [
    Row("governance:action_list", in_chain(), READ),
    Row("governance:action_body_list", of("body"), READ),
    Row("governance:action_detail", of("action"), READ),
    Row("governance:action_create", of("body"), RUN),
    posting("governance:action_create", of("body"), RUN, a_new_action, action_count("body")),
    Row("governance:action_create_from_agenda_item", of("action_agenda_item"), RUN),
    posting(
        "governance:action_create_from_agenda_item",
        of("action_agenda_item"),
        RUN,
        a_new_action,
        action_count("action_agenda_item"),
    ),
    Row("governance:action_create_from_decision", of("action_decision"), RUN),
    posting(
        "governance:action_create_from_decision",
        of("action_decision"),
        RUN,
        a_new_action,
        action_count("action_decision"),
    ),
    Row("governance:action_edit", of("action"), RUN),
    posting("governance:action_edit", of("action"), RUN, new_description, action_description),
    Row("governance:action_status", of("action"), OWNER_OR_RUN),
    posting("governance:action_status", of("action"), OWNER_OR_RUN, in_progress, action_status),
    Row("governance:action_delete", of("action"), RUN),
    posting("governance:action_delete", of("action"), RUN, nothing, action_exists),
]


def add_objects(w, found) -> None:
    """Per target, in the bodies module's body A, B and the other chain's body (whose meetings only
    the programme manager and administrators run): a held meeting with an agenda item
    (``action_agenda_item``), an open decision (``action_decision``), and an ``action`` owned by
    lead A, lead B and lead C. Own objects rather than the agenda and decisions modules': theirs
    sit in bodies with seats that run meetings, which would change these rows' expectations."""
    now = timezone.now()
    proposer = {PARTNER_A: w.manager, PARTNER_B: w.manager, OTHER: found.lead_c}
    owner = {PARTNER_A: w.lead_a, PARTNER_B: w.lead_b, OTHER: found.lead_c}
    for kind in ("action_agenda_item", "action_decision", "action"):
        found.by_kind[kind] = {}
    for target, body in found.by_kind["body"].items():
        held = Meeting.objects.create(
            body=body,
            starts_at=now - timedelta(days=2),
            ends_at=now - timedelta(days=2, hours=-2),
            status=MeetingStatus.HELD,
        )
        found.by_kind["action_agenda_item"][target] = AgendaItem.objects.create(meeting=held, title="Matrix-punt")
        found.by_kind["action_decision"][target] = Decision.objects.create(
            body=body,
            proposed_by=proposer[target],
            title="Matrix-besluit",
            text="Voorstel.",
            closes_on=timezone.localdate() + timedelta(days=14),
        )
        found.by_kind["action"][target] = ActionItem.objects.create(
            body=body, owner=owner[target], description="Matrix-actie", due_on=timezone.localdate() + timedelta(days=7)
        )
