"""The demo's governance (issue 10, point 7): what a newcomer finds in the ZSM chain's bodies."""

import io
from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from ambitions.services.dashboard import standings
from ambitions.services.progress import Status
from governance import policy
from governance.models import (
    ActionItem,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Body,
    BodyLevel,
    BodyMember,
    Decision,
    DecisionPosition,
    DecisionStatus,
    DecisionWay,
    Meeting,
    MeetingStatus,
    PositionKind,
)
from governance.services import suggestions
from governance.services.decisions import outcome_of, represented
from governance.services.representation import representation_of
from stakeholders.demo import REGIONS
from stakeholders.models import PartnershipStatus

STUURGROEP = "Landelijke Stuurgroep ZSM"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def _bodies():
    return Body.objects.filter(chain__slug="zsm").select_related("chain", "escalates_to")


def test_it_has_a_steering_group_a_tactical_body_per_region_and_a_location_body(demo):
    bodies = list(_bodies())
    assert Counter(b.level for b in bodies) == {
        BodyLevel.STRATEGIC: 1,
        BodyLevel.TACTICAL: len(REGIONS),
        BodyLevel.OPERATIONAL: 1,
    }
    stuurgroep = next(b for b in bodies if b.level == BodyLevel.STRATEGIC)
    assert stuurgroep.name == STUURGROEP
    tactical = {b.name for b in bodies if b.level == BodyLevel.TACTICAL}
    assert tactical == {f"Tactisch ketenoverleg {region}" for region in REGIONS}
    for body in bodies:
        if body.level == BodyLevel.TACTICAL:
            assert body.escalates_to == stuurgroep
        if body.level == BodyLevel.OPERATIONAL:
            assert body.escalates_to.name in tactical
        body.full_clean()  # the bodies' own rules (escalation upwards, same chain)


def test_every_core_partner_has_a_member_and_an_alternate_who_may_vote(demo):
    for body in _bodies():
        found = representation_of(body)
        assert found.unrepresented == [], body
        assert found.mandate_flags == [], body  # nobody sits without a usable mandate to vote
        speaking = [seat for seat in found.members if seat.represents_a_partner]
        assert len(speaking) == 5 and all(seat.alternate_id for seat in speaking), body
        for seat in speaking:
            seat.full_clean()  # the member and alternate are of the partner they represent
            for person in (seat.person, seat.alternate):
                assert policy.speakers_for(body, seat.partnership).count(person) == 1, (body, person)


def test_each_body_met_monthly_for_a_year_and_the_next_meeting_is_announced(demo):
    now = timezone.now()
    for body in _bodies():
        meetings = list(Meeting.objects.filter(body=body).order_by("starts_at"))
        past = [m for m in meetings if m.starts_at < now]
        coming = [m for m in meetings if m.starts_at >= now]
        assert len(past) == 12, body
        months = [timezone.localtime(m.starts_at).year * 12 + timezone.localtime(m.starts_at).month for m in past]
        assert months == list(range(months[0], months[0] + 12)), body  # one a month
        assert [m.status for m in coming] == [MeetingStatus.ANNOUNCED, MeetingStatus.DRAFT], body
        assert (coming[0].starts_at - now).days < 40
        expected = [MeetingStatus.MINUTES_APPROVED] * 12
        if body.name == STUURGROEP:
            expected[-1] = MeetingStatus.HELD  # the chair still has to approve the last minutes
        assert [m.status for m in past] == expected, body
        seats = BodyMember.objects.filter(body=body).count()
        for meeting in past:
            assert Attendance.objects.filter(meeting=meeting).count() == seats
            items = list(AgendaItem.objects.filter(meeting=meeting))
            assert len(items) >= 4 and all(item.notes for item in items)
            assert all(item.status != AgendaItemStatus.OPEN for item in items)
        assert len({m.host_id for m in past}) == 5  # the hosts take turns


def test_probation_consents_with_recorded_dissent_about_its_capacity(demo):
    decision = Decision.objects.get(body__name=STUURGROEP, title="ZSM-locaties ook in het weekend open")
    assert decision.status == DecisionStatus.ADOPTED
    assert decision.review_on > decision.decided_on
    kinds = {p.partnership.organisation.short_name: p for p in decision.positions.filter(round=decision.round)}
    assert set(kinds) == {"OM", "Politie", "RN", "SHN", "RvdK"}
    dissent = kinds.pop("RN")
    assert dissent.kind == PositionKind.DISSENT
    assert "capaciteit" in dissent.reason
    assert {p.kind for p in kinds.values()} == {PositionKind.CONSENT}
    found = outcome_of(decision)
    assert found.status == DecisionStatus.ADOPTED
    assert any("Reclassering Nederland" in reason for reason in found.reasons)
    # Probation objected first: the change of position is in the decision's history.
    changes = [entry.changes_dict.get("kind") for entry in LogEntry.objects.get_for_object(dissent)]
    assert [PositionKind.OBJECTION, PositionKind.DISSENT] in changes


def test_a_proposal_in_a_written_round_waits_for_two_partners(demo):
    decision = Decision.objects.get(body__chain__slug="zsm", way=DecisionWay.WRITTEN, status=DecisionStatus.OPEN)
    assert decision.closes_on > timezone.localdate()
    answered = set(decision.positions.filter(round=decision.round).values_list("partnership_id", flat=True))
    core = [p for p in represented(decision.body) if p.status == PartnershipStatus.CORE]
    waiting = {p.organisation.short_name for p in core if p.pk not in answered}
    assert waiting == {"SHN", "RvdK"}
    found = outcome_of(decision)
    assert found.status == DecisionStatus.OPEN
    assert any("Slachtofferhulp" in r and "Raad voor de Kinderbescherming" in r for r in found.reasons)


def test_every_position_was_recorded_by_someone_who_could_on_that_day(demo):
    positions = DecisionPosition.objects.filter(decision__body__chain__slug="zsm").select_related(
        "decision__body", "partnership", "recorded_by"
    )
    assert positions.count() >= 50
    for position in positions:
        day = timezone.localtime(position.recorded_at).date()
        speakers = policy.speakers_for(position.decision.body, position.partnership, on=day)
        assert position.recorded_by in speakers, position
        seat = BodyMember.objects.representing().get(body=position.decision.body, partnership=position.partnership)
        assert position.as_alternate == (position.recorded_by_id == seat.alternate_id)


def test_some_actions_are_overdue_and_one_that_carried_over_cannot_be_deleted(demo):
    actions = ActionItem.objects.filter(body__chain__slug="zsm")
    overdue = list(actions.overdue().select_related("owner", "body"))
    # Three from the governance demo, one more that participation health's demo gives probation's
    # lead in the steering group (governance/demo_participation.py).
    assert len(overdue) == 4
    assert sum(1 for a in overdue if a.body.name == STUURGROEP) == 3
    for action in actions:
        action.full_clean()  # owner of a partner in the chain, links within the body
    carried = actions.get(carried_over=True)
    assert carried in overdue
    with pytest.raises(ProtectedError):
        carried.delete()


def test_the_announced_steering_group_meeting_suggests_the_off_track_indicator(demo):
    meeting = Meeting.objects.select_related("body__chain").get(body__name=STUURGROEP, status=MeetingStatus.ANNOUNCED)
    off_track = [i for i, s in standings(meeting.body.chain) if s.status == Status.OFF_TRACK]
    # Probation's advice, in time (24 hours) and in lead time (the chain map's pinch, ambitions/demo_chain_map.py).
    assert [i.name for i in off_track] == ["Reclasseringsadviezen binnen 24 uur", "Uren tot reclasseringsadvies"]
    found = suggestions.compute(meeting)
    keys = {s.key for s in found}
    assert all(f"{suggestions.SuggestionKind.INDICATOR}:{i.pk}" in keys for i in off_track)
    kinds = Counter(s.kind for s in found)
    assert kinds[suggestions.SuggestionKind.ACTION] == 3  # the steering group's overdue actions (see above)
    assert kinds[suggestions.SuggestionKind.CARRY] == 1  # not finished last time
    assert kinds[suggestions.SuggestionKind.REVIEW] == 1  # a decision whose review date has come


def _counts() -> dict[str, int]:
    models = [Body, BodyMember, Meeting, AgendaItem, Attendance, Decision, DecisionPosition, ActionItem]
    return {model.__name__: model.objects.count() for model in models} | {
        "approved": Meeting.objects.filter(status=MeetingStatus.MINUTES_APPROVED).count(),
        "history": LogEntry.objects.filter(content_type__app_label="governance").count(),
    }


def test_loading_it_again_changes_nothing(demo):
    before = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == before
