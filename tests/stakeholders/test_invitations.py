"""Invitations: a programme manager invites; the single-use, expiring link lets the invitee in."""

import logging
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Invitation, Membership, Person, Role
from stakeholders.models.people import InvitationStatus
from tests.conftest import PASSWORD, World, enqueued, in_english
from tests.services import requires_services

CREATE_URL = "/ketens/zsm/mensen/uitnodigen/"
NEW_PASSWORD = "a long and new passphrase"


@pytest.fixture
def as_person(client_for):
    return lambda person: in_english(client_for(person))


def issue(world: World, email: str = "nieuw@example.nl", role: str = Role.CONTRIBUTOR, **kwargs):
    kwargs.setdefault("organisation", world.org_a if role in Role.partner_roles() else None)
    return Invitation.issue(chain=world.chain, email=email, role=role, by=world.manager, full_name="Nieuw", **kwargs)


def accept_url(token: str) -> str:
    return reverse("stakeholders:invitation_accept", args=[token])


# --- inviting ---------------------------------------------------------------------------


def test_it_invites_someone_and_mails_the_link_after_commit(
    world: World, as_person, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_person(world.manager).post(
            CREATE_URL,
            {
                "email": "Nieuw@Example.nl",
                "full_name": "Nieuwe Collega",
                "role": Role.CONTRIBUTOR,
                "organisation": world.org_a.pk,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:membership_list", args=["zsm"])
    invitation = Invitation.objects.get()
    assert (invitation.chain, invitation.email, invitation.role) == (world.chain, "nieuw@example.nl", Role.CONTRIBUTOR)
    assert (invitation.organisation, invitation.invited_by) == (world.org_a, world.manager)
    assert invitation.status == InvitationStatus.PENDING
    assert len(enqueued(callbacks)) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nieuw@example.nl"]
    assert "ZSM" in mail.subject
    link = re.search(r"\S+/uitnodiging/(\S+)/", mail.body)
    # SITE_URL is not set in the tests: the link leads to the host the invitation was sent from.
    assert link and link.group(0).startswith("http://testserver/uitnodiging/")
    # The database holds only the hash of the token that was mailed.
    assert Invitation.hash_token(link.group(1)) == invitation.token_hash
    assert link.group(1) not in invitation.token_hash


def test_it_does_not_mail_when_the_transaction_does_not_commit(world: World, as_person, mailoutbox):
    as_person(world.manager).post(
        CREATE_URL, {"email": "nieuw@example.nl", "full_name": "Nieuw", "role": Role.VIEWER, "organisation": ""}
    )
    assert Invitation.objects.count() == 1
    assert mailoutbox == []  # the test transaction never commits, so on_commit never ran


def test_it_shows_the_invitation_form_to_the_programme_manager(world: World, as_person):
    response = as_person(world.manager).get(CREATE_URL)
    assert response.status_code == 200
    assert "Invite someone" in response.text
    # The least powerful role is chosen until the programme manager chooses another.
    assert response.context["form"]["role"].value() == Role.VIEWER
    assert re.search(r'<option value="viewer" selected>', response.text)
    assert not re.search(r'<option value="programme_manager" selected>', response.text)
    # Only partners of this chain can be chosen.
    assert "Politie" in response.text and "Openbaar Ministerie" in response.text
    assert "Gemeente Groningen" not in response.text


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"email": "not-an-address", "role": Role.VIEWER}, "Enter a valid email address"),
        ({"email": "viewer@example.nl", "role": Role.VIEWER}, "already has a role in this chain"),
        ({"email": "nieuw@example.nl", "role": Role.CONTRIBUTOR}, "choose the organisation"),
        ({"email": "nieuw@example.nl", "role": Role.CONTRIBUTOR, "organisation": "other_chain_org"}, "valid choice"),
        (
            {"email": "outsider@example.nl", "role": Role.CONTRIBUTOR, "organisation": "org_a"},
            "not for this organisation",
        ),
    ],
)
def test_it_refuses_bad_invitations_at_the_field(world: World, as_person, data, field_error):
    organisation = data.get("organisation", "")
    if organisation == "other_chain_org":
        organisation = world.org_c.pk
    elif organisation == "org_a":
        organisation = world.org_a.pk
    response = as_person(world.manager).post(CREATE_URL, {"full_name": "Iemand", **data, "organisation": organisation})
    assert response.status_code == 422
    assert field_error in response.text
    assert "utrecht-form-field--invalid" in response.text
    assert not Invitation.objects.exists()


def test_it_refuses_a_second_pending_invitation_for_the_same_address(world: World, as_person):
    issue(world, email="nieuw@example.nl")
    response = as_person(world.manager).post(
        CREATE_URL, {"email": "NIEUW@example.nl", "full_name": "Nieuw", "role": Role.VIEWER}
    )
    assert response.status_code == 422
    assert "already has an invitation" in response.text
    assert Invitation.objects.count() == 1


def test_it_allows_a_new_invitation_once_the_old_one_expired(world: World, as_person):
    old, _token = issue(world, email="nieuw@example.nl")
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = as_person(world.manager).post(
        CREATE_URL, {"email": "nieuw@example.nl", "full_name": "Nieuw", "role": Role.VIEWER}
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 2


def test_it_hides_invitations_in_another_chain(world: World, as_person):
    response = as_person(world.manager).post(
        "/ketens/jeugd/mensen/uitnodigen/", {"email": "nieuw@example.nl", "full_name": "Nieuw", "role": Role.VIEWER}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", ["contributor_a", "lead_a", "viewer"])
def test_it_forbids_inviting_to_other_roles(world: World, as_person, persona):
    client = as_person(getattr(world, persona))
    assert client.get(CREATE_URL).status_code == 403
    response = client.post(CREATE_URL, {"email": "nieuw@example.nl", "full_name": "Nieuw", "role": Role.VIEWER})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


# --- revoking ---------------------------------------------------------------------------


def revoke_url(invitation: Invitation, slug: str = "zsm") -> str:
    return reverse("stakeholders:invitation_revoke", args=[slug, invitation.pk])


def test_it_revokes_a_pending_invitation(world: World, as_person):
    invitation, token = issue(world)
    response = as_person(world.manager).post(revoke_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:membership_list", args=["zsm"])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.answered_at is not None


def test_it_refuses_to_revoke_with_get(world: World, as_person):
    invitation, _token = issue(world)
    assert as_person(world.manager).get(revoke_url(invitation)).status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_it_refuses_to_revoke_for_a_contributor_and_across_chains(world: World, as_person):
    invitation, _token = issue(world)
    assert as_person(world.contributor_a).post(revoke_url(invitation)).status_code == 403
    assert as_person(world.outsider).post(revoke_url(invitation)).status_code == 404
    # A forged pk under a chain where the manager has no role: 404.
    assert as_person(world.manager).post(revoke_url(invitation, "jeugd")).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_it_does_not_revoke_an_accepted_invitation(world: World, as_person):
    invitation, _token = issue(world)
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ACCEPTED)
    response = as_person(world.manager).post(revoke_url(invitation))
    assert response.status_code == 302
    assert any("already been used" in str(m) for m in get_messages(response.wsgi_request))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


# --- accepting: a new account ---------------------------------------------------------


def test_it_lets_a_new_invitee_set_a_password_and_lands_on_my_work(world: World):
    invitation, token = issue(world, role=Role.CONTRIBUTOR)
    client = in_english(Client())
    page = client.get(accept_url(token))
    assert page.status_code == 200
    assert "Create your account" in page.text
    assert "Contributor" in page.text and "Politie" in page.text

    response = client.post(
        accept_url(token), {"full_name": "Nieuwe Collega", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:my_work")
    person = Person.objects.get(email="nieuw@example.nl")
    assert person.full_name == "Nieuwe Collega"
    assert person.organisation == world.org_a
    assert person.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(person=person, chain=world.chain, role=Role.CONTRIBUTOR).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.answered_at is not None
    assert client.session["_auth_user_id"] == str(person.pk)
    my_work = client.get(response["Location"])
    assert my_work.status_code == 200
    assert "ZSM" in my_work.text


def test_it_refuses_a_used_invitation_the_second_time(world: World):
    _invitation, token = issue(world)
    data = {"full_name": "Nieuw", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert in_english(Client()).post(accept_url(token), data).status_code == 302
    again = in_english(Client()).post(accept_url(token), data)
    assert again.status_code == 410
    assert "already been used" in again.text
    assert "<form" not in again.text.split("<main", 1)[1]
    assert Person.objects.filter(email="nieuw@example.nl").count() == 1
    assert Membership.objects.filter(chain=world.chain, person__email="nieuw@example.nl").count() == 1


def test_it_refuses_an_expired_invitation(world: World):
    invitation, token = issue(world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = in_english(Client())
    page = client.get(accept_url(token))
    assert page.status_code == 410
    assert "has expired" in page.text
    assert 'name="password1"' not in page.text
    posted = client.post(accept_url(token), {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert posted.status_code == 410
    assert not Person.objects.filter(email="nieuw@example.nl").exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_it_refuses_a_revoked_invitation(world: World):
    invitation, token = issue(world)
    invitation.revoke()
    response = in_english(Client()).post(
        accept_url(token), {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert "withdrawn" in response.text
    assert not Person.objects.filter(email="nieuw@example.nl").exists()


def test_it_answers_404_for_an_unknown_token(world: World):
    assert Client().get(accept_url("not-a-real-token")).status_code == 404


def test_it_refuses_a_password_confirmation_that_differs(world: World):
    invitation, token = issue(world)
    response = in_english(Client()).post(
        accept_url(token), {"full_name": "Nieuw", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert response.status_code == 422
    assert "didn’t match" in response.text
    assert not Person.objects.filter(email="nieuw@example.nl").exists()
    assert not Membership.objects.filter(chain=world.chain, person__email="nieuw@example.nl").exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_it_applies_the_password_validators(world: World):
    _invitation, token = issue(world)
    response = in_english(Client()).post(
        accept_url(token), {"full_name": "Nieuw", "password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 422
    assert "too short" in response.text
    assert not Person.objects.filter(email="nieuw@example.nl").exists()


# --- accepting: an existing account ----------------------------------------------------


def test_it_asks_an_existing_person_to_sign_in_first(world: World):
    invitation, token = issue(world, email=world.outsider.email, role=Role.VIEWER)
    response = in_english(Client()).get(accept_url(token))
    assert response.status_code == 200
    assert "Sign in to accept" in response.text
    assert 'name="password1"' not in response.text
    assert f"/inloggen/?next=%2Fuitnodiging%2F{token}%2F" in response.text
    # A POST without signing in changes nothing.
    in_english(Client()).post(
        accept_url(token), {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Membership.objects.filter(person=world.outsider, chain=world.chain).exists()


def test_it_lets_a_signed_in_invitee_accept(world: World, as_person):
    invitation, token = issue(world, email=world.outsider.email, role=Role.VIEWER)
    client = as_person(world.outsider)
    page = client.get(accept_url(token))
    assert page.status_code == 200
    assert "Accept the invitation" in page.text
    response = client.post(accept_url(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:chain_detail", args=["zsm"])
    assert Membership.objects.filter(person=world.outsider, chain=world.chain, role=Role.VIEWER).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert client.get("/ketens/zsm/").status_code == 200


def test_it_signs_an_existing_person_in_and_back_to_the_invitation(world: World):
    _invitation, token = issue(world, email=world.outsider.email, role=Role.VIEWER)
    client = in_english(Client())
    response = client.post(
        reverse("login"), {"username": world.outsider.email, "password": PASSWORD, "next": accept_url(token)}
    )
    assert response["Location"] == accept_url(token)
    assert "Accept the invitation" in client.get(accept_url(token)).text


def test_it_refuses_someone_else_who_is_signed_in(world: World, as_person):
    invitation, token = issue(world)
    client = as_person(world.outsider)
    assert client.get(accept_url(token)).status_code == 403
    response = client.post(accept_url(token), {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    assert "Sign out first" in response.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Person.objects.filter(email="nieuw@example.nl").exists()
    assert not Membership.objects.filter(person=world.outsider, chain=world.chain).exists()


def test_it_does_not_let_a_partner_role_act_for_another_organisation(world: World, as_person):
    # The person works for Gemeente Groningen, which is not a partner in zsm.
    invitation, token = issue(world, email=world.outsider.email, role=Role.CONTRIBUTOR, organisation=world.org_a)
    response = as_person(world.outsider).post(accept_url(token))
    assert response.status_code == 422
    assert "not a partner in this chain" in response.text
    assert not Membership.objects.filter(person=world.outsider, chain=world.chain).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_it_sends_an_invited_programme_manager_to_set_up_two_factor(world: World):
    _invitation, token = issue(world, role=Role.PROGRAMME_MANAGER)
    client = in_english(Client())
    response = client.post(
        accept_url(token), {"full_name": "Nieuw", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith(reverse("otp_setup"))


# --- concurrency ------------------------------------------------------------------------


@requires_services(postgres=True)
def test_it_lets_only_one_of_two_simultaneous_accepts_win(transactional_db, world: World):
    """Two clicks on the same link at the same moment: the row lock makes the second see it used."""
    invitation, token = issue(world)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    data = {"full_name": "Nieuw", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    def accept() -> None:
        try:
            client = in_english(Client())
            barrier.wait(timeout=10)
            statuses.append(client.post(accept_url(token), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [302, 410]
    assert Person.objects.filter(email="nieuw@example.nl").count() == 1
    assert Membership.objects.filter(chain=world.chain, person__email="nieuw@example.nl").count() == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_it_keeps_the_token_out_of_the_logs(
    world: World, as_person, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        as_person(world.manager).post(CREATE_URL, {"email": "nieuw@example.nl", "full_name": "N", "role": Role.VIEWER})
    token = re.search(r"/uitnodiging/(\S+)/", mailoutbox[0].body).group(1)
    with caplog.at_level(logging.DEBUG):
        wrong = in_english(Client()).post(accept_url(token), {"full_name": "N", "password1": "a", "password2": "b"})
        assert wrong.status_code == 422
        assert as_person(world.outsider).get(accept_url(token)).status_code == 403
    assert "Invitation" in caplog.text  # something was logged ...
    assert token not in caplog.text  # ... but never the token
