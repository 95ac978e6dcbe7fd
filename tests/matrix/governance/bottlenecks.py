"""Matrix rows of governance's bottlenecks (governance/views/bottlenecks.py; see
tests/matrix/governance/__init__.py).

Each target has an operational body of its own escalating to the bodies module's body (in zsm the
tactical body B, in the other chain its steering group) and a bottleneck there, owned by lead A,
lead B and lead C. Nobody holds a seat in these bodies, so who runs their meetings is the programme
manager and administrators (``RUN``); the owner also edits and moves the status (``OWNER_OR_RUN``)
and escalates — the only one here, as the body has no chair (``OWNER``). Reporting and commenting
is for every member but a viewer (``REPORT``).
"""

from __future__ import annotations

from governance.models import Body, BodyLevel, Bottleneck, BottleneckComment, BottleneckStatus
from tests.matrix.governance.actions import OWNER_OR_RUN, RUN
from tests.matrix.objects import api_of, custom, in_chain, of, plain
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    API,
    FORGED,
    LEAD_A,
    LOGIN,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
    VIEWER,
)
from tests.matrix.rows import Row, posting


def REPORT(persona: str, target: str) -> int | str:
    """Every member of the chain but a viewer; the bottleneck (if any) is looked up first."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        # The outsider is a viewer in the other chain; zsm's members cannot tell it exists.
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return 403 if persona == VIEWER else OK


def OWNER(persona: str, target: str) -> int | str:
    """Escalating by hand: the owner (lead A owns bottleneck A) or the body's chair (none here)."""
    if persona == LEAD_A and target == PARTNER_A:
        return OK
    answer = RUN(persona, target)
    return 403 if answer == OK else answer


def API_REPORT(persona: str, target: str) -> int | str:
    """Reporting through the API: the body names the chain. A body the caller cannot see is a field
    error (400, as any unknown id); in a chain where they only read (a viewer), 403."""
    if persona == ANONYMOUS:
        return 403
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 400)
    if persona == OUTSIDER:
        return 400
    return 403 if persona == VIEWER else OK


def a_bottleneck_json(o, target: str) -> dict:
    owner = {PARTNER_A: o.world.lead_a, PARTNER_B: o.world.lead_b}.get(target) or o.lead_c
    body = _level(o, target)
    return {
        "_data": {"title": "Matrix via API", "description": "Uit het zaaksysteem.", "body": body.pk, "owner": owner.pk}
    }


def _level(o, target: str) -> Body:
    return o.get("bottleneck_body", OTHER if target in (OTHER, FORGED) else PARTNER_A)


def a_new_bottleneck(o, target: str) -> dict:
    owner = o.lead_c if target in (OTHER, FORGED) else o.world.lead_a
    return {"title": "Matrix-knelpunt", "description": "Te laat.", "body": _level(o, target).pk, "owner": owner.pk}


def bottleneck_count(o, target: str) -> int:
    chain = o.world.other_chain if target in (OTHER, FORGED) else o.world.chain
    return Bottleneck.objects.filter(chain=chain).count()


def _row(o, target: str):
    return Bottleneck.objects.filter(pk=o.get("bottleneck", target).pk)


def new_title(o, target: str) -> dict:
    return {"title": "Matrix: herzien"}


def bottleneck_title(o, target: str) -> str:
    return _row(o, target).values_list("title", flat=True).get()


def withdrawn(o, target: str) -> dict:
    return {"status": BottleneckStatus.WITHDRAWN}


def bottleneck_status(o, target: str) -> str:
    return _row(o, target).values_list("status", flat=True).get()


def a_reason(o, target: str) -> dict:
    return {"reason": "Matrix: geen capaciteit."}


def bottleneck_level(o, target: str) -> int:
    return _row(o, target).values_list("body_id", flat=True).get()


def a_response(o, target: str) -> dict:
    return {"response": "Matrix: opgepakt."}


def bottleneck_responded(o, target: str):
    return _row(o, target).values_list("responded_at", flat=True).get()


def a_comment(o, target: str) -> dict:
    return {"text": "Matrix: ook bij ons."}


def comment_count(o, target: str) -> int:
    return BottleneckComment.objects.filter(bottleneck=o.get("bottleneck", target)).count()


ROWS: list = [
    Row("governance:bottleneck_list", in_chain(), READ),
    Row("governance:bottleneck_create", in_chain(), REPORT),
    posting("governance:bottleneck_create", in_chain(), REPORT, a_new_bottleneck, bottleneck_count),
    Row("governance:bottleneck_detail", of("bottleneck"), READ),
    Row("governance:bottleneck_edit", of("bottleneck"), OWNER_OR_RUN),
    posting("governance:bottleneck_edit", of("bottleneck"), OWNER_OR_RUN, new_title, bottleneck_title),
    Row("governance:bottleneck_status", of("bottleneck"), OWNER_OR_RUN),
    posting("governance:bottleneck_status", of("bottleneck"), OWNER_OR_RUN, withdrawn, bottleneck_status),
    Row("governance:bottleneck_escalate", of("bottleneck"), OWNER),
    posting("governance:bottleneck_escalate", of("bottleneck"), OWNER, a_reason, bottleneck_level),
    Row("governance:bottleneck_respond", of("bottleneck"), RUN),
    posting("governance:bottleneck_respond", of("bottleneck"), RUN, a_response, bottleneck_responded),
    Row("governance:bottleneck_comment", of("bottleneck"), REPORT),
    posting("governance:bottleneck_comment", of("bottleneck"), REPORT, a_comment, comment_count),
    Row("governance-api:bottleneck-list", plain(), API),
    Row("governance-api:bottleneck-detail", api_of("bottleneck"), API),
    Row(
        "governance-api:bottleneck-list",
        custom((PARTNER_A, PARTNER_B, OTHER), a_bottleneck_json),
        API_REPORT,
        method="post",
        json=True,
        state=bottleneck_count,
        ok_status=201,
    ),
]


def add_objects(w, found) -> None:
    """Per target an operational body escalating to the bodies module's body of that target's chain
    (``bottleneck_body``) and an open ``bottleneck`` there: A owned by lead A, B by lead B, OTHER by
    the other chain's lead C."""
    bodies = found.by_kind["body"]
    local = Body.objects.create(
        chain=w.chain, name="Matrix-locatieoverleg", level=BodyLevel.OPERATIONAL, escalates_to=bodies[PARTNER_B]
    )
    other = Body.objects.create(
        chain=w.other_chain, name="Matrix-wijkoverleg", level=BodyLevel.OPERATIONAL, escalates_to=bodies[OTHER]
    )
    found.by_kind["bottleneck_body"] = {PARTNER_A: local, PARTNER_B: local, OTHER: other}
    owners = {PARTNER_A: w.lead_a, PARTNER_B: w.lead_b, OTHER: found.lead_c}
    found.by_kind["bottleneck"] = {
        target: Bottleneck.objects.create(
            chain=body.chain, title="Matrix-knelpunt", description="Te laat.", body=body, owner=owners[target]
        )
        for target, body in found.by_kind["bottleneck_body"].items()
    }
