"""Numbers in an indicator's definition (the version forms): read the Dutch way like the grid's,
and bounded to their columns with a message at the field (issue 8, points 2 and 7). A milestone
"2026-12;1e999999" was saved and then made the version page fail for every member."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ambitions.models import Indicator, IndicatorVersion
from tests.ambitions.test_setup import version_data
from tests.conftest import in_english
from tests.measures import Measures

pytestmark = pytest.mark.django_db


def create(measures: Measures, client, **overrides):
    return client.post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Nieuw", **version_data(measures.world, **overrides)},
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"trajectory": "stepped", "milestones": "2026-06;50\n2026-12;1e999999"}, "milestones", "Line 2: “1e999999”"),
        (
            {"trajectory": "stepped", "milestones": "2026-12;100.000.000.000.000"},
            "milestones",
            "too large: at most 14 digits",
        ),
        ({"trajectory": "stepped", "milestones": "2026-12;0,00001"}, "milestones", "stored as 0"),
        ({"trajectory": "stepped", "milestones": "2026-12;1.5"}, "milestones", "write 1,5, or 1500 for thousands"),
        ({"baseline_value": "1e999999"}, "baseline_value", "Enter a number"),
        ({"target_value": "100.000.000.000.000"}, "target_value", "too large: at most 14 digits"),
        ({"factor": "123.456.789"}, "factor", "too large: at most 8 digits"),
        ({"factor": "0,001"}, "factor", "stored as 0 with 2 decimals"),
        ({"tolerance": "0,00001"}, "tolerance", "stored as 0 with 4 decimals"),
        ({"min_value": "1.5"}, "min_value", "write 1,5, or 1500 for thousands"),
        ({"max_value": "1,000.5"}, "max_value", "the Dutch way"),
        ({"decimals": "99999999999999999999"}, "decimals", "less than or equal to 4"),
        ({"deadline_days": "1e5"}, "deadline_days", "whole number"),
        ({"entry_window_days": "99999999999999999999"}, "entry_window_days", "less than or equal to 3660"),
    ],
)
def test_a_number_a_definition_cannot_hold_is_refused_at_its_field(measures, client_for, overrides, field, message):
    response = create(measures, in_english(client_for(measures.world.manager)), **overrides)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not Indicator.objects.filter(name="Nieuw").exists()


def test_a_definition_reads_thousands_the_dutch_way(measures, client_for):
    response = create(
        measures,
        client_for(measures.world.manager),  # Dutch, the portal's default language
        kind="sum",
        unit_label="zaken",
        numerator_label="",
        denominator_label="",
        factor="1",
        min_value="0",
        max_value="1.000.000",
        baseline_value="1.000",
        target_value="1.200,5",
        trajectory="stepped",
        milestones="2026-06;1.100\n2026-12;1.150,25",
    )
    assert response.status_code == 302, response.context["form"].errors
    version = IndicatorVersion.objects.get(indicator__name="Nieuw")
    assert (version.baseline_value, version.target_value, version.max_value) == (1000, Decimal("1200.5"), 10**6)
    assert [m["value"] for m in version.milestones] == ["1100", "1150.25"]
    # The page shows the definition (it failed for every member with an absurd milestone).
    page = client_for(measures.world.viewer).get(
        reverse("ambitions:version_detail", args=["zsm", version.indicator_id, version.number])
    )
    assert page.status_code == 200
