"""The agreements API (read-only): each agreement with its parties, versions (their SHA-256
fingerprints) and signatures (void under an earlier version); no IP address or browser given
out; another chain's agreements not found; nothing written; constant queries; in the schema."""

from __future__ import annotations

import pytest
import yaml
from django.urls import reverse

from governance.services import agreements as services
from tests.api.conftest import results
from tests.conftest import World
from tests.governance.agreement_fixtures import build_parties, covenant, pdf, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def api(name: str, *args) -> str:
    return reverse(f"governance-api:{name}", args=args)


def test_it_gives_versions_fingerprints_and_signatures(world: World, client_for):
    parties = build_parties(world)
    agreement = covenant(parties, attachment=pdf())
    sign(world.lead_a, agreement)
    first = services.current_version(agreement)
    services.add_version(world.manager, agreement, text="Tweede versie", pdf=None)
    second = services.current_version(agreement)
    sign(world.lead_b, agreement)
    (found,) = results(client_for(world.viewer).get(api("agreement-list")))
    assert found["id"] == agreement.pk and found["status"] == "for_signature"
    assert [(v["number"], v["fingerprint"], v["has_pdf"]) for v in found["versions"]] == [
        (2, second.fingerprint, False),
        (1, first.fingerprint, True),
    ]
    signed = {(s["organisation"], s["version"], s["void"], s["fingerprint"]) for s in found["signatures"]}
    assert signed == {
        (world.org_a.pk, 1, True, first.fingerprint),
        (world.org_b.pk, 2, False, second.fingerprint),
    }
    assert all("ip_address" not in s and "user_agent" not in s for s in found["signatures"])
    assert {p["role"] for p in found["parties"]} == {"signs", "participates"}


def test_another_chains_agreement_is_not_found_and_nothing_is_written(world: World, client_for):
    parties = build_parties(world)
    agreement = covenant(parties)
    assert client_for(world.outsider).get(api("agreement-detail", agreement.pk)).status_code == 404
    client = client_for(world.manager)
    assert client.post(api("agreement-list"), {}, content_type="application/json").status_code == 405
    assert client.delete(api("agreement-detail", agreement.pk)).status_code == 405


def test_it_lists_in_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries):
    parties = build_parties(world)

    def grow(first: int, last: int) -> None:
        for number in range(first, last):
            agreement = covenant(parties, title=f"Convenant {number}")
            sign(world.lead_a, agreement)
            services.add_version(world.manager, agreement, text=f"Versie 2 van {number}", pdf=None)
            sign(world.lead_b, agreement)

    client = client_for(world.viewer)
    grow(0, 1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(api("agreement-list")).status_code == 200
    grow(1, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(results(client.get(api("agreement-list")))) == 6


def test_it_is_in_the_schema(world: World, client_for):
    schema = yaml.safe_load(client_for(world.viewer).get(reverse("api_schema")).content)
    for path in ("/api/agreements/", "/api/agreements/{id}/"):
        assert set(schema["paths"][path]) == {"get"}, path
    filters = {p["name"] for p in schema["paths"]["/api/agreements/"]["get"]["parameters"]}
    assert {"chain", "kind", "status"} <= filters
    signature = schema["components"]["schemas"]["Signature"]["properties"]
    assert {"fingerprint", "void", "mandate_valid_from", "mandate_valid_until"} <= set(signature)
