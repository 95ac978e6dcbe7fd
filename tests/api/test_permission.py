"""ChainPolicyPermission: the API's side of the one policy, for the write endpoints to come."""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from stakeholders.permissions import Action, ChainPolicyPermission
from tests.conftest import World

factory = APIRequestFactory()


def request(method: str, user):
    wrapped = getattr(factory, method)("/api/")
    wrapped.user = user
    return wrapped


def partner_view(action: Action = Action.EDIT_ORGANISATION):
    return SimpleNamespace(
        chain_of=lambda partnership: partnership.chain,
        organisation_of=lambda partnership: partnership.organisation,
        write_action=action,
    )


def test_it_refuses_anonymous_requests(world: World):
    assert not ChainPolicyPermission().has_permission(request("get", AnonymousUser()), SimpleNamespace())
    assert ChainPolicyPermission().has_permission(request("get", world.viewer), SimpleNamespace())


def test_it_lets_every_member_read_an_object(world: World):
    assert ChainPolicyPermission().has_object_permission(request("get", world.viewer), partner_view(), world.partner_b)


def test_it_lets_a_lead_write_only_their_own_partners_objects(world: World):
    permission = ChainPolicyPermission()
    assert permission.has_object_permission(request("patch", world.lead_a), partner_view(), world.partner_a)
    assert not permission.has_object_permission(request("patch", world.lead_a), partner_view(), world.partner_b)
    assert not permission.has_object_permission(request("patch", world.contributor_a), partner_view(), world.partner_a)
    assert permission.has_object_permission(request("patch", world.manager), partner_view(), world.partner_b)


def test_it_keeps_chain_management_to_the_programme_manager(world: World):
    permission = ChainPolicyPermission()
    view = partner_view(Action.MANAGE_CHAIN)
    assert not permission.has_object_permission(request("delete", world.lead_a), view, world.partner_a)
    assert permission.has_object_permission(request("delete", world.manager), view, world.partner_a)
    assert permission.has_object_permission(request("delete", world.admin), view, world.partner_c)
    assert not permission.has_object_permission(request("delete", world.manager), view, world.partner_c)


def test_it_refuses_writes_when_the_view_cannot_name_the_chain(world: World):
    assert not ChainPolicyPermission().has_object_permission(
        request("patch", world.admin), SimpleNamespace(), world.partner_a
    )
