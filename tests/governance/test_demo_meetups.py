"""The demo's meetups (governance/demo_meetups.py): ZSM's borrel went round every core partner in
turn, each past one with a report (the latest with a photo), and one is planned at the partner
whose turn it is; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.models.meetups import Meetup
from governance.services import meetups as services
from governance.services.meetings import rotation
from stakeholders.models import Chain


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("load_demo", stdout=io.StringIO())


def test_each_core_partner_hosted_in_turn_and_one_is_coming(demo):
    zsm = Chain.objects.get(slug="zsm")
    now = timezone.now()
    turns = rotation(zsm.pk)
    past = list(Meetup.objects.past(zsm, now))
    assert [m.host for m in reversed(past)] == turns
    assert all(m.report for m in past)
    assert past[0].report_photo and past[0].report_photo_alt
    upcoming = list(Meetup.objects.upcoming(zsm, now))
    assert len(upcoming) == 1 and upcoming[0].host == turns[0]
    assert upcoming[0].rsvps.exists()
    call_command("load_demo", stdout=io.StringIO())  # again: the same
    assert Meetup.objects.filter(chain=zsm).count() == len(turns) + 1
    assert services.turns(zsm).next_host == turns[1 % len(turns)]
