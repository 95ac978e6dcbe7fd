"""What success stories add to other apps' pages (registered in governance/apps.py): on an
indicator's page, the published stories linked to it (one query) and, for who may write one, an
offer to write a story about it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from governance.models.stories import Story
from governance.services.stories import may_write

INDICATOR_PAGE_STORIES = 5  # the newest; the rest are on the stories' list


def indicator_page(user, indicator, page) -> dict:
    chain = indicator.ambition.chain
    stories = list(
        Story.objects.published().filter(indicators=indicator).order_by("-published_at", "-pk")[:INDICATOR_PAGE_STORIES]
    )
    write_url = ""
    if may_write(user, chain):
        write_url = (
            f"{reverse('governance-stories:story_create', args=[chain.slug])}?{urlencode({'indicator': indicator.pk})}"
        )
    return {"stories": stories, "write_url": write_url}
