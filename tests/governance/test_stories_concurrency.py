"""Two partners' leads approving a story at the same moment: both approvals count, the story is
published once and its author told once (the story's row is locked while approving:
governance/services/stories.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from governance.models.stories import Story, StoryApproval
from governance.services import stories as rules
from stakeholders.models import Notification


@pytest.mark.django_db(transaction=True)
def test_two_leads_approving_at_once_publish_the_story_once():
    from tests.conftest import build_world

    w = build_world()
    story = Story.objects.create(chain=w.chain, title="Samen sneller", body="Het lukt.", author=w.contributor_a)
    story.partners.set([w.partner_a, w.partner_b])
    token = rules.approval_token(Story.objects.get(pk=story.pk))
    start = threading.Barrier(2)
    published: list[bool] = []
    errors: list[Exception] = []

    def run(lead, partner) -> None:
        try:
            start.wait(10)
            published.append(rules.approve(story, partner, lead, token))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(w.lead_a, w.partner_a)),
        threading.Thread(target=run, args=(w.lead_b, w.partner_b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(published) == [False, True]
    assert StoryApproval.objects.filter(story=story).count() == 2
    assert Story.objects.get(pk=story.pk).is_published
    assert Notification.objects.filter(key=f"story-published:{story.pk}").count() == 1
