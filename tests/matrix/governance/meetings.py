"""Matrix rows of governance's meetings (views/meetings.py; see tests/matrix/governance/__init__.py).

Objects, on the bodies of bodies.py (``found.by_kind["body"]``), one per target: ``meeting``, a
draft a week ahead, and ``begun_meeting``, announced and begun half an hour ago (to be marked held).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import Meeting, MeetingStatus
from tests.factories import morning
from tests.matrix.objects import Objects, of
from tests.matrix.policy import ADMIN, ANONYMOUS, FORGED, LOGIN, MANAGER, OK, OTHER, OUTSIDER, READ
from tests.matrix.rows import Row, posting


def RUN_MEETINGS(persona: str, target: str) -> int | str:
    """governance.policy.may_run_meetings: the body's chair, vice-chair and secretary (no persona
    holds such a seat in the matrix's bodies) and programme managers and administrators. The body
    or meeting is looked up in the URL's chain first, so a forged one is not found by anyone."""
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


# --- What the POST rows send, and the state they change ---------------------------------------


def a_new_meeting(o: Objects, target: str) -> dict:
    day = timezone.localdate() + timedelta(days=21)
    return {"day": day.isoformat(), "start_time": "10:00", "end_time": "12:00", "place": "Stadhuis"}


def meeting_count(o: Objects, target: str) -> int:
    return Meeting.objects.filter(body=o.get("body", target)).count()


def another_place(o: Objects, target: str) -> dict:
    return {"place": "Paleis van Justitie"}


def meeting_place(o: Objects, target: str) -> str:
    return Meeting.objects.values_list("place", flat=True).get(pk=o.get("meeting", target).pk)


def status_of(kind: str):
    def state(o: Objects, target: str) -> str:
        return Meeting.objects.values_list("status", flat=True).get(pk=o.get(kind, target).pk)

    return state


ROWS: list = [
    Row("governance:meeting_list", of("body"), READ),
    Row("governance:meeting_create", of("body"), RUN_MEETINGS),
    posting("governance:meeting_create", of("body"), RUN_MEETINGS, a_new_meeting, meeting_count),
    Row("governance:meeting_detail", of("meeting"), READ),
    Row("governance:meeting_edit", of("meeting"), RUN_MEETINGS),
    posting("governance:meeting_edit", of("meeting"), RUN_MEETINGS, another_place, meeting_place),
    Row("governance:meeting_announce", of("meeting"), RUN_MEETINGS, method="post", state=status_of("meeting")),
    Row("governance:meeting_hold", of("begun_meeting"), RUN_MEETINGS, method="post", state=status_of("begun_meeting")),
    Row("governance:meeting_cancel", of("meeting"), RUN_MEETINGS, method="post", state=status_of("meeting")),
]


def add_objects(w, found) -> None:
    """Per target, on its body: a draft ``meeting`` a week ahead and an announced
    ``begun_meeting`` that began half an hour ago."""
    now = timezone.now()
    found.by_kind["meeting"], found.by_kind["begun_meeting"] = {}, {}
    for target, body in found.by_kind["body"].items():
        found.by_kind["meeting"][target] = Meeting.objects.create(
            body=body, starts_at=morning(7), ends_at=morning(7) + timedelta(hours=2), place="Stadhuis"
        )
        found.by_kind["begun_meeting"][target] = Meeting.objects.create(
            body=body,
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(minutes=90),
            place="Stadhuis",
            status=MeetingStatus.ANNOUNCED,
            announced_at=now - timedelta(days=7),
        )
