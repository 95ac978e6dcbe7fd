"""The demo's success stories (issue 14 point 7): six ZSM stories published over two years, each
approved by every partner it involves, one awaiting approval; loading twice changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.models.stories import Story, StoryApproval
from governance.services.stories import awaiting_my_approval
from stakeholders.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())


def test_six_stories_published_over_two_years_each_approved_by_its_partners(demo):
    published = list(Story.objects.published().filter(chain__slug="zsm").prefetch_related("partners", "approvals"))
    assert len(published) == 6
    now = timezone.now()
    assert min(s.published_at for s in published) < now - timedelta(days=600)
    assert max(s.published_at for s in published) > now - timedelta(days=60)
    for story in published:
        assert {a.partnership_id for a in story.approvals.all()} == {p.pk for p in story.partners.all()}
    with_photo = [s for s in published if s.photo]
    assert len(with_photo) == 1 and with_photo[0].photo_alt
    assert any(s.indicators.exists() for s in published) and any(s.decisions.exists() for s in published)


def test_one_story_awaits_the_oms_approval_and_loading_again_changes_nothing(demo):
    awaiting = Story.objects.awaiting().get(chain__slug="zsm")
    assert StoryApproval.objects.filter(story=awaiting).count() == 1
    assert list(awaiting_my_approval(Person.objects.get(email="lead.om@zsm.demo"))) == [awaiting]
    assert list(awaiting_my_approval(Person.objects.get(email="lead.slachtofferhulp@zsm.demo"))) == []
    call_command("load_demo", stdout=io.StringIO())
    assert Story.objects.filter(chain__slug="zsm").count() == 7
