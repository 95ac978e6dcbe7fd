from django.urls import reverse

from tests.api.conftest import results
from tests.conftest import World
from tests.factories import MembershipFactory, PersonFactory

LIST = reverse("stakeholders-api:membership-list")


def emails(response) -> dict[str, str | None]:
    return {m["person"]["full_name"]: m["person"]["email"] for m in results(response)}


def test_it_lists_the_members_of_the_persons_chains(world: World, client_for):
    members = results(client_for(world.viewer).get(LIST))
    assert {(m["chain"], m["person"]["full_name"], m["role"]) for m in members} == {
        ("zsm", "Viewer", "viewer"),
        ("zsm", "Contributor", "contributor"),
        ("zsm", "Lead-A", "partner_lead"),
        ("zsm", "Lead-B", "partner_lead"),
        ("zsm", "Manager", "programme_manager"),
    }


def test_it_never_exposes_passwords_or_tokens(world: World, client_for):
    response = client_for(world.admin).get(LIST)
    assert response.status_code == 200
    for member in response.json()["results"]:
        assert set(member["person"]) == {"id", "full_name", "email", "organisation"}
    assert "pbkdf2" not in response.text and "password" not in response.text


def test_it_shows_email_addresses_only_of_colleagues_and_oneself(world: World, client_for):
    seen = emails(client_for(world.contributor_a).get(LIST, {"chain": "zsm"}))
    assert seen["Contributor"] == "contributor@example.nl"  # oneself
    assert seen["Lead-A"] == "lead-a@example.nl"  # same organisation (Politie)
    assert seen["Lead-B"] is None  # another partner's person
    assert seen["Manager"] is None


def test_it_shows_every_email_address_to_the_programme_manager_and_administrator(world: World, client_for):
    for person in (world.manager, world.admin):
        seen = emails(client_for(person).get(LIST, {"chain": "zsm"}))
        assert seen["Lead-B"] == "lead-b@example.nl"
        assert None not in seen.values()


def test_it_does_not_let_a_manager_of_one_chain_see_email_addresses_in_another(world: World, client_for):
    # The manager of zsm is a mere viewer in jeugd: the people there keep their addresses private.
    MembershipFactory(person=world.manager, chain=world.other_chain, role="viewer")
    seen = emails(client_for(world.manager).get(LIST, {"chain": "jeugd"}))
    assert seen["Outsider"] is None


def test_it_filters_members_by_chain_role_and_organisation(world: World, client_for):
    client = client_for(world.admin)
    assert {m["person"]["full_name"] for m in results(client.get(LIST, {"chain": "jeugd"}))} == {"Outsider"}
    leads = results(client.get(LIST, {"chain": "zsm", "role": "partner_lead"}))
    assert {m["person"]["full_name"] for m in leads} == {"Lead-A", "Lead-B"}
    of_a = results(client.get(LIST, {"organisation": world.org_a.pk}))
    assert {m["person"]["full_name"] for m in of_a} == {"Contributor", "Lead-A"}


def test_it_hides_another_chains_memberships_with_a_404(world: World, client_for):
    outsider_membership = world.outsider.memberships.get()
    url = reverse("stakeholders-api:membership-detail", args=[outsider_membership.pk])
    assert client_for(world.viewer).get(url).status_code == 404
    assert results(client_for(world.viewer).get(LIST, {"chain": "jeugd"})) == []


def test_it_lists_members_in_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries):
    client = client_for(world.lead_a)
    # One query more than the other lists: the person's roles, for the e-mail rule (cached per request).
    with django_assert_max_num_queries(8):
        assert len(results(client.get(LIST))) == 5
    for _ in range(20):
        MembershipFactory(chain=world.chain, person=PersonFactory(password=None))
    with django_assert_max_num_queries(8):
        assert len(results(client.get(LIST))) == 25
