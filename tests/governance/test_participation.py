"""Participation health (governance/services/participation.py): each measure exact on hand-made
cases, the summary's words, and the read model's fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone, translation

from ambitions.models import Ambition, Figure, Indicator
from ambitions.services import aggregates
from governance.models import (
    Attendance,
    AttendanceStatus,
    BodyMember,
    DecisionPosition,
    DecisionStatus,
    Meeting,
    MeetingStatus,
    MemberPosition,
    PositionKind,
)
from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckStatus
from governance.services import participation
from governance.services.attendance import seats_of
from stakeholders.models import PartnershipStatus
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory, PersonFactory
from tests.governance import action_fixtures as make
from tests.governance.agreement_fixtures import build_parties, covenant, sign
from tests.measures import adopted_version

TODAY = date(2025, 7, 15)  # January to June 2025 are past their deadline (the 10th of the next month)


def of(world: World, rows, partnership=None):
    partnership = partnership or world.partner_a
    return next(row for row in rows if row.partnership == partnership)


def monthly_indicator(w: World, **fields) -> Indicator:
    ambition = Ambition.objects.create(chain=w.chain, statement="Snel recht", horizon=date(2027, 12, 31))
    indicator = Indicator.objects.create(ambition=ambition, name="Zaken")
    adopted_version(indicator, [w.unit_a, w.unit_b], **({"effective_from": date(2025, 1, 1)} | fields))
    return indicator


def figure(indicator: Indicator, unit, period: date, *, late: bool = False, value="10") -> Figure:
    version = indicator.versions.get()
    return Figure.objects.create(
        indicator=indicator,
        version=version,
        unit=unit,
        organisation=unit.organisation,
        period=period,
        value=Decimal(value) if value is not None else None,
        is_late=late,
    )


# --- Figures on time --------------------------------------------------------------------------


def test_it_counts_the_periods_with_every_figure_in_and_none_late(world: World):
    indicator = monthly_indicator(world)
    for month in (1, 2, 4, 5, 6):
        figure(indicator, world.unit_a, date(2025, month, 1), late=month == 2)
    figure(indicator, world.unit_a, date(2025, 7, 1))  # July: its deadline is still to come
    aggregates.rebuild_all()
    rows = participation.health(world.chain, TODAY)
    # January to June: February was late, March is missing.
    assert of(world, rows).figures == participation.Share(4, 6)
    assert of(world, rows, world.partner_b).figures == participation.Share(0, 6)


def test_a_figure_without_data_does_not_count_as_reported(world: World):
    indicator = monthly_indicator(world)
    for month in range(1, 7):
        figure(indicator, world.unit_a, date(2025, month, 1), value=None if month == 3 else "5")
    aggregates.rebuild_all()
    assert of(world, participation.health(world.chain, TODAY)).figures == participation.Share(5, 6)


def test_it_counts_the_last_twelve_periods_only(world: World):
    indicator = monthly_indicator(world, effective_from=date(2024, 1, 1))
    figure(indicator, world.unit_a, date(2024, 6, 1))  # thirteen months back: not counted
    aggregates.rebuild_all()
    share = of(world, participation.health(world.chain, TODAY)).figures
    assert share == participation.Share(0, 12)  # July 2024 to June 2025


def test_it_judges_no_periods_before_the_first_deadline(world: World):
    monthly_indicator(world)
    row = of(world, participation.health(world.chain, date(2025, 2, 5)))  # January is due on 10 February
    assert row.figures == participation.Share(0, 0)
    assert "figures" not in row.flags


def test_a_partner_with_no_reporting_unit_has_no_periods(world: World):
    indicator = monthly_indicator(world)
    indicator.versions.get().reporting_units.set([world.unit_a])
    rows = participation.health(world.chain, TODAY)
    assert of(world, rows, world.partner_b).figures == participation.Share(0, 0)
    assert of(world, rows).figures == participation.Share(0, 6)


# --- Positions and meetings ---------------------------------------------------------------------


@pytest.fixture
def body(world: World):
    body = make.body(world.chain)
    make.seat(body, world.lead_a, world.partner_a)
    return body


def decided(body, world: World, day: date, status=DecisionStatus.ADOPTED, **fields):
    return make.decision(body, world.manager, closes_on=day, status=status, decided_on=day, **fields)


def position(decision, partnership, person, round=1):
    DecisionPosition.objects.create(
        decision=decision, round=round, partnership=partnership, kind=PositionKind.CONSENT, recorded_by=person
    )


def test_it_counts_positions_on_the_decisions_of_the_bodies_where_the_partner_is_represented(world: World, body):
    today = timezone.localdate()
    recorded = decided(body, world, today - timedelta(days=10))
    position(recorded, world.partner_a, world.lead_a)
    decided(body, world, today - timedelta(days=20), status=DecisionStatus.REJECTED)
    amended = decided(body, world, today - timedelta(days=30), round=2)
    position(amended, world.partner_a, world.lead_a, round=1)  # not the last round
    decided(body, world, today - timedelta(days=400))  # more than a year ago
    make.decision(body, world.manager)  # still open
    decided(body, world, today - timedelta(days=5), status=DecisionStatus.WITHDRAWN)
    other = make.body(world.chain, "Tactisch overleg")  # A has no seat there
    decided(other, world, today - timedelta(days=5))
    rows = participation.health(world.chain)
    assert of(world, rows).positions == participation.Share(1, 3)
    assert of(world, rows, world.partner_b).positions == participation.Share(0, 0)  # no seat anywhere


def test_an_ended_seat_counts_for_the_decisions_before_its_end_only(world: World, body):
    today = timezone.localdate()
    seat = make.seat(body, world.lead_b, world.partner_b)
    seat.ended_on = today - timedelta(days=15)
    seat.save()
    decided(body, world, today - timedelta(days=20))
    decided(body, world, today - timedelta(days=15))  # the day it ended: no longer seated
    decided(body, world, today - timedelta(days=5))
    assert of(world, participation.health(world.chain), world.partner_b).positions == participation.Share(0, 1)


def test_a_secretary_does_not_make_a_partner_represented(world: World, body):
    make.seat(body, world.lead_b, world.partner_b, position=MemberPosition.SECRETARY)
    decided(body, world, timezone.localdate() - timedelta(days=3))
    assert of(world, participation.health(world.chain), world.partner_b).positions == participation.Share(0, 0)


def held(body, days_ago: int, status=MeetingStatus.HELD, today: date | None = None):
    """A meeting ``days_ago`` days before ``today`` (now), 10:00."""
    day = (today or timezone.localdate()) - timedelta(days=days_ago)
    starts_at = timezone.make_aware(datetime.combine(day, time(10)))
    return make.meeting(body, starts_at, status=status)


def test_it_counts_held_meetings_where_one_of_its_seats_was_at_the_table(world: World, body):
    second = make.seat(body, world.contributor_a, world.partner_a)
    present = held(body, 10)
    Attendance.objects.create(meeting=present, member=second, status=AttendanceStatus.PRESENT)
    Attendance.objects.create(meeting=present, member=body.members.get(person=world.lead_a), status="absent")
    by_alternate = held(body, 20)
    Attendance.objects.create(meeting=by_alternate, member=second, status=AttendanceStatus.REPRESENTED)
    Meeting.objects.filter(pk=by_alternate.pk).update(status=MeetingStatus.MINUTES_APPROVED)
    excused = held(body, 30)
    Attendance.objects.create(meeting=excused, member=second, status=AttendanceStatus.EXCUSED)
    held(body, 40)  # nothing recorded: not attended
    held(body, 400)  # more than a year ago
    held(body, -5, MeetingStatus.ANNOUNCED)  # still to come
    held(body, 15, MeetingStatus.CANCELLED)
    assert of(world, participation.health(world.chain)).meetings == participation.Share(2, 4)


def test_an_ended_seat_counts_for_the_meetings_before_its_end_and_those_it_attended(world: World, body):
    seat = make.seat(body, world.lead_b, world.partner_b)
    attended = held(body, 60)
    Attendance.objects.create(meeting=attended, member=seat, status=AttendanceStatus.PRESENT)
    held(body, 50)
    held(body, 5)
    seat.ended_on = timezone.localdate() - timedelta(days=20)
    seat.save()
    late_attendance = held(body, 3)  # after the end, yet recorded at it (as seats_of counts it)
    Attendance.objects.create(meeting=late_attendance, member=seat, status=AttendanceStatus.ABSENT)
    assert of(world, participation.health(world.chain), world.partner_b).meetings == participation.Share(1, 3)


# --- Signatures and actions ----------------------------------------------------------------------


def test_it_counts_the_agreements_waiting_for_the_partners_signature(world: World):
    parties = build_parties(world)
    waiting = covenant(parties)
    sign(world.lead_a, waiting)
    covenant(parties, title="Werkafspraak", send=False)  # a draft asks nobody yet
    rows = participation.health(world.chain)
    assert of(world, rows).signatures_outstanding == 0
    assert of(world, rows, world.partner_b).signatures_outstanding == 1
    assert of(world, rows, parties.court).signatures_outstanding == 0  # participates, never signs


def test_it_counts_the_open_actions_of_its_people_past_their_due_date(world: World, body):
    today = timezone.localdate()
    make.action(body, world.lead_a, today - timedelta(days=1))
    make.action(body, world.contributor_a, today - timedelta(days=9))
    make.action(body, world.lead_a, today - timedelta(days=3), status="done")
    make.action(body, world.lead_a, today)  # due today: not overdue yet
    make.action(body, world.lead_b, today + timedelta(days=2))
    rows = participation.health(world.chain)
    assert of(world, rows).actions_overdue == 2
    assert of(world, rows, world.partner_b).actions_overdue == 0


# --- Partners, the summary ----------------------------------------------------------------------


def test_core_partners_come_first_and_observers_and_former_partners_are_left_out(world: World):
    court = PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Arrondissement"),
        status=PartnershipStatus.PARTNER_OF_CHAIN,
    )
    PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name="Inspectie"), status="observer")
    PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name="Oud"), left_on=date(2024, 1, 1))
    names = [row.name for row in participation.health(world.chain)]
    assert names == ["Openbaar Ministerie", "Politie", court.organisation.name]


def test_the_summary_says_in_words_what_slips(world: World, body):
    indicator = monthly_indicator(world)
    for month in (1, 2):
        figure(indicator, world.unit_a, date(2025, month, 1))
    aggregates.rebuild_all()
    for n in range(4):
        decided(body, world, TODAY - timedelta(days=n + 1))
    held(body, 8, today=TODAY)
    make.action(body, world.lead_a, TODAY - timedelta(days=1))
    make.action(body, world.lead_a, TODAY - timedelta(days=2))
    covenant(build_parties(world))
    with translation.override("en"):
        row = of(world, participation.health(world.chain, TODAY))
        assert row.summary == (
            "figures late in 4 of the last 6 periods; a position recorded on 0 of 4 decisions; "
            "present at 0 of 1 meeting; 1 agreement not signed yet; 2 actions overdue"
        )
    with translation.override("nl"):
        assert row.needs_attention
        assert "cijfers te laat in 4 van de laatste 6 perioden" in participation.health(world.chain, TODAY)[1].summary


def test_nothing_slips_below_the_thresholds(world: World, body):
    indicator = monthly_indicator(world)
    for month in range(1, 7):
        figure(indicator, world.unit_a, date(2025, month, 1), late=month in (1, 2))  # two late: below three
    aggregates.rebuild_all()
    make.action(body, world.lead_a, TODAY - timedelta(days=1))  # one overdue: below two
    with translation.override("en"):
        row = of(world, participation.health(world.chain, TODAY))
        assert (row.figures, row.actions_overdue) == (participation.Share(4, 6), 1)
        assert not row.needs_attention and row.summary == "Nothing is slipping."
    # B reported nothing: six periods late; A is not among the partners needing attention.
    assert [r.partnership for r in participation.needing_attention(world.chain, TODAY)] == [world.partner_b]


# --- Queries ---------------------------------------------------------------------------------------


def grow(world: World, body, n: int) -> None:
    indicator = monthly_indicator(world)
    today = timezone.localdate()
    for k in range(n):
        organisation = OrganisationFactory(name=f"Partner {n}-{k}")
        partner = PartnershipFactory(chain=world.chain, organisation=organisation)
        person = PersonFactory(email=f"p{k}-{n}@example.nl", organisation=organisation)
        make.seat(body, person, partner)
        decision = decided(body, world, today - timedelta(days=k + 1))
        position(decision, partner, person)
        Attendance.objects.create(
            meeting=held(body, k + 2), member=body.members.get(person=person), status=AttendanceStatus.PRESENT
        )
        make.action(body, person, today - timedelta(days=1))
        figure(indicator, world.unit_a, date(2025, k % 6 + 1, 1)) if k < 6 else None
    aggregates.rebuild_all()


def test_it_reads_in_a_fixed_number_of_queries(world: World, body, django_assert_num_queries):
    grow(world, body, 2)
    # The partners, their governance measures (one statement), the versions in force, their
    # reporting units, the roll-ups and the delivery terms in force.
    with django_assert_num_queries(6):
        few = participation.health(world.chain, TODAY)
    grow(world, make.body(world.chain, "Tweede"), 12)
    with django_assert_num_queries(6):
        many = participation.health(world.chain, TODAY)
    assert len(many) > len(few) and all(isinstance(row.summary, str) for row in many)


def test_it_reads_three_queries_without_indicators(world: World, django_assert_num_queries):
    with django_assert_num_queries(3):
        participation.health(world.chain)


# --- The course check ------------------------------------------------------------------------------


def course_check(world: World, opens_on: date, status=CourseCheckStatus.CLOSED) -> CourseCheck:
    return CourseCheck.objects.create(chain=world.chain, opens_on=opens_on, status=status)


def asked(check: CourseCheck, person, partnership, answered: bool) -> None:
    CourseCheckRespondent.objects.create(
        course_check=check, person=person, partnership=partnership, answered_at=timezone.now() if answered else None
    )


def test_it_counts_the_answers_to_the_latest_course_check_only(world: World):
    earlier = course_check(world, date(2025, 1, 1))
    asked(earlier, world.lead_b, world.partner_b, answered=False)
    latest = course_check(world, date(2025, 7, 1))
    asked(latest, world.lead_a, world.partner_a, answered=True)
    asked(latest, world.contributor_a, world.partner_a, answered=False)
    asked(latest, world.lead_b, world.partner_b, answered=False)
    rows = participation.health(world.chain)
    assert of(world, rows).course_check == participation.Share(1, 2)
    assert "course_check" not in of(world, rows).flags  # half answered: not below half
    with translation.override("en"):
        assert of(world, participation.health(world.chain), world.partner_b).slipping == [
            "did not answer the latest course check"
        ]


def test_an_open_course_check_says_it_is_still_open(world: World):
    check = course_check(world, date(2025, 7, 1), status=CourseCheckStatus.OPEN)
    for person in (world.lead_a, world.contributor_a, world.viewer):
        asked(check, person, world.partner_a, answered=person == world.lead_a)
    asked(check, world.lead_b, world.partner_b, answered=False)
    with translation.override("en"):
        rows = participation.health(world.chain)
        assert of(world, rows).slipping == ["1 of 3 people asked answered the latest course check"]
        assert of(world, rows, world.partner_b).slipping == ["has not answered the open course check yet"]


def test_a_partner_not_asked_has_nothing_to_answer(world: World):
    course_check(world, date(2025, 7, 1))
    row = of(world, participation.health(world.chain))
    assert row.course_check == participation.Share(0, 0) and not row.needs_attention


# --- The statement's restated rules agree with the ORM's ---------------------------------------------


def test_the_statement_counts_meetings_and_decisions_as_the_orm_rules_do(world: World, body):
    """Seats as services.attendance.seats_of counts them on a meeting's day, the representing
    positions of BodyMember.objects.representing(), AttendanceStatus.counting(): the statement's
    SQL against the ORM's rules over the same cases."""
    today = timezone.localdate()
    b_seat = make.seat(body, world.lead_b, world.partner_b)
    make.seat(body, world.viewer, world.partner_b, position=MemberPosition.ADVISOR)
    meetings = [held(body, days) for days in (60, 40, 20, 10, 2)]
    for meeting, status in zip(meetings, ["present", "absent", "represented", None, "excused"], strict=True):
        if status:
            Attendance.objects.create(meeting=meeting, member=b_seat, status=status)
    decisions = [decided(body, world, today - timedelta(days=days)) for days in (50, 30, 15, 5)]
    position(decisions[0], world.partner_b, world.lead_b)
    position(decisions[3], world.partner_b, world.lead_b)
    b_seat.ended_on = today - timedelta(days=12)
    b_seat.save()

    def orm_meetings(partnership) -> participation.Share:
        share = participation.Share(0, 0)
        for meeting in meetings:
            seats = seats_of(meeting).representing().filter(partnership=partnership)
            if seats.exists():
                share.of += 1
                share.done += Attendance.objects.filter(
                    meeting=meeting, member__in=seats, status__in=AttendanceStatus.counting()
                ).exists()
        return share

    def orm_positions(partnership) -> participation.Share:
        share = participation.Share(0, 0)
        for decision in decisions:
            seated = BodyMember.all_seats.representing().filter(body=body, partnership=partnership)
            if seated.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=decision.decided_on)).exists():
                share.of += 1
                share.done += decision.positions.filter(partnership=partnership, round=decision.round).exists()
        return share

    rows = participation.health(world.chain)
    for partnership in (world.partner_a, world.partner_b):
        row = of(world, rows, partnership)
        assert row.meetings == orm_meetings(partnership)
        assert row.positions == orm_positions(partnership)
    assert of(world, rows, world.partner_b).meetings == participation.Share(2, 4)  # ended: 2 days ago not counted
