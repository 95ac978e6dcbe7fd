"""Matrix rows of a meeting's agenda, suggestions, attendance and minutes (governance/views/agenda.py
and minutes.py; see tests/matrix/governance/__init__.py).

Their objects live in bodies of their own, so the seats that test the policy change no other
module's expectations: per target a body with a held meeting (two agenda items, a representing
member, an overdue action that is suggested) and a meeting whose minutes are approved. In zsm,
contributor A is the secretary of body A and lead A chairs body B (for partner A); the other
chain's body is run by partner C's lead, who is no persona.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import (
    ActionItem,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Body,
    BodyLevel,
    BodyMember,
    Meeting,
    MeetingStatus,
    MemberPosition,
    SuggestionChoice,
)
from tests.matrix.objects import Objects, Url, of
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    CONTRIBUTOR_A,
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

# --- Who may ------------------------------------------------------------------------------------

# Who runs each target's meetings besides the programme manager and administrators (a seat).
RUNS = {PARTNER_A: CONTRIBUTOR_A, PARTNER_B: LEAD_A}
# Who chairs each target's body besides administrators (programme managers do not approve).
CHAIRS = {PARTNER_B: LEAD_A}


def _seated(allowed: set[str], seat: dict[str, str]):
    def profile(persona: str, target: str) -> int | str:
        if persona == ANONYMOUS:
            return LOGIN
        if target == FORGED:
            return 404  # the meeting is looked up inside the URL's chain first
        if target == OTHER:
            return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
        if persona == OUTSIDER:
            return 404
        return OK if persona in allowed or seat.get(target) == persona else 403

    return profile


# governance.policy.may_run_meetings: the body's chair, vice-chair and secretary, programme managers.
RUN_MEETINGS = _seated({MANAGER, ADMIN}, RUNS)
# governance.policy.may_approve_minutes: the body's chair and vice-chair (and administrators).
APPROVE_MINUTES = _seated({ADMIN}, CHAIRS)


# --- URLs ---------------------------------------------------------------------------------------


def of_with(kind: str, data) -> Url:
    """``of(kind)`` with POST data (a function of the objects and the target)."""
    return Url(of(kind).targets, lambda o, t: {**of(kind).kwargs(o, t), "_data": data(o, t)})


# --- What the POST rows send, and the state they change ----------------------------------------


def _meeting(o: Objects, target: str) -> Meeting:
    return o.get("held_meeting", target)


def a_new_item(o: Objects, target: str) -> dict:
    return {"title": "Rondvraag", "duration_minutes": "10"}


def item_count(o: Objects, target: str) -> int:
    return AgendaItem.objects.filter(meeting=_meeting(o, target)).count()


def new_title(o: Objects, target: str) -> dict:
    return {"title": "Voortgang doorlooptijden"}


def item_title(o: Objects, target: str) -> str:
    return AgendaItem.objects.values_list("title", flat=True).get(pk=o.get("agenda_item", target).pk)


def item_order(o: Objects, target: str) -> list[int]:
    return list(
        AgendaItem.objects.filter(meeting=_meeting(o, target)).order_by("order", "pk").values_list("pk", flat=True)
    )


def item_exists(o: Objects, target: str) -> bool:
    return AgendaItem.objects.filter(pk=o.get("agenda_item", target).pk).exists()


def the_suggestion(o: Objects, target: str) -> dict:
    return {"key": f"action:{o.get('overdue_action', target).pk}"}


def answers(o: Objects, target: str) -> int:
    return SuggestionChoice.objects.filter(meeting=_meeting(o, target)).count()


def present(o: Objects, target: str) -> dict:
    return {f"member-{o.get('agenda_seat', target).pk}": "present"}


def attendance(o: Objects, target: str) -> list:
    return list(Attendance.objects.filter(meeting=_meeting(o, target)).values_list("member_id", "status"))


def new_notes(o: Objects, target: str) -> dict:
    return {"notes": "Besproken; de partners leveren voor 1 december.", "status": AgendaItemStatus.FINISHED}


def item_notes(o: Objects, target: str) -> str:
    return AgendaItem.objects.values_list("notes", flat=True).get(pk=o.get("agenda_item", target).pk)


def meeting_status(o: Objects, target: str) -> str:
    return Meeting.objects.values_list("status", flat=True).get(pk=_meeting(o, target).pk)


def a_reason(o: Objects, target: str) -> dict:
    return {"reason": "Het besluit over de capaciteit ontbrak."}


def approved_status(o: Objects, target: str) -> str:
    return Meeting.objects.values_list("status", flat=True).get(pk=o.get("approved_meeting", target).pk)


ROWS = [
    Row("governance:agenda_item_create", of("held_meeting"), RUN_MEETINGS),
    posting("governance:agenda_item_create", of("held_meeting"), RUN_MEETINGS, a_new_item, item_count),
    Row("governance:agenda_item_edit", of("agenda_item"), RUN_MEETINGS),
    posting("governance:agenda_item_edit", of("agenda_item"), RUN_MEETINGS, new_title, item_title),
    Row(
        "governance:agenda_item_move",
        of_with("agenda_item", lambda o, t: {"direction": "down"}),
        RUN_MEETINGS,
        method="post",
        state=item_order,
    ),
    Row("governance:agenda_item_delete", of("agenda_item"), RUN_MEETINGS, method="post", state=item_exists),
    Row("governance:agenda_suggestions", of("held_meeting"), RUN_MEETINGS),
    Row(
        "governance:suggestion_accept",
        of_with("held_meeting", the_suggestion),
        RUN_MEETINGS,
        method="post",
        state=item_count,
    ),
    Row(
        "governance:suggestion_dismiss",
        of_with("held_meeting", the_suggestion),
        RUN_MEETINGS,
        method="post",
        state=answers,
    ),
    Row("governance:agenda_pdf", of("held_meeting"), READ),
    Row("governance:attendance_edit", of("held_meeting"), RUN_MEETINGS),
    posting("governance:attendance_edit", of("held_meeting"), RUN_MEETINGS, present, attendance),
    Row("governance:minutes_edit", of("agenda_item"), RUN_MEETINGS),
    posting("governance:minutes_edit", of("agenda_item"), RUN_MEETINGS, new_notes, item_notes),
    Row("governance:minutes_approve", of("held_meeting"), APPROVE_MINUTES, method="post", state=meeting_status),
    Row("governance:minutes_reopen", of("approved_meeting"), APPROVE_MINUTES),
    posting("governance:minutes_reopen", of("approved_meeting"), APPROVE_MINUTES, a_reason, approved_status),
    Row("governance:minutes_pdf", of("held_meeting"), READ),
]


def add_objects(w, found) -> None:
    """Per target: ``agenda_body`` with a representing member (``agenda_seat``) and a runner's
    seat, ``held_meeting`` (held last week; two finished items, the first ``agenda_item``; an
    ``overdue_action`` of the body that its agenda suggests) and ``approved_meeting``."""
    now = timezone.now()
    representing = {
        PARTNER_A: (w.chain, w.lead_a, w.partner_a, MemberPosition.MEMBER),
        PARTNER_B: (w.chain, w.lead_a, w.partner_a, MemberPosition.CHAIR),
        OTHER: (w.other_chain, found.lead_c, w.partner_c, MemberPosition.CHAIR),
    }
    for kind in ("agenda_body", "agenda_seat", "held_meeting", "approved_meeting", "agenda_item", "overdue_action"):
        found.by_kind[kind] = {}
    for target, (chain, person, partnership, position) in representing.items():
        body = Body.objects.create(chain=chain, name=f"Agendaoverleg {target}", level=BodyLevel.TACTICAL)
        seat = BodyMember.objects.create(body=body, person=person, partnership=partnership, position=position)
        if target == PARTNER_A:
            BodyMember.objects.create(body=body, person=w.contributor_a, position=MemberPosition.SECRETARY)
        held = Meeting.objects.create(
            body=body,
            starts_at=now - timedelta(days=7),
            ends_at=now - timedelta(days=7, hours=-2),
            status=MeetingStatus.HELD,
        )
        first = AgendaItem.objects.create(meeting=held, title="Opening", order=1, status=AgendaItemStatus.FINISHED)
        AgendaItem.objects.create(meeting=held, title="Voortgang", order=2, status=AgendaItemStatus.FINISHED)
        approved = Meeting.objects.create(
            body=body,
            starts_at=now - timedelta(days=35),
            ends_at=now - timedelta(days=35, hours=-2),
            status=MeetingStatus.MINUTES_APPROVED,
            minutes_approved_at=now - timedelta(days=30),
        )
        overdue = ActionItem.objects.create(
            body=body, owner=person, due_on=timezone.localdate() - timedelta(days=10), description="Notitie opstellen"
        )
        found.by_kind["agenda_body"][target] = body
        found.by_kind["agenda_seat"][target] = seat
        found.by_kind["held_meeting"][target] = held
        found.by_kind["approved_meeting"][target] = approved
        found.by_kind["agenda_item"][target] = first
        found.by_kind["overdue_action"][target] = overdue
