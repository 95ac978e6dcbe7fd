from django.urls import reverse

from stakeholders.models import ApiToken
from tests.api.conftest import results
from tests.conftest import World
from tests.factories import ChainFactory, MembershipFactory

LIST = reverse("stakeholders-api:chain-list")


def test_it_lists_only_the_chains_the_person_is_a_member_of(world: World, client_for):
    assert [c["slug"] for c in results(client_for(world.viewer).get(LIST))] == ["zsm"]
    assert [c["slug"] for c in results(client_for(world.outsider).get(LIST))] == ["jeugd"]


def test_it_lists_every_chain_for_a_platform_administrator(world: World, client_for):
    assert {c["slug"] for c in results(client_for(world.admin).get(LIST))} == {"zsm", "jeugd"}


def test_it_shows_a_chain_by_slug(world: World, client_for):
    response = client_for(world.contributor_a).get(reverse("stakeholders-api:chain-detail", args=["zsm"]))
    assert response.status_code == 200
    assert response.json()["name"] == "ZSM"
    assert response.json()["mission"] == world.chain.mission


def test_it_hides_another_chain_with_a_404(world: World, client_for):
    response = client_for(world.viewer).get(reverse("stakeholders-api:chain-detail", args=["jeugd"]))
    assert response.status_code == 404


def test_it_refuses_anonymous_requests(world: World, client_for):
    assert client_for(None).get(LIST).status_code == 403


def test_it_is_read_only(world: World, client_for):
    client = client_for(world.manager)
    assert client.post(LIST, {"name": "Nieuw", "slug": "nieuw"}).status_code == 405
    detail = reverse("stakeholders-api:chain-detail", args=["zsm"])
    assert client.patch(detail, {"name": "Anders"}, content_type="application/json").status_code == 405
    assert client.delete(detail).status_code == 405
    world.chain.refresh_from_db()
    assert world.chain.name == "ZSM"


def test_it_authenticates_a_token_and_shows_only_its_persons_chains(world: World, client):
    _token, key = ApiToken.issue(world.lead_a, expires_at=None)
    response = client.get(LIST, headers={"authorization": f"Token {key}"})
    assert [c["slug"] for c in results(response)] == ["zsm"]
    other = client.get(
        reverse("stakeholders-api:chain-detail", args=["jeugd"]), headers={"authorization": f"Token {key}"}
    )
    assert other.status_code == 404


def test_it_rejects_an_unknown_token(world: World, client):
    response = client.get(LIST, headers={"authorization": "Token not-a-real-token"})
    # A token given but refused is a 401 that says why (a missing one stays a 403: the session class is first).
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "token_invalid"


def test_it_filters_chains_by_kind(world: World, client_for):
    ChainFactory(slug="netwerk", kind="network")
    assert [c["slug"] for c in results(client_for(world.admin).get(LIST, {"kind": "network"}))] == ["netwerk"]


def test_it_lists_chains_in_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries):
    client = client_for(world.viewer)
    # session, person, 2FA check, savepoint, count, rows, release
    with django_assert_max_num_queries(7):
        assert len(results(client.get(LIST))) == 1
    for _ in range(15):
        MembershipFactory(person=world.viewer, chain=ChainFactory())
    with django_assert_max_num_queries(7):
        assert len(results(client.get(LIST))) == 16


def test_it_requires_the_second_factor_of_a_signed_in_programme_manager(world: World, client):
    client.force_login(world.manager, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(LIST)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"]) == (403, "two_factor_required")
    assert body["detail"] == "Two-factor authentication required."
