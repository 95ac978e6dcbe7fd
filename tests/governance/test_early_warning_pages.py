"""Early warnings' pages (governance/views/early_warnings.py): the list, a warning's page with the
chart and the lagging units, accept and dismiss on the page, My work and the chain home."""

from __future__ import annotations

import pytest

from governance.models import Bottleneck
from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from governance.services import early_warning
from tests.governance.body_fixtures import body_of, error_at
from tests.governance.early_warning_fixtures import BEND, report, seen_on

pytestmark = pytest.mark.django_db

RAISED_AT = BEND.shifted(4)  # January 2026 (tests/governance/test_early_warning.py)


@pytest.fixture
def warning(measures) -> EarlyWarning:
    report(measures)
    body_of(measures.world)
    [raised] = early_warning.sweep(seen_on(RAISED_AT))
    return raised


def list_url(warning) -> str:
    return f"/ketens/{warning.chain.slug}/overleg/vroegsignalen/"


def test_every_member_sees_the_proposed_warnings(warning, client_for, max_page_queries):
    # Besides the session and the chain: the proposed, the decided ones' count and page.
    client = client_for(warning.chain.memberships.get(role="viewer").person)
    with max_page_queries(12):
        response = client.get(list_url(warning))
    assert response.status_code == 200
    assert warning.indicator.name in response.text and warning.get_absolute_url() in response.text
    assert "Politie" in response.text  # the lagging unit's partner


def test_the_warning_page_shows_the_chart_and_the_lagging_units(warning, measures, client_for):
    response = client_for(measures.world.viewer).get(warning.get_absolute_url())
    assert response.status_code == 200
    assert 'role="img"' in response.text and 'id="lagging-units"' in response.text
    assert measures.world.unit_a.name in response.text
    # A viewer reads, but is offered no decision.
    assert 'id="accept-form"' not in response.text and 'id="dismiss-form"' not in response.text


def test_the_programme_manager_accepts_on_the_page(warning, measures, client_for):
    client = client_for(measures.world.manager)
    assert 'id="accept-form"' in client.get(warning.get_absolute_url()).text
    response = client.post(f"{warning.get_absolute_url()}accepteren/", {"note": "Graag op de agenda."})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.ACCEPTED
    assert Bottleneck.objects.get() == warning.bottleneck
    # A second click is refused on the page, and nothing more is made.
    again = client.post(f"{warning.get_absolute_url()}accepteren/", {"note": ""})
    assert again.status_code == 409 and 'id="form-errors"' in again.text
    assert Bottleneck.objects.count() == 1


def test_dismissing_without_a_reason_is_refused_at_the_field(warning, measures, client_for):
    client = client_for(measures.world.manager)
    response = client.post(f"{warning.get_absolute_url()}afwijzen/", {"reason": "  "})
    assert response.status_code == 422
    assert error_at(response, "reason")
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.PROPOSED
    done = client.post(f"{warning.get_absolute_url()}afwijzen/", {"reason": "Bekend; loopt al."})
    assert done.status_code == 302
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.DISMISSED and warning.reason == "Bekend; loopt al."


def test_a_viewer_may_not_decide(warning, measures, client_for):
    response = client_for(measures.world.viewer).post(f"{warning.get_absolute_url()}afwijzen/", {"reason": "Nee"})
    assert response.status_code == 403
    warning.refresh_from_db()
    assert warning.status == EarlyWarningStatus.PROPOSED


def test_my_work_lists_the_warning_for_the_programme_manager_only(warning, measures, client_for):
    assert warning.get_absolute_url() in client_for(measures.world.manager).get("/").text
    assert warning.get_absolute_url() not in client_for(measures.world.lead_a).get("/").text


def test_the_chain_home_counts_the_ambitions_heading_off_target(warning, measures, client_for):
    home = client_for(measures.world.viewer).get(f"/ketens/{warning.chain.slug}/")
    assert 'id="ambitions-off-target"' in home.text
    count = home.text.split('id="ambitions-off-target">')[1].split("</p>")[0]
    assert count.strip().startswith("1 ")
    # Dismissed: nothing heading off target any more.
    warning.status = EarlyWarningStatus.DISMISSED
    warning.save()
    assert (
        'id="ambitions-off-target"' not in client_for(measures.world.viewer).get(f"/ketens/{warning.chain.slug}/").text
    )


def test_the_api_lists_the_chains_warnings_and_refuses_junk_filters(warning, measures, client_for):
    client = client_for(measures.world.viewer)
    listed = client.get("/api/early-warnings/", {"chain": "zsm", "status": "proposed"})
    assert listed.status_code == 200
    [row] = listed.json()["results"] if "results" in listed.json() else listed.json()
    assert row["id"] == warning.pk and row["lagging"][0]["unit"] == measures.world.unit_a.name
    for junk in ({"status": "bogus"}, {"indicator": "x" * 400}, {"status": ""}):
        assert client.get("/api/early-warnings/", junk).status_code == 400
