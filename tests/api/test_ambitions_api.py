"""The ambitions API: reading indicators, versions, figures and roll-ups; saving one figure.

The bulk upsert has its own file (test_bulk.py).
"""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambitions.models import ChainAggregate, Figure, FigureChange, FigureSource, OrganisationAggregate
from ambitions.services import submissions
from ambitions.services.entry import CellInput, save_cell
from stakeholders.models import ApiToken
from tests.api.conftest import results
from tests.api.problems import messages
from tests.conftest import in_english
from tests.factories import UnitFactory
from tests.measures import MISSING, Measures

FIGURES = reverse("ambitions-api:figure-list")


@pytest.fixture(autouse=True)
def on_the_20th(monkeypatch):
    """The roll-ups' today is the 20th of this month, so last month (``m.period``) is past its
    deadline (ten days) and judged whatever day the suite runs."""
    from types import SimpleNamespace

    from ambitions.api import serializers

    today = timezone.localdate().replace(day=20)
    monkeypatch.setattr(serializers, "timezone", SimpleNamespace(localdate=lambda: today))
    return today


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def figure_url(figure: Figure) -> str:
    return reverse("ambitions-api:figure-detail", args=[figure.pk])


def post(client: Client, body: dict, **headers):
    return client.post(FIGURES, json.dumps(body), content_type="application/json", headers=headers)


def share_row(m: Measures, unit, numerator="12", denominator="50", **extra) -> dict:
    return {"indicator": m.share.pk, "unit": unit.pk, "period": m.period.slug, "numerator": numerator,
            "denominator": denominator, **extra}  # fmt: skip


def count_row(m: Measures, unit, value=10, **extra) -> dict:
    return {"indicator": m.count.pk, "unit": unit.pk, "period": m.period.slug, "value": value, **extra}


# --- Reading ----------------------------------------------------------------------------------


def test_it_lists_the_indicators_of_the_persons_chains_with_their_current_definition(measures, client_for):
    m, w = measures, measures.world
    indicators = results(client_for(w.viewer).get(reverse("ambitions-api:indicator-list")))
    assert [(i["chain"], i["name"]) for i in indicators] == [("zsm", m.share.name), ("zsm", m.count.name)]
    share = indicators[0]
    assert share["ambition"]["statement"] == m.ambition.statement
    assert share["current_version"]["number"] == 1
    assert share["current_version"]["kind"] == "ratio"
    assert share["current_version"]["target_value"] == "80.0000"
    outsider = results(client_for(w.outsider).get(reverse("ambitions-api:indicator-list")))
    assert [i["name"] for i in outsider] == [m.other_indicator.name]


def test_it_hides_another_chains_objects_with_a_404(measures, client_for):
    m, w = measures, measures.world
    other = save_cell(w.admin, m.other_indicator, w.unit_c, m.period, CellInput(value="4"))
    client = client_for(w.lead_a)
    assert client.get(reverse("ambitions-api:indicator-detail", args=[m.other_indicator.pk])).status_code == 404
    version = m.other_indicator.versions.get()
    assert client.get(reverse("ambitions-api:indicator-version-detail", args=[version.pk])).status_code == 404
    assert client.get(figure_url(other)).status_code == 404
    aggregate = ChainAggregate.objects.get(indicator=m.other_indicator)
    assert client.get(reverse("ambitions-api:chain-aggregate-detail", args=[aggregate.pk])).status_code == 404
    assert results(client.get(FIGURES, {"chain": "jeugd"})) == []
    assert results(client.get(FIGURES, {"indicator": m.other_indicator.pk})) == []


def test_it_sees_nothing_without_a_role_and_asks_anonymous_visitors_to_sign_in(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="4"))
    assert results(client_for(w.outsider).get(FIGURES)) == []
    assert results(client_for(w.outsider).get(reverse("ambitions-api:chain-aggregate-list"), {"chain": "zsm"})) == []
    assert client_for(None).get(FIGURES).status_code == 403
    assert post(client_for(None), count_row(m, w.unit_a)).status_code == 403


def test_it_lists_the_versions_with_who_consented(measures, client_for):
    m, w = measures, measures.world
    versions = results(
        client_for(w.viewer).get(reverse("ambitions-api:indicator-version-list"), {"indicator": m.share.pk})
    )
    assert [(v["number"], v["status"]) for v in versions] == [(1, "adopted")]
    assert set(versions[0]["reporting_units"]) == {w.unit_a.pk, w.unit_b.pk}
    assert versions[0]["consents"] == []


def test_it_filters_figures_by_indicator_unit_organisation_and_period_range(measures, client_for):
    m, w = measures, measures.world
    earlier = m.period.shifted(-3)
    for period, value in ((earlier, "3"), (m.period, "5")):
        save_cell(w.contributor_a, m.count, w.unit_a, period, CellInput(value=value))
    save_cell(w.lead_b, m.count, w.unit_b, m.period, CellInput(value="7"))
    save_cell(w.lead_b, m.share, w.unit_b, m.period, CellInput(numerator="1", denominator="4"))
    client = client_for(w.viewer)

    def values(**params) -> list[str]:
        return [f["value"] for f in results(client.get(FIGURES, params))]

    assert values(indicator=m.count.pk) == ["3.0000", "5.0000", "7.0000"]
    assert values(indicator=m.count.pk, unit=w.unit_b.pk) == ["7.0000"]
    assert values(organisation=w.org_b.pk) == ["7.0000", "25.0000"]  # in the order first saved
    assert values(indicator=m.count.pk, period_from=m.period.shifted(-1).slug) == ["5.0000", "7.0000"]
    assert values(indicator=m.count.pk, period_to=earlier.slug) == ["3.0000"]
    assert values(indicator=m.count.pk, period=str(m.period.start)) == ["5.0000", "7.0000"]
    assert values(indicator=m.count.pk, period_to=str(m.period.start.year - 5)) == []
    response = client.get(FIGURES, {"period_from": "maart"})
    assert response.status_code == 400
    assert "period_from" in messages(response.json())


def test_it_pages_figures_with_a_cursor(measures, client_for):
    m, w = measures, measures.world
    for step in range(3):
        save_cell(w.contributor_a, m.count, w.unit_a, m.period.shifted(-step), CellInput(value=str(step)))
    client = client_for(w.viewer)
    page = client.get(FIGURES, {"page_size": 2}).json()
    assert "count" not in page  # no COUNT(*) over a million figures
    assert [f["value"] for f in page["results"]] == ["0.0000", "1.0000"]
    rest = client.get(page["next"]).json()
    assert ([f["value"] for f in rest["results"]], rest["next"]) == (["2.0000"], None)


def test_it_shows_a_figure_with_its_revision_as_etag_and_its_periods_status(measures, client_for):
    m, w = measures, measures.world
    figure = save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="12,5", denominator="50"))
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    response = client_for(w.viewer).get(figure_url(figure))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["period"] == m.period.slug
    assert (body["numerator"], body["denominator"], body["value"]) == ("12.5000", "50.0000", "25.0000")
    assert (body["status"], body["source"], body["revision"]) == ("submitted", "form", 1)


def test_it_reports_the_chain_and_organisation_roll_ups_with_value_and_status(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="1", denominator="2"))
    save_cell(w.lead_b, m.share, w.unit_b, m.period, CellInput(numerator="9", denominator="98"))
    client = client_for(w.viewer)
    chain = results(client.get(reverse("ambitions-api:chain-aggregate-list"), {"indicator": m.share.pk}))
    assert len(chain) == 1
    # 10 / 100, not the average of 50% and 9.2%.
    assert (chain[0]["period"], chain[0]["value"], chain[0]["reported"], chain[0]["expected_reports"]) == (
        m.period.slug,
        "10.0000",
        2,
        2,
    )
    assert chain[0]["status"] == "off_track"
    assert Decimal(chain[0]["expected"]) > 24
    per_org = results(client.get(reverse("ambitions-api:organisation-aggregate-list"), {"indicator": m.share.pk}))
    assert {(a["organisation"], a["value"], a["expected_reports"]) for a in per_org} == {
        (w.org_a.pk, "50.0000", 1),
        (w.org_b.pk, "9.1837", 1),
    }
    assert results(client.get(reverse("ambitions-api:chain-aggregate-list"), {"period_to": "2020"})) == []


def test_a_sums_roll_up_is_provisional_while_units_have_not_reported(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="100"))
    client = client_for(w.viewer)
    chain = results(client.get(reverse("ambitions-api:chain-aggregate-list"), {"indicator": m.count.pk}))
    assert [(a["reported"], a["expected_reports"], a["status"]) for a in chain] == [(1, 2, "provisional")]
    per_org = results(client.get(reverse("ambitions-api:organisation-aggregate-list"), {"indicator": m.count.pk}))
    assert [(a["organisation"], a["status"]) for a in per_org] == [(w.org_a.pk, "on_track")]


def test_a_roll_up_before_its_deadline_is_in_progress_not_judged(measures, client_for, on_the_20th):
    """A period still running (or before its deadline) is not judged, as on the dashboard."""
    m, w = measures, measures.world
    running = m.period.next  # this month: its deadline is ten days after its end
    save_cell(w.contributor_a, m.share, w.unit_a, running, CellInput(numerator="1", denominator="2"))
    save_cell(w.lead_b, m.share, w.unit_b, running, CellInput(numerator="9", denominator="98"))
    client = client_for(w.viewer)
    chain = results(client.get(reverse("ambitions-api:chain-aggregate-list"), {"indicator": m.share.pk}))
    assert [(a["period"], a["reported"], a["status"]) for a in chain] == [(running.slug, 2, "in_progress")]
    per_org = results(client.get(reverse("ambitions-api:organisation-aggregate-list"), {"indicator": m.share.pk}))
    assert {a["status"] for a in per_org} == {"in_progress"}


@pytest.mark.parametrize(
    "url_name",
    [
        "ambitions-api:indicator-list",
        "ambitions-api:indicator-version-list",
        "ambitions-api:figure-list",
        "ambitions-api:chain-aggregate-list",
        "ambitions-api:organisation-aggregate-list",
    ],
)
def test_it_lists_in_a_constant_number_of_queries(measures, client_for, django_assert_max_num_queries, url_name):
    m, w = measures, measures.world
    client = client_for(w.viewer)
    url = reverse(url_name)
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="1"))
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for step in range(1, 13):
        period = m.period.shifted(-step)
        save_cell(w.contributor_a, m.count, w.unit_a, period, CellInput(value="1"))
        save_cell(w.lead_b, m.share, w.unit_b, period, CellInput(numerator="1", denominator="3"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- Saving one figure ------------------------------------------------------------------------


def test_it_creates_updates_and_leaves_an_unchanged_figure_alone(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)

    created = post(client, share_row(m, w.unit_a, numerator="12.5"))
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    assert (created.json()["value"], created.json()["source"]) == ("25.0000", "api")

    updated = post(client, share_row(m, w.unit_a, numerator="25", comment="Herteld"))
    assert updated.status_code == 200
    assert (updated.json()["revision"], updated.json()["value"], updated.json()["comment"]) == (2, "50.0000", "Herteld")

    again = post(client, share_row(m, w.unit_a, numerator="25", comment="Herteld"))
    assert (again.status_code, again.json()["revision"]) == (200, 2)

    figure = Figure.objects.get()
    assert figure.source == FigureSource.API and figure.entered_by == w.contributor_a
    assert list(FigureChange.objects.filter(figure=figure).values_list("revision", flat=True)) == [2, 1]
    aggregate = ChainAggregate.objects.get(indicator=m.share, period=m.period.start)
    assert (aggregate.numerator_sum, aggregate.denominator_sum) == (25, 50)


def test_it_accepts_the_period_as_the_date_it_starts(measures, client_for):
    m, w = measures, measures.world
    response = post(client_for(w.contributor_a), count_row(m, w.unit_a, period=m.period.start.isoformat()))
    assert response.status_code == 201
    assert response.json()["period"] == m.period.slug


def test_it_saves_only_when_if_match_names_the_current_revision(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    etag = post(client, count_row(m, w.unit_a, value=10))["ETag"]
    # Meanwhile someone else changes the figure.
    save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="11"))

    stale = post(client, count_row(m, w.unit_a, value=12), **{"If-Match": etag})
    assert stale.status_code == 412
    assert (stale.json()["value"], stale.json()["revision"]) == ("11.0000", 2)
    assert stale["ETag"] == '"2"'
    assert Figure.objects.get().value == 11

    fresh = post(client, count_row(m, w.unit_a, value=12), **{"If-Match": stale["ETag"]})
    assert (fresh.status_code, fresh.json()["revision"]) == (200, 3)


def test_if_match_needs_an_existing_figure(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    assert post(client, count_row(m, w.unit_a), **{"If-Match": '"1"'}).status_code == 412
    assert post(client, count_row(m, w.unit_a), **{"If-Match": "*"}).status_code == 412
    assert not Figure.objects.exists()
    assert post(client, count_row(m, w.unit_a), **{"If-Match": "yesterday"}).status_code == 400


def test_a_stale_revision_in_the_body_is_a_409_conflict(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    assert post(client, count_row(m, w.unit_a, value=10, revision=0)).status_code == 201
    conflict = post(client, count_row(m, w.unit_a, value=12, revision=0))
    assert conflict.status_code == 409
    assert conflict.json()["value"] == "10.0000"
    assert post(client, count_row(m, w.unit_a, value=12, revision=1)).status_code == 200
    # A revision for a figure that does not exist yet is stale too.
    assert post(client, count_row(m, w.unit_a, value=1, period=m.period.previous.slug, revision=4)).status_code == 409


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"numerator": "veel"}, "numerator", "Send a JSON number"),
        ({"numerator": -1}, "numerator", "cannot be negative"),
        ({"numerator": 60}, "numerator", "cannot be greater than the denominator"),
        ({"denominator": None}, "denominator", "both the numerator and the denominator"),
        ({"value": 25}, "value", "is a ratio"),
        ({"numerator": "100000000000000000000", "denominator": 10**21}, "numerator", "too large"),
        ({"period": "maart"}, "period", "2026-K1"),
        ({"follow_up": "ja"}, "follow_up", "true or false"),
        ({"nummer": 1}, "nummer", "Unknown field"),
    ],
)
def test_it_answers_bad_input_with_a_message_at_the_field_and_saves_nothing(
    measures, client_for, change, field, message
):
    m, w = measures, measures.world
    response = post(client_for(w.contributor_a), {**share_row(m, w.unit_a), **change})
    assert response.status_code == 400
    assert message in messages(response.json())[field][0]
    assert not Figure.objects.exists()


def test_it_refuses_cells_that_cannot_take_a_figure(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    elsewhere = UnitFactory(organisation=w.org_a, name="Eenheid Noord")
    response = post(client, count_row(m, elsewhere))
    assert response.status_code == 400
    assert "does not report" in messages(response.json())["non_field_errors"][0]
    future = m.period.shifted(3)
    assert (
        "can be entered from" in post(client, count_row(m, w.unit_a, period=future.slug)).json()["errors"][0]["detail"]
    )
    second_day = m.period.start.replace(day=2).isoformat()
    assert "not the first day" in post(client, count_row(m, w.unit_a, period=second_day)).json()["errors"][0]["detail"]
    assert (
        "no adopted definition" in post(client, count_row(m, w.unit_a, period="2019-03")).json()["errors"][0]["detail"]
    )
    assert "is a sum" in post(client, count_row(m, w.unit_a, numerator=1)).json()["errors"][0]["detail"]
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="10"))
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period, MISSING)
    locked = post(client, count_row(m, w.unit_a, value=11))
    assert locked.status_code == 400
    assert "approved and locked" in messages(locked.json())["non_field_errors"][0]
    assert Figure.objects.get().value == 10


def test_an_implausible_value_needs_a_comment(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    response = post(client, count_row(m, w.unit_a, value=20000))
    assert response.status_code == 400
    assert "add a comment" in messages(response.json())["comment"][0]
    assert post(client, count_row(m, w.unit_a, value=20000, comment="Grote actie")).status_code == 201


def test_it_refuses_another_partners_unit_with_403_and_another_chains_with_404(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    assert post(client, count_row(m, w.unit_b)).status_code == 403
    assert post(client, count_row(m, w.unit_b, value="not even a number", period="2019-02-30")).status_code == 400
    assert post(client, {**count_row(m, w.unit_c), "indicator": m.other_indicator.pk}).status_code == 404
    assert post(client, count_row(m, w.unit_c)).status_code == 404
    assert post(client_for(w.viewer), count_row(m, w.unit_a)).status_code == 403
    assert not Figure.objects.exists()


# --- Tokens -----------------------------------------------------------------------------------


def token_client(person) -> Client:
    _token, key = ApiToken.issue(person, expires_at=None)
    return in_english(Client(headers={"Authorization": f"Token {key}"}))


def test_a_persons_token_works_only_within_that_persons_roles(measures):
    m, w = measures, measures.world
    client = token_client(w.contributor_a)
    assert post(client, count_row(m, w.unit_a)).status_code == 201
    assert post(client, count_row(m, w.unit_b)).status_code == 403
    assert post(client, {**count_row(m, w.unit_c), "indicator": m.other_indicator.pk}).status_code == 404
    assert [f["unit"] for f in results(client.get(FIGURES))] == [w.unit_a.pk]
    assert client.get(reverse("ambitions-api:indicator-detail", args=[m.other_indicator.pk])).status_code == 404
    # 403, not 401: session authentication comes first and sends no WWW-Authenticate challenge.
    assert Client(headers={"Authorization": "Token not-a-token"}).get(FIGURES).status_code == 401


def test_aggregates_follow_every_api_save(measures, client_for):
    m, w = measures, measures.world
    post(client_for(w.contributor_a), share_row(m, w.unit_a, numerator="3", denominator="4"))
    post(client_for(w.lead_b), share_row(m, w.unit_b, numerator="1", denominator="4"))
    post(client_for(w.contributor_a), share_row(m, w.unit_a, numerator="", denominator=""))
    organisation = OrganisationAggregate.objects.get(indicator=m.share, organisation=w.org_a, period=m.period.start)
    assert (organisation.reported, organisation.numerator_sum) == (0, 0)
    chain = ChainAggregate.objects.get(indicator=m.share, period=m.period.start)
    assert (chain.reported, chain.numerator_sum, chain.denominator_sum) == (1, 1, 4)
