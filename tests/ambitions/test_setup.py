"""Setting up ambitions and indicators: the list, the ambition forms and a new indicator with its first draft."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ambitions.models import Ambition, Indicator, IndicatorVersion, Trajectory, VersionStatus
from tests.conftest import in_english
from tests.measures import Measures

pytestmark = pytest.mark.django_db


def version_data(world, **overrides) -> dict:
    """A complete, valid definition as the form posts it (Dutch decimal commas included)."""
    data = {
        "kind": "ratio",
        "unit_label": "%",
        "numerator_label": "Zaken binnen 24 uur afgedaan",
        "denominator_label": "Alle zaken",
        "factor": "100",
        "is_share": "on",
        "decimals": "1",
        "direction": "higher",
        "min_value": "0",
        "max_value": "100",
        "frequency": "month",
        "effective_from": "2026-01",
        "deadline_days": "10",
        "entry_window_days": "90",
        "baseline_period": "2025-01",
        "baseline_value": "24,5",
        "target_period": "2027-06",
        "target_value": "80",
        "trajectory": "linear",
        "milestones": "",
        "tolerance": "5",
        "reporting_units": [world.unit_a.pk, world.unit_b.pk],
        "rationale": "Eerste versie",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The list --------------------------------------------------------------------------------


def test_it_lists_ambitions_with_their_indicators_for_every_member(measures: Measures, client_for):
    response = client_for(measures.world.viewer).get(reverse("ambitions:ambition_list", args=["zsm"]))
    assert response.status_code == 200
    assert measures.ambition.statement in response.text
    assert measures.share.name in response.text and measures.count.name in response.text
    assert "Jeugd sneller geholpen" not in response.text  # the other chain's ambition
    # A reader gets no management links.
    assert reverse("ambitions:ambition_create", args=["zsm"]) not in response.text
    assert reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]) not in response.text


def test_it_offers_the_programme_manager_the_management_links(measures: Measures, client_for):
    response = client_for(measures.world.manager).get(reverse("ambitions:ambition_list", args=["zsm"]))
    assert reverse("ambitions:ambition_create", args=["zsm"]) in response.text
    assert reverse("ambitions:ambition_edit", args=["zsm", measures.ambition.pk]) in response.text
    assert reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]) in response.text


def test_it_lists_ambitions_in_a_constant_number_of_queries(
    measures: Measures, client_for, django_assert_max_num_queries
):
    client = client_for(measures.world.manager)
    url = reverse("ambitions:ambition_list", args=["zsm"])
    client.get(url)
    for n in range(5):
        ambition = Ambition.objects.create(
            chain=measures.world.chain, statement=f"Ambitie {n}", horizon=date(2030, 1, 1)
        )
        for i in range(3):
            indicator = Indicator.objects.create(ambition=ambition, name=f"Indicator {i}")
            IndicatorVersion.objects.create(
                indicator=indicator,
                number=1,
                effective_from=date(2026, 1, 1),
                unit_label="zaken",
                baseline_period=date(2025, 1, 1),
                baseline_value=0,
                target_period=date(2027, 1, 1),
                target_value=10,
            )
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.text.count(">Indicator 2</a>") == 5


# --- Ambitions --------------------------------------------------------------------------------


def test_it_creates_an_ambition(world, client_for):
    response = client_for(world.manager).post(
        reverse("ambitions:ambition_create", args=["zsm"]),
        {"statement": "Minder recidive", "societal_interest": "Veiliger", "horizon": "2030-12-31", "position": "1"},
    )
    ambition = Ambition.objects.get(statement="Minder recidive")
    assert ambition.chain == world.chain
    assert response.status_code == 302
    assert response["Location"].endswith(f"#ambition-{ambition.pk}")


def test_it_refuses_an_ambition_without_statement_at_the_field(world, client_for):
    response = client_for(world.manager).post(
        reverse("ambitions:ambition_create", args=["zsm"]), {"statement": "", "horizon": "", "position": "0"}
    )
    assert response.status_code == 422
    assert 'id="id_statement_error"' in response.text and 'id="id_horizon_error"' in response.text
    assert not Ambition.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_lets_only_programme_managers_create_ambitions(world, client_for, persona):
    client = client_for(getattr(world, persona))
    url = reverse("ambitions:ambition_create", args=["zsm"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"statement": "X", "horizon": "2030-01-01", "position": "0"}).status_code == 403
    assert not Ambition.objects.exists()


def test_it_edits_an_ambition_and_shows_its_history(measures: Measures, client_for):
    client = client_for(measures.world.manager)
    url = reverse("ambitions:ambition_edit", args=["zsm", measures.ambition.pk])
    page = client.get(url)
    token = page.context["form"]["version_token"].value()
    response = client.post(
        url,
        {
            "statement": "Sneller recht",
            "societal_interest": "",
            "horizon": "2028-01-01",
            "position": "0",
            "version_token": token,
        },
    )
    assert response.status_code == 302
    measures.ambition.refresh_from_db()
    assert measures.ambition.statement == "Sneller recht"
    page = in_english(client).get(url).text
    assert 'id="history-heading">History<' in page
    assert page.count("Sneller recht") >= 2  # in the history table as well as the form


def test_it_refuses_to_overwrite_an_ambition_changed_meanwhile(measures: Measures, client_for):
    client = client_for(measures.world.manager)
    url = reverse("ambitions:ambition_edit", args=["zsm", measures.ambition.pk])
    token = client.get(url).context["form"]["version_token"].value()
    Ambition.objects.filter(pk=measures.ambition.pk).update(statement="Iemand anders")
    response = client.post(
        url, {"statement": "Mijn versie", "horizon": "2028-01-01", "position": "0", "version_token": token}
    )
    assert response.status_code == 422
    assert "Iemand anders" in response.text
    assert Ambition.objects.get(pk=measures.ambition.pk).statement == "Iemand anders"


def test_it_does_not_find_another_chains_ambition(measures: Measures, client_for):
    client = client_for(measures.world.manager)
    forged = measures.other_ambition.pk
    assert client.get(reverse("ambitions:ambition_edit", args=["zsm", forged])).status_code == 404
    assert client.get(reverse("ambitions:indicator_create", args=["zsm", forged])).status_code == 404


# --- A new indicator with its first draft ----------------------------------------------------------


def test_it_creates_an_indicator_with_a_draft_first_version(measures: Measures, client_for):
    w = measures.world
    response = client_for(w.manager).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Binnen 48 uur", **version_data(w)},
    )
    indicator = Indicator.objects.get(name="Binnen 48 uur")
    version = indicator.versions.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ambitions:version_detail", args=["zsm", indicator.pk, 1])
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert version.baseline_value == Decimal("24.5")  # Dutch decimal comma
    assert version.effective_from == date(2026, 1, 1)
    assert version.target_period == date(2027, 6, 1)
    assert set(version.reporting_units.all()) == {w.unit_a, w.unit_b}


def test_it_offers_the_reporting_units_grouped_by_organisation(measures: Measures, client_for):
    response = client_for(measures.world.manager).get(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk])
    )
    text = response.text
    assert response.status_code == 200
    assert ">Politie</legend>" in text and ">OM</legend>" in text
    assert "Eenheid Amsterdam" in text and "Parket Amsterdam" in text
    assert "Wijkteam Centrum" not in text  # a unit of the other chain's partner


def test_it_saves_nothing_when_either_part_of_the_form_is_wrong(measures: Measures, client_for):
    w = measures.world
    before = (Indicator.objects.count(), IndicatorVersion.objects.count())
    response = client_for(w.manager).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Nieuw", **version_data(w, baseline_value="veel", target_period="2024-01")},
    )
    assert response.status_code == 422
    assert 'id="id_baseline_value_error"' in response.text
    assert 'id="id_target_period_error"' in response.text
    assert (Indicator.objects.count(), IndicatorVersion.objects.count()) == before


def test_it_shows_both_forms_errors_at_once(measures: Measures, client_for):
    w = measures.world
    response = in_english(client_for(w.manager)).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": measures.share.name, **version_data(w, unit_label="")},
    )
    assert response.status_code == 422
    assert "already has an indicator with this name" in response.text
    assert 'id="id_unit_label_error"' in response.text
    assert Indicator.objects.filter(name=measures.share.name).count() == 1


def test_it_requires_names_for_a_ratios_numerator_and_denominator(measures: Measures, client_for):
    w = measures.world
    response = client_for(w.manager).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Nieuw", **version_data(w, numerator_label="", denominator_label="")},
    )
    assert response.status_code == 422
    assert 'id="id_numerator_label_error"' in response.text and 'id="id_denominator_label_error"' in response.text
    assert not Indicator.objects.filter(name="Nieuw").exists()


def test_it_stores_stepped_milestones_sorted_and_snapped_to_the_period(measures: Measures, client_for):
    w = measures.world
    client_for(w.manager).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {
            "name": "Per kwartaal",
            **version_data(
                w,
                frequency="quarter",
                effective_from="2026-K1",
                baseline_period="2025-K1",
                target_period="2027-K2",
                trajectory="stepped",
                milestones="2026-K4;65\r\n\r\n2026-05-17; 50,5\r\n",
            ),
        },
    )
    version = IndicatorVersion.objects.get(indicator__name="Per kwartaal")
    assert version.trajectory == Trajectory.STEPPED
    assert version.milestones == [
        {"period": "2026-04-01", "value": "50.5"},
        {"period": "2026-10-01", "value": "65"},
    ]
    assert version.target_period == date(2027, 4, 1)


def test_it_names_every_faulty_milestone_line(measures: Measures, client_for):
    w = measures.world
    response = in_english(client_for(w.manager)).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {
            "name": "Stappen",
            **version_data(
                w, trajectory="stepped", milestones="2026-06;50\n2026-13;60\n2026-09 70\n2026-12;veel\n2030-01;90"
            ),
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors["milestones"]
    assert len(errors) == 3
    assert errors[0].startswith("Line 2: “2026-13” is not a period.")
    assert errors[1].startswith("Line 3: write the period and the value with a semicolon")
    assert errors[2] == "Line 4: “veel”: Enter a number, e.g. 12 or 12,5."
    assert not Indicator.objects.filter(name="Stappen").exists()


def test_it_refuses_a_milestone_after_the_target(measures: Measures, client_for):
    w = measures.world
    response = in_english(client_for(w.manager)).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Stappen", **version_data(w, trajectory="stepped", milestones="2026-06;50\n2030-01;90")},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["milestones"] == ["Line 2: January 2030 is after the target period."]


def test_it_needs_milestones_for_a_stepped_trajectory(measures: Measures, client_for):
    w = measures.world
    response = client_for(w.manager).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Stappen", **version_data(w, trajectory="stepped", milestones="")},
    )
    assert response.status_code == 422
    assert "milestones" in response.context["form"].errors


def test_it_answers_htmx_with_the_form_partial(measures: Measures, client_for):
    response = client_for(measures.world.manager).post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "", **version_data(measures.world)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_lets_only_programme_managers_create_indicators(measures: Measures, client_for, persona):
    w = measures.world
    client = client_for(getattr(w, persona))
    url = reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Nieuw", **version_data(w)}).status_code == 403
    assert not Indicator.objects.filter(name="Nieuw").exists()


def test_it_shows_the_create_form_in_a_constant_number_of_queries(
    measures: Measures, client_for, django_assert_max_num_queries
):
    client = client_for(measures.world.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]))
    assert response.status_code == 200
