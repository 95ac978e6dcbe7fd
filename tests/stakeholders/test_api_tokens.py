"""API connections: a partner's own system with a token scoped to its organisation's units."""

import json
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambitions.models import Figure
from stakeholders.models import ApiToken, Membership, Person, Role
from stakeholders.models.api_tokens import hash_key
from stakeholders.views.api_tokens import SYSTEM_DOMAIN, connections_in, create_connection
from tests.conftest import World, in_english

LIST = reverse("stakeholders:api_connection_list", args=["zsm"])
CREATE = reverse("stakeholders:api_connection_create", args=["zsm"])
UNTIL = (date.today() + timedelta(days=90)).isoformat()


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def revoke_url(person: Person) -> str:
    return reverse("stakeholders:api_connection_revoke", args=["zsm", person.pk])


def test_a_partner_lead_creates_a_connection_for_their_organisation_and_sees_the_token_once(world: World, client_for):
    client = client_for(world.lead_a)
    form = client.get(CREATE)
    assert form.status_code == 200
    assert [o[1] for o in form.context["form"].fields["organisation"].choices][1:] == ["Politie"]

    response = client.post(CREATE, {"organisation": world.org_a.pk, "name": "Registratiesysteem", "expires_on": UNTIL})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    person = Person.objects.get(full_name="API: Politie – Registratiesysteem")
    key = re.search(r'<code class="kp-token">([^<]+)</code>', response.text).group(1)
    token = ApiToken.objects.get(person=person)
    # Only the key's hash is stored; the token works until the end of the chosen day.
    assert token.key_hash == hash_key(key) and key not in str(ApiToken.objects.values().get())
    assert timezone.localtime(token.expires_at).date() == date.fromisoformat(UNTIL) + timedelta(days=1)
    assert token.created_by == world.lead_a
    assert person.email.endswith(f"@{SYSTEM_DOMAIN}") and not person.has_usable_password()
    assert person.organisation == world.org_a and person.is_active
    assert Membership.objects.get(person=person).role == Role.CONTRIBUTOR
    listing = client.get(LIST)
    assert "Registratiesysteem" in listing.text
    assert key not in listing.text


def test_a_lead_cannot_create_a_connection_for_another_partner(world: World, client_for):
    response = client_for(world.lead_a).post(CREATE, {"organisation": world.org_b.pk, "name": "Systeem"})
    assert response.status_code == 422
    assert "valid choice" in response.text
    assert not connections_in(world.chain).exists()


def test_the_programme_manager_creates_connections_for_any_partner(world: World, client_for):
    client = client_for(world.manager)
    choices = [o[1] for o in client.get(CREATE).context["form"].fields["organisation"].choices][1:]
    assert choices == ["Openbaar Ministerie", "Politie"]
    data = {"organisation": world.org_b.pk, "name": "OM-systeem", "expires_on": UNTIL}
    assert client.post(CREATE, data).status_code == 200
    assert connections_in(world.chain).get().organisation == world.org_b


def test_the_list_shows_a_lead_only_their_own_organisations_connections(world: World, client_for):
    create_connection(world.chain, world.org_a, "Politiesysteem")
    create_connection(world.chain, world.org_b, "OM-systeem")
    assert "OM-systeem" not in client_for(world.lead_a).get(LIST).text
    assert "Politiesysteem" in client_for(world.lead_a).get(LIST).text
    manager = client_for(world.manager).get(LIST).text
    assert "Politiesysteem" in manager and "OM-systeem" in manager
    assert client_for(world.contributor_a).get(LIST).status_code == 403
    assert client_for(world.viewer).get(LIST).status_code == 403
    assert client_for(world.outsider).get(LIST).status_code == 404


def test_the_list_takes_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries):
    client = client_for(world.manager)
    create_connection(world.chain, world.org_a, "Eerste")
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for n in range(5):
        create_connection(world.chain, world.org_b, f"Systeem {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


def token_client(key: str) -> Client:
    return in_english(Client(headers={"Authorization": f"Token {key}"}))


def test_the_token_writes_only_its_organisations_units(measures, client_for):
    m, w = measures, measures.world
    person, key = create_connection(w.chain, w.org_a, "Politiesysteem")
    client = token_client(key)

    def post(unit):
        body = {"indicator": m.count.pk, "unit": unit.pk, "period": m.period.slug, "value": 3}
        return client.post(reverse("ambitions-api:figure-list"), json.dumps(body), content_type="application/json")

    assert post(w.unit_a).status_code == 201
    assert post(w.unit_b).status_code == 403
    assert post(w.unit_c).status_code == 404
    assert Figure.objects.get().entered_by == person
    # It cannot sign in to the pages, and has no session: every page sends it to the sign-in page.
    assert client.get(reverse("stakeholders:my_work")).status_code == 302


def test_revoking_the_connection_revokes_its_tokens_and_deactivates_the_account(world: World, client_for):
    w = world
    person, key = create_connection(w.chain, w.org_a, "Politiesysteem")
    assert client_for(w.lead_b).post(revoke_url(person)).status_code == 403
    response = client_for(w.lead_a).post(revoke_url(person))
    assert response.status_code == 302
    assert response["Location"] == LIST
    person.refresh_from_db()
    assert not person.is_active and not ApiToken.objects.usable().filter(person=person).exists()
    assert ApiToken.objects.get(person=person).revoked_by == w.lead_a  # kept, as history
    refused = token_client(key).get(reverse("ambitions-api:figure-list"))
    assert (refused.status_code, refused.json()["code"]) == (401, "token_revoked")
    assert "Revoked" in client_for(w.lead_a).get(LIST).text


def test_ordinary_people_cannot_be_revoked_through_this_page(world: World, client_for):
    assert client_for(world.manager).post(revoke_url(world.contributor_a)).status_code == 404
    other, _ = create_connection(world.other_chain, world.org_c, "Gemeentesysteem")
    assert client_for(world.manager).post(revoke_url(other)).status_code == 404
    assert client_for(world.manager).get(revoke_url(world.contributor_a)).status_code == 405


def test_the_created_page_explains_how_to_use_the_token(world: World, client_for):
    data = {"organisation": world.org_a.pk, "name": "Systeem", "expires_on": UNTIL}
    response = client_for(world.manager).post(CREATE, data)
    key = re.search(r'<code class="kp-token">([^<]+)</code>', response.text).group(1)
    assert f"Authorization: Token {key}" in response.text
    assert reverse("api_docs") in response.text
