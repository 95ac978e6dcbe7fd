"""The stakeholder register's models: the quadrant rule, the engagement gap, the database's own
refusal of scores outside 1–5, the owner and name rules, the contact date rules, the audit trail
and the demo data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stakeholders.demo import load_demo as load_stakeholders
from stakeholders.demo_register import load_demo
from stakeholders.models.register import Quadrant, Stakeholder, StakeholderContact
from tests.stakeholders.register_fixtures import stakeholder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("influence", "interest", "quadrant"),
    [
        (5, 5, Quadrant.MANAGE_CLOSELY),
        (3, 3, Quadrant.MANAGE_CLOSELY),
        (3, 2, Quadrant.KEEP_SATISFIED),
        (2, 3, Quadrant.KEEP_INFORMED),
        (2, 2, Quadrant.MONITOR),
        (1, 1, Quadrant.MONITOR),
    ],
)
def test_the_quadrant_follows_influence_and_interest(influence, interest, quadrant):
    assert Quadrant.of(influence, interest) == quadrant


def test_the_gap_is_how_far_the_desired_engagement_lies_ahead(world):
    behind = stakeholder(world.chain, "A", current_engagement=1, desired_engagement=4)
    ahead = stakeholder(world.chain, "B", current_engagement=5, desired_engagement=4)
    assert (behind.engagement_gap, behind.has_gap) == (3, True)
    assert (ahead.engagement_gap, ahead.has_gap) == (-1, False)
    assert list(Stakeholder.objects.with_gap()) == [behind]
    assert list(Stakeholder.objects.without_gap()) == [ahead]


@pytest.mark.parametrize("field", ["influence", "interest", "attitude", "current_engagement"])
@pytest.mark.parametrize("value", [0, 6])
def test_the_database_refuses_scores_outside_one_to_five(world, field, value):
    item = stakeholder(world.chain)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stakeholder.objects.filter(pk=item.pk).update(**{field: value})


def test_the_model_refuses_an_owner_outside_the_chain_and_a_name_taken(world):
    stakeholder(world.chain, "Gemeenteraad")
    item = Stakeholder(chain=world.chain, name=" gemeenteraad ", influence=3, interest=3, owner=world.outsider)
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert set(refused.value.message_dict) == {"name", "owner"}
    with pytest.raises(ValidationError) as scores:
        Stakeholder(chain=world.chain, name="X", influence=9, interest=0).full_clean()
    assert set(scores.value.message_dict) == {"influence", "interest"}


def test_a_contact_date_lies_in_the_range_and_not_in_the_future(world):
    item = stakeholder(world.chain)
    for day in (timezone.localdate() + timedelta(days=1), date(1999, 12, 31)):
        with pytest.raises(ValidationError) as refused:
            StakeholderContact(stakeholder=item, on=day, summary="X").full_clean()
        assert set(refused.value.message_dict) == {"on"}
    StakeholderContact(stakeholder=item, on=timezone.localdate(), summary="X").full_clean()


def test_making_inactive_is_recorded_and_changes_nothing_the_second_time(world):
    item = stakeholder(world.chain)
    assert item.set_active(False) is True
    assert item.set_active(False) is False
    entries = LogEntry.objects.get_for_object(item)
    assert entries.count() == 2  # created, made inactive
    assert entries.filter(action=LogEntry.Action.UPDATE).get().changes_dict["is_active"] == ["True", "False"]


def test_the_demo_has_ten_stakeholders_around_zsm_and_loads_again_without_duplicates():
    load_stakeholders()
    load_demo()
    load_demo()
    names = set(Stakeholder.objects.filter(chain__slug="zsm").values_list("name", flat=True))
    assert len(names) == 10 and "Ministerie van Justitie en Veiligheid" in names
    assert Stakeholder.objects.filter(kind="interest_group", name__icontains="slachtoffer").exists()
    assert Stakeholder.objects.with_gap().count() >= 3
    assert StakeholderContact.objects.count() == 6
    assert not StakeholderContact.objects.filter(on__gt=timezone.localdate()).exists()
    for item in Stakeholder.objects.select_related("chain"):
        item.full_clean()  # every demo stakeholder passes the form's own rules
