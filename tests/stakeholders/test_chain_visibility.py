"""The chain every chain page starts from (Chain.objects.visible_with_role, get_chain_or_404): the
policy of ``visible_to`` applied to one row read with the viewer's role, in one query."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from stakeholders.models import Chain, Role
from stakeholders.permissions import get_chain_or_404, role_in
from tests.conftest import World


def test_a_member_gets_the_chain_with_their_role_in_one_query(world: World, django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = Chain.objects.visible_with_role(world.manager, "zsm")
    assert chain == world.chain
    assert chain.viewer_role == Role.PROGRAMME_MANAGER
    assert chain.name == "ZSM"


def test_the_role_read_with_the_chain_serves_role_in_without_another_query(world: World, django_assert_num_queries):
    chain = get_chain_or_404(world.contributor_a, "zsm")
    with django_assert_num_queries(0):
        assert role_in(world.contributor_a, chain) == Role.CONTRIBUTOR


def test_an_administrator_sees_every_chain_without_a_role(world: World):
    chain = Chain.objects.visible_with_role(world.admin, "jeugd")
    assert chain == world.other_chain
    assert chain.viewer_role is None


def test_an_administrator_no_longer_active_sees_no_chain_of_theirs_by_office(world: World):
    world.admin.is_active = False
    world.admin.save()
    assert Chain.objects.visible_with_role(world.admin, "jeugd") is None


@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_others_get_nothing(world: World, who):
    user = AnonymousUser() if who == "anonymous" else world.outsider
    assert Chain.objects.visible_with_role(user, "zsm") is None
    with pytest.raises(Http404):
        get_chain_or_404(user, "zsm")


def test_a_member_of_one_chain_does_not_see_another(world: World):
    assert Chain.objects.visible_with_role(world.manager, "jeugd") is None
    assert Chain.objects.visible_with_role(world.manager, "no-such-chain") is None


def test_it_refuses_a_filtered_queryset_whose_filters_it_would_ignore(world: World):
    with pytest.raises(TypeError):
        Chain.objects.filter(name="Other").visible_with_role(world.manager, "zsm")


def test_it_agrees_with_visible_to_for_every_person_and_chain(world: World):
    people = [world.outsider, world.viewer, world.contributor_a, world.lead_a, world.manager, world.admin]
    for person in people:
        for slug in ("zsm", "jeugd"):
            expected = Chain.objects.visible_to(person).filter(slug=slug).first()
            assert Chain.objects.visible_with_role(person, slug) == expected, (person, slug)


def test_the_list_agrees_with_visible_to_in_its_order_with_each_role(world: World):
    for person in (world.outsider, world.viewer, world.manager, world.admin):
        listed = Chain.objects.with_viewer_role(person)
        assert listed == list(Chain.objects.visible_to(person)), person
        assert {chain.pk: chain.viewer_role for chain in listed} == {
            chain.pk: role_in(person, chain) for chain in listed
        }
    assert [chain.viewer_role for chain in Chain.objects.with_viewer_role(world.admin)] == [None, None]
