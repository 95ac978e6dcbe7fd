"""Matrix rows of success stories (governance/views/stories.py); see tests/matrix/recognition/__init__.py.

Objects, per target: ``story``, a published story with a photo (zsm: partner A's involves partner
A, partner B's partner B, both written by contributor A; the other chain's involves partner C,
written by the outsider, a viewer there); ``awaiting_story``, one awaiting approval (zsm: partner
A's involves partners A and B, partner B's only partner B, both written by lead B; the other
chain's involves partner C).

Every member reads a published story; one awaiting approval only its author, the people of the
partners involved, programme managers and administrators (anyone else: 404). Every member but a
viewer writes one; its author and programme managers edit it. Only the lead of a partner involved
approves it, for their own organisation (lead A, partner A's): nobody else, not even a manager.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from governance.models.stories import Story, StoryApproval, StoryStatus
from governance.services.stories import approval_token
from tests.matrix.objects import Objects, Url, _png, in_chain, of
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    CHAIN,
    CONTRIBUTOR_A,
    FORGED,
    LEAD_A,
    LOGIN,
    MANAGER,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
    VIEWER,
)
from tests.matrix.rows import Row, posting


def WRITES(persona: str, target: str) -> int | str:
    """Action.WRITE_STORIES: every member but a viewer (the outsider is one in the other chain)."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return 403 if persona == VIEWER else OK


def EDITS(persona: str, target: str) -> int | str:
    """The author (contributor A in zsm; the outsider, a viewer, in the other chain) and managers."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return OK if persona in (CONTRIBUTOR_A, MANAGER, ADMIN) else 403


def APPROVES(persona: str, target: str) -> int | str:
    """Lead A for partner A; a story awaiting approval is not found by whom it does not involve."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return 403 if persona in (OUTSIDER, ADMIN) else 404  # the outsider is partner C's viewer
    if persona == OUTSIDER:
        return 404
    if persona in (MANAGER, ADMIN):
        return 403
    if target == PARTNER_A:
        return {LEAD_A: OK, CONTRIBUTOR_A: 403}.get(persona, 404)
    return 404  # partner B's story: neither the viewer nor partner A's people see it


PARTNER_OF = {
    CHAIN: "partner_a",
    PARTNER_A: "partner_a",
    PARTNER_B: "partner_b",
    OTHER: "partner_c",
    FORGED: "partner_c",
}


def _approval(o: Objects, target: str) -> dict:
    story = o.get("awaiting_story", target)
    partner = getattr(o.world, PARTNER_OF[target])
    return {
        "slug": o.slug(target),
        "pk": story.pk,
        "_data": {"partner": partner.pk, "token": approval_token(Story.objects.get(pk=story.pk))},
    }


def approvals(o: Objects, target: str) -> int:
    return StoryApproval.objects.filter(story=o.get("awaiting_story", target)).count()


def a_new_story(o: Objects, target: str) -> dict:
    partner = getattr(o.world, PARTNER_OF[target])
    return {"title": "Samen sneller", "body": "Het **lukt**.", "partners": [str(partner.pk)]}


def story_count(o: Objects, target: str) -> int:
    chain = o.world.other_chain if target == OTHER else o.world.chain
    return Story.objects.filter(chain=chain).aggregate(n=Count("pk"))["n"]


def a_new_title(o: Objects, target: str) -> dict:
    return {"title": "Een nieuwe titel"}


def story_title(o: Objects, target: str) -> str:
    return Story.objects.get(pk=o.get("story", target).pk).title


ROWS: list[Row] = [
    Row("governance-stories:story_list", in_chain(), READ),
    Row("governance-stories:story_detail", of("story"), READ),
    Row("governance-stories:story_photo", of("story"), READ),
    Row("governance-stories:story_create", in_chain(), WRITES),
    posting("governance-stories:story_create", in_chain(), WRITES, a_new_story, story_count),
    Row("governance-stories:story_edit", of("story"), EDITS),
    posting("governance-stories:story_edit", of("story"), EDITS, a_new_title, story_title),
    Row(
        "governance-stories:story_approve",
        Url((PARTNER_A, PARTNER_B, OTHER, FORGED), _approval),
        APPROVES,
        method="post",
        state=approvals,
    ),
]


def _story(chain, partners, author, *, published: bool, title: str) -> Story:
    story = Story(chain=chain, title=title, body="Wat goed ging.", author=author)
    if published:
        story.published_at, story.status = timezone.now(), StoryStatus.PUBLISHED
        story.photo_alt = "Medewerkers van de partners bij elkaar"
        story.photo.save("foto.png", _png(), save=False)
    story.save()
    story.partners.set(partners)
    if published:
        StoryApproval.objects.bulk_create(StoryApproval(story=story, partnership=p) for p in partners)
    return story


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind`` (one per target)."""
    found.by_kind["story"] = {
        PARTNER_A: _story(w.chain, [w.partner_a], w.contributor_a, published=True, title="Verhaal A"),
        PARTNER_B: _story(w.chain, [w.partner_b], w.contributor_a, published=True, title="Verhaal B"),
        OTHER: _story(w.other_chain, [w.partner_c], w.outsider, published=True, title="Verhaal C"),
    }
    found.by_kind["awaiting_story"] = {
        PARTNER_A: _story(w.chain, [w.partner_a, w.partner_b], w.lead_b, published=False, title="Wacht A"),
        PARTNER_B: _story(w.chain, [w.partner_b], w.lead_b, published=False, title="Wacht B"),
        OTHER: _story(w.other_chain, [w.partner_c], None, published=False, title="Wacht C"),
    }
