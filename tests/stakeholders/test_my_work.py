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
    # Nine for the page itself (the usable mandates read once and lent to the fragments:
    # stakeholders/my_work_roles.py), three for what ambitions adds to a lead with every mandate
    # (ambitions/my_work.py: versions entered, approvals waiting, consents asked; a programme
    # manager's lists ask nothing of a lead), four for governance's (governance/my_work.py: seats to
    # vote from, meetings to prepare, my actions; the signatures waiting for my mandate), one for
    # its bottlenecks (governance/bottleneck_parts.py: mine and those my body must answer), one for
    # the capacity assessments waiting for me (stakeholders/my_work_capacity.py), one for the course
    # checks waiting for my answer (governance/my_work_course_checks.py), one for the deliveries
    # overdue of the partners I lead (stakeholders/my_work_contributions.py), one for the success
    # stories waiting for my organisation's approval (governance/my_work_stories.py); the early
    # warnings wait for programme managers only.
    with max_page_queries(21):
        client.get("/")


def test_a_contributor_without_mandates_costs_no_query_for_what_needs_a_mandate_or_a_lead(
    world: World, client_for, max_page_queries
):
    # Nearly everyone: no mandate, no lead's or manager's role. The page reads their mandates once
    # (stakeholders/my_work_roles.py), and the signatures, approvals, consents, positions to record,
    # a programme manager's lists, the capacity assessments, the deliveries overdue and the stories
    # waiting for a lead's approval ask nothing.
    client = client_for(world.contributor_a)
    with max_page_queries(14):
        client.get("/")
