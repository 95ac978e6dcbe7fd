"""People and roles: the list, changing a role, removing someone, and the last programme manager."""

import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders.models import Invitation, Membership, Person, Role
from stakeholders.models.people import InvitationStatus
from tests.conftest import World, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
from tests.services import requires_services

LIST = "/ketens/zsm/mensen/"
INVITE = "/ketens/zsm/mensen/uitnodigen/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def membership_of(person, world: World) -> Membership:
    return Membership.objects.get(person=person, chain=world.chain)


def edit(m: Membership, slug: str = "zsm") -> str:
    return f"/ketens/{slug}/mensen/{m.pk}/rol/"


def revoke(m: Membership, slug: str = "zsm") -> str:
    return f"/ketens/{slug}/mensen/{m.pk}/intrekken/"


def role_data(client, m: Membership, role: str) -> dict:
    """What the role form submits, with the version token it was served with."""
    form = client.get(edit(m)).context["form"]
    return {"role": role, "version_token": form["version_token"].value()}


def error_at(response, field: str) -> str:
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


def invite(world: World, email: str, **kwargs) -> Invitation:
    invitation, _token = Invitation.issue(chain=world.chain, email=email, role=Role.VIEWER, by=world.manager, **kwargs)
    return invitation


# --- list -------------------------------------------------------------------------------------------


def test_it_lists_the_people_with_their_organisation_and_role(world: World, client_for):
    invite(world, "wacht@example.nl")
    response = client_for(world.viewer).get(LIST)
    assert response.status_code == 200
    rows = response.text.split("<tbody")[1].split("</tbody>")[0]
    for expected in ("Lead-A", "Politie", "Partner lead", "Lead-B", "Openbaar Ministerie", "Manager"):
        assert expected in rows
    assert "Programme manager" in rows and "Contributor" in rows and "Viewer" in rows
    assert "Outsider" not in rows  # a member of the other chain only
    # Viewers see no invitations and no management links.
    assert "wacht@example.nl" not in response.text
    assert INVITE not in response.text
    assert edit(membership_of(world.lead_a, world)) not in response.text


def test_it_shows_managers_the_pending_invitations_with_withdraw_buttons(world: World, client_for):
    pending = invite(world, "wacht@example.nl", full_name="Wachtende")
    used = invite(world, "klaar@example.nl")
    Invitation.objects.filter(pk=used.pk).update(status=InvitationStatus.ACCEPTED)
    expired = invite(world, "te-laat@example.nl")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client_for(world.manager).get(LIST)
    text = response.text
    assert INVITE in text
    invitations = text.split('id="invitations-heading"')[1]
    assert "wacht@example.nl" in invitations and "Wachtende" in invitations
    assert f'action="/ketens/zsm/uitnodigingen/{pending.pk}/intrekken/"' in invitations
    assert 'method="post"' in invitations and "csrfmiddlewaretoken" in invitations
    assert "klaar@example.nl" not in text and "te-laat@example.nl" not in text
    assert edit(membership_of(world.lead_a, world)) in text


def test_it_hides_the_people_from_outsiders(world: World, client_for):
    assert client_for(world.outsider).get(LIST).status_code == 404


def test_it_keeps_the_people_list_queries_constant(world: World, client_for):
    client = client_for(world.manager)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    organisation = OrganisationFactory(name="Reclassering")
    for n in range(30):
        MembershipFactory(chain=world.chain, person=PersonFactory(organisation=organisation), role=Role.VIEWER)
        invite(world, f"uitgenodigd-{n}@example.nl", organisation=world.org_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(many) == len(few) <= 10  # session, person, device, chain, roles, people, invitations, savepoints, unread
    assert response.text.count("Reclassering") == 30
    assert response.text.count("/ketens/zsm/uitnodigingen/") == 30  # one withdraw button each


# --- changing a role ----------------------------------------------------------------------------------


def test_it_changes_a_role_and_shows_it_in_the_history(world: World, client_for):
    client = client_for(world.manager)
    m = membership_of(world.viewer, world)
    response = client.post(edit(m), role_data(client, m, Role.STEERING_MEMBER), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    m.refresh_from_db()
    assert m.role == Role.STEERING_MEMBER
    assert "Viewer is now steering group member in ZSM." in response.text
    history = client.get(edit(m)).text.split('id="history-heading"')[1]
    assert "Steering group member" in history
    assert "Manager" in history


def test_it_lets_someone_of_a_partner_become_partner_lead(world: World, client_for):
    client = client_for(world.manager)
    m = membership_of(world.contributor_a, world)
    assert client.post(edit(m), role_data(client, m, Role.PARTNER_LEAD)).status_code == 302
    m.refresh_from_db()
    assert m.role == Role.PARTNER_LEAD


def test_it_refuses_a_partner_role_for_someone_without_an_organisation(world: World, client_for):
    client = client_for(world.manager)
    m = membership_of(world.viewer, world)
    response = client.post(edit(m), role_data(client, m, Role.PARTNER_LEAD))
    assert response.status_code == 422
    assert "Viewer belongs to no organisation, so cannot have a role that acts for one." in error_at(response, "role")
    assert 'aria-describedby="id_role_error"' in response.text
    m.refresh_from_db()
    assert m.role == Role.VIEWER


def test_it_refuses_a_partner_role_for_someone_whose_organisation_is_no_partner(world: World, client_for):
    person = PersonFactory(full_name="Wethouder", organisation=world.org_c)  # a partner in the other chain only
    m = MembershipFactory(person=person, chain=world.chain, role=Role.VIEWER)
    client = client_for(world.manager)
    response = client.post(edit(m), role_data(client, m, Role.CONTRIBUTOR))
    assert response.status_code == 422
    assert "Gemeente Groningen is not a partner in this chain." in error_at(response, "role")
    assert response.text.count("is not a partner in this chain.") == 1
    m.refresh_from_db()
    assert m.role == Role.VIEWER


def test_it_keeps_the_last_programme_manager(world: World, client_for):
    client = client_for(world.manager)
    m = membership_of(world.manager, world)
    response = client.post(edit(m), role_data(client, m, Role.VIEWER))
    assert response.status_code == 422
    assert "This is the last programme manager of the chain." in error_at(response, "role")
    m.refresh_from_db()
    assert m.role == Role.PROGRAMME_MANAGER


def test_it_lets_a_manager_step_down_when_another_one_remains(world: World, client_for):
    MembershipFactory(chain=world.chain, person=PersonFactory(full_name="Tweede"), role=Role.PROGRAMME_MANAGER)
    client = client_for(world.manager)
    m = membership_of(world.manager, world)
    response = client.post(edit(m), role_data(client, m, Role.VIEWER))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == Role.VIEWER


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_lets_only_managers_change_roles(world: World, client_for, persona):
    m = membership_of(world.lead_b, world)
    client = client_for(getattr(world, persona))
    assert client.get(edit(m)).status_code == 403
    assert client.post(edit(m), {"role": Role.PROGRAMME_MANAGER}).status_code == 403
    m.refresh_from_db()
    assert m.role == Role.PARTNER_LEAD


def test_it_does_not_find_another_chains_membership(world: World, client_for):
    forged = Membership.objects.get(person=world.outsider)
    client = client_for(world.manager)
    assert client.get(edit(forged)).status_code == 404
    assert client.post(edit(forged), {"role": Role.PROGRAMME_MANAGER}).status_code == 404
    # Non-managers are refused on the chain before any id is looked up.
    assert client_for(world.viewer).get(edit(forged)).status_code == 403
    forged.refresh_from_db()
    assert forged.role == Role.VIEWER


def test_it_refuses_a_stale_role_change(world: World, client_for):
    client = client_for(world.manager)
    m = membership_of(world.viewer, world)
    stale = role_data(client, m, Role.STEERING_MEMBER)
    Membership.objects.filter(pk=m.pk).update(role=Role.CONTRIBUTOR)  # meanwhile, by a colleague
    response = client.post(edit(m), stale)
    assert response.status_code == 422
    assert "Someone else changed this while you were editing" in response.text
    assert "Contributor" in response.text.split('id="conflict-heading"')[1].split("</section>")[0]
    m.refresh_from_db()
    assert m.role == Role.CONTRIBUTOR
    again = dict(stale, version_token=response.context["form"]["version_token"].value())
    assert client.post(edit(m), again).status_code == 302
    m.refresh_from_db()
    assert m.role == Role.STEERING_MEMBER


def test_it_answers_htmx_with_the_form_partial_or_a_redirect_header(world: World, client_for):
    client = client_for(world.manager)
    m = membership_of(world.manager, world)
    bad = client.post(edit(m), role_data(client, m, Role.VIEWER), headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith("<form")
    assert "last programme manager" in bad.text
    other = membership_of(world.viewer, world)
    good = client.post(edit(other), role_data(client, other, Role.STEERING_MEMBER), headers={"HX-Request": "true"})
    assert good["HX-Redirect"] == LIST


# --- removing someone -----------------------------------------------------------------------------------


def test_it_removes_someone_from_the_chain(world: World, client_for):
    m = membership_of(world.contributor_a, world)
    response = client_for(world.manager).post(revoke(m), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert "Contributor no longer has a role in ZSM." in response.text
    assert Person.objects.filter(pk=world.contributor_a.pk).exists()  # the account stays


def test_it_removes_only_with_post(world: World, client_for):
    m = membership_of(world.contributor_a, world)
    assert client_for(world.manager).get(revoke(m)).status_code == 405
    assert Membership.objects.filter(pk=m.pk).exists()


def test_it_offers_removal_as_a_post_form_on_the_role_page(world: World, client_for):
    m = membership_of(world.contributor_a, world)
    text = client_for(world.manager).get(edit(m)).text
    section = text.split('id="revoke-heading"')[1].split("</section>")[0]
    assert f'action="{revoke(m)}"' in section
    assert 'method="post"' in section


def test_it_does_not_remove_the_last_programme_manager(world: World, client_for):
    m = membership_of(world.manager, world)
    response = client_for(world.manager).post(revoke(m))
    assert response.status_code == 302
    assert response["Location"] == edit(m)
    assert [str(msg) for msg in get_messages(response.wsgi_request)] == [
        "Manager is the last programme manager of ZSM and cannot be removed. Make someone else programme manager first."
    ]
    assert Membership.objects.filter(pk=m.pk, role=Role.PROGRAMME_MANAGER).exists()


def test_it_sends_a_manager_who_removed_themselves_to_my_work(world: World, client_for):
    MembershipFactory(chain=world.chain, person=PersonFactory(full_name="Tweede"), role=Role.PROGRAMME_MANAGER)
    m = membership_of(world.manager, world)
    response = client_for(world.manager).post(revoke(m))
    assert response["Location"] == "/"
    assert not Membership.objects.filter(pk=m.pk).exists()


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_lets_only_managers_remove_people(world: World, client_for, persona):
    m = membership_of(world.lead_b, world)
    assert client_for(getattr(world, persona)).post(revoke(m)).status_code == 403
    assert Membership.objects.filter(pk=m.pk).exists()


def test_it_does_not_remove_another_chains_membership(world: World, client_for):
    forged = Membership.objects.get(person=world.outsider)
    assert client_for(world.manager).post(revoke(forged)).status_code == 404
    assert client_for(world.outsider).post(revoke(membership_of(world.viewer, world))).status_code == 404
    assert Membership.objects.filter(pk=forged.pk).exists()


@requires_services(postgres=True)
def test_it_keeps_a_manager_when_two_managers_drop_each_other_at_once(transactional_db, world: World):
    """One demotes the other while the other removes the first: the row locks let only one win."""
    second = PersonFactory(full_name="Tweede")
    MembershipFactory(chain=world.chain, person=second, role=Role.PROGRAMME_MANAGER)
    first_client, second_client = sign_in(Client(), world.manager), sign_in(Client(), second)
    first_m, second_m = membership_of(world.manager, world), membership_of(second, world)
    demote = role_data(first_client, second_m, Role.VIEWER)
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def run(name: str, request) -> None:
        try:
            barrier.wait(timeout=10)
            statuses[name] = request().status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("demote", lambda: first_client.post(edit(second_m), demote))),
        threading.Thread(target=run, args=("remove", lambda: second_client.post(revoke(first_m)))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    removed = not Membership.objects.filter(pk=first_m.pk).exists()
    demoted = Membership.objects.get(pk=second_m.pk).role == Role.VIEWER
    assert removed != demoted, "exactly one of the two may win"
    assert Membership.objects.filter(chain=world.chain, role=Role.PROGRAMME_MANAGER).count() == 1
    # The loser is refused (or, arriving after the winner committed, no longer has the right at all),
    # never a server error from a deadlock.
    assert statuses["demote"] in ((302,) if demoted else (404, 422))
    assert statuses["remove"] in ((302,) if removed else (302, 403))
