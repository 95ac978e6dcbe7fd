from datetime import timedelta

from django.utils import timezone

from stakeholders.models import Invitation, MandateScope, Role
from tests.conftest import World, in_english
from tests.factories import MandateFactory


def test_it_lists_only_my_chains(world: World, client_for):
    response = client_for(world.lead_a).get("/")
    assert response.status_code == 200
    assert "ZSM" in response.text
    assert "Jeugdzorg Regio Noord" not in response.text


def test_it_shows_invitations_waiting_for_my_answer(world: World, client_for):
    Invitation.issue(chain=world.other_chain, email=world.lead_a.email, role=Role.VIEWER, by=world.admin)
    response = client_for(world.lead_a).get("/")
    assert "Jeugdzorg Regio Noord" in response.text  # named in the invitation, not as one of my chains


def test_it_shows_mandates_that_expire_within_30_days_but_not_later_ones(world: World, client_for):
    today = timezone.localdate()
    MandateFactory(
        person=world.lead_a,
        partnership=world.partner_a,
        scope=MandateScope.SIGN_AGREEMENTS,
        valid_until=today + timedelta(days=10),
    )
    MandateFactory(
        person=world.lead_a,
        partnership=world.partner_a,
        scope=MandateScope.VOTE_IN_BODY,
        valid_until=today + timedelta(days=90),
    )
    client = in_english(client_for(world.lead_a))
    response = client.get("/")
    assert "Sign agreements" in response.text
    assert "Vote in a body" not in response.text


def test_it_keeps_a_constant_number_of_queries(world: World, client_for, max_page_queries):
    client = client_for(world.lead_a)
    for scope in MandateScope.values:
        MandateFactory(person=world.lead_a, partnership=world.partner_a, scope=scope, valid_until=timezone.localdate())
    # Eight for the page itself, four for what ambitions adds (ambitions/my_work.py: the last one
    # learns whether the person manages a chain, for the stuck work a programme manager sees), three
    # for governance's (governance/my_work.py: seats to vote from, meetings to prepare, my actions),
    # one for its bottlenecks (governance/bottleneck_parts.py: mine and those my body must answer),
    # one for the capacity assessments waiting for me (stakeholders/my_work_capacity.py), one for
    # the course checks waiting for my answer (governance/my_work_course_checks.py), one for the
    # deliveries overdue of the partners I lead (stakeholders/my_work_contributions.py), one for the
    # success stories waiting for my organisation's approval (governance/my_work_stories.py), one for
    # the early warnings waiting for a programme manager's decision (governance/early_warning_parts.py).
    with max_page_queries(22):
        client.get("/")
