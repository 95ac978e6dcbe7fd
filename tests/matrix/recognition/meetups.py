"""Matrix rows of issue 14's meetups (governance/views/meetups.py, under /ketens/<slug>/ontmoetingen/);
see tests/matrix/recognition/__init__.py.

Objects, per target: ``meetup``, an upcoming meetup (zsm's two hosted by partner A and partner B;
the other chain's its own), which every member answers; ``past_meetup``, one that is over, with a
report and a photo. Every member reads the pages, downloads the .ics, sees the photo and answers
for themselves; planning, changing and the report are the programme manager's
(Action.MANAGE_MEETUPS, which the MANAGE profile describes).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models.meetups import Meetup, MeetupRsvp
from tests.factories import morning
from tests.matrix.objects import Objects, _png, in_chain, of
from tests.matrix.policy import MANAGE, OTHER, PARTNER_A, PARTNER_B, READ
from tests.matrix.rows import Row, posting


def a_new_meetup(o: Objects, target: str) -> dict:
    day = timezone.localdate() + timedelta(days=40)
    return {
        "title": "Matrixborrel",
        "day": day.isoformat(),
        "start_time": "16:00",
        "end_time": "18:00",
        "place": "Zwolle",
    }


def meetup_count(o: Objects, target: str) -> int:
    chain = o.world.other_chain if target == OTHER else o.world.chain
    return Meetup.objects.filter(chain=chain).count()


def a_new_title(o: Objects, target: str) -> dict:
    return {"title": "Gewijzigde borrel"}


def meetup_title(o: Objects, target: str) -> str:
    return Meetup.objects.get(pk=o.get("meetup", target).pk).title


def coming(o: Objects, target: str) -> dict:
    return {"answer": "yes"}


def answer_count(o: Objects, target: str) -> int:
    return MeetupRsvp.objects.filter(meetup=o.get("meetup", target)).count()


def a_new_report(o: Objects, target: str) -> dict:
    return {"report": "Een nieuw verslag."}


def report_text(o: Objects, target: str) -> str:
    return Meetup.objects.get(pk=o.get("past_meetup", target).pk).report


ROWS: list[Row] = [
    Row("governance-meetups:meetup_list", in_chain(), READ),
    Row("governance-meetups:meetup_create", in_chain(), MANAGE),
    posting("governance-meetups:meetup_create", in_chain(), MANAGE, a_new_meetup, meetup_count),
    Row("governance-meetups:meetup_detail", of("meetup"), READ),
    Row("governance-meetups:meetup_edit", of("meetup"), MANAGE),
    posting("governance-meetups:meetup_edit", of("meetup"), MANAGE, a_new_title, meetup_title),
    Row("governance-meetups:meetup_rsvp", of("meetup"), READ),
    posting("governance-meetups:meetup_rsvp", of("meetup"), READ, coming, answer_count),
    Row("governance-meetups:meetup_ics", of("meetup"), READ),
    Row("governance-meetups:meetup_report", of("past_meetup"), MANAGE),
    posting("governance-meetups:meetup_report", of("past_meetup"), MANAGE, a_new_report, report_text),
    Row("governance-meetups:meetup_photo", of("past_meetup"), READ),
]


def _meetup(chain, host, days: int, **fields) -> Meetup:
    starts = morning(days)
    return Meetup.objects.create(
        chain=chain,
        title="Ketenborrel",
        host=host,
        place="Utrecht",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        **fields,
    )


def _past(chain, host, days: int) -> Meetup:
    meetup = _meetup(chain, host, days, report="Goed gesprek.", report_photo_alt="Partners aan tafel")
    meetup.report_photo.save("matrix.jpg", _png())
    return meetup


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind`` (one per target)."""
    found.by_kind["meetup"] = {
        PARTNER_A: _meetup(w.chain, w.partner_a, 20),
        PARTNER_B: _meetup(w.chain, w.partner_b, 50),
        OTHER: _meetup(w.other_chain, w.partner_c, 20),
    }
    found.by_kind["past_meetup"] = {
        PARTNER_A: _past(w.chain, w.partner_a, -30),
        PARTNER_B: _past(w.chain, w.partner_b, -60),
        OTHER: _past(w.other_chain, w.partner_c, -30),
    }
