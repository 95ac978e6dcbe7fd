"""Success stories' rules (governance/models/stories.py): who reads, writes, edits and approves
them, and how a story gets published.

- Reading: a published story, every member of the chain. A story awaiting approval: its author,
  the people of the partners involved (their lead has to approve it, their colleagues may look),
  the programme managers and administrators. Anyone else of the chain: not found (404), as if it
  did not exist yet.
- Writing (Action.WRITE_STORIES): every member but a viewer. Editing: the author, while still a
  writer, and the programme managers (and administrators).
- Approving (Action.APPROVE_STORIES): the lead of a partner involved, for their own organisation,
  one click. When every partner involved has approved, the story is published (``published_at``).
- Editing after approvals: when the title, the text, the photo or its description, or the partners
  involved change, every approval is withdrawn and a published story goes back to awaiting approval
  (the partners agreed to a text, not to whatever it becomes). Only the links to indicators and
  decisions change without that.

Approving and publishing lock the story's row, so two leads approving at once publish it once,
and an approval of a text that changed since the page was opened is refused (``token``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.models.stories import Story, StoryApproval, StoryStatus
from ketenportaal.concurrency import version_token
from stakeholders.models import Chain, Membership, Partnership, Person, Role
from stakeholders.notify import notify
from stakeholders.permissions import Action, allows

# What the partners approve: a change to any of these withdraws their approvals.
CONTENT_FIELDS = ("title", "body", "photo", "photo_alt")

STALE = _("The story changed since you opened it. Read it again, then approve it.")
ALREADY = _("Your organisation has already approved this story.")
NOT_INVOLVED = _("Only the lead of a partner involved in the story approves it, for their own organisation.")


class StoryRefused(Exception):
    pass


def sees_all_awaiting(user, chain: Chain) -> bool:
    """Programme managers and administrators see every story awaiting approval."""
    return allows(user, Action.MANAGE_CHAIN, chain)


def readable(user, chain: Chain):
    """The chain's stories the user may read (see the module docstring); one query when evaluated."""
    stories = Story.objects.filter(chain=chain)
    if sees_all_awaiting(user, chain):
        return stories
    mine = Q(published_at__isnull=False) | Q(author_id=user.pk)
    if user.organisation_id is not None:
        involved = Story.partners.through.objects.filter(
            partnership__chain=chain, partnership__organisation_id=user.organisation_id
        )
        mine |= Q(pk__in=involved.values("story_id"))
    return stories.filter(mine)


def may_write(user, chain: Chain) -> bool:
    return allows(user, Action.WRITE_STORIES, chain)


def may_edit(user, story: Story) -> bool:
    if not may_write(user, story.chain):
        return False
    return story.author_id == user.pk or allows(user, Action.MANAGE_CHAIN, story.chain)


def may_approve_for(user, story: Story, partner: Partnership) -> bool:
    """Whether the user approves the story for this partner: as its lead, their own organisation."""
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and partner.organisation_id == user.organisation_id
        and allows(user, Action.APPROVE_STORIES, story.chain, partner.organisation)
    )


def approvable_by(user, story: Story, partners: list[Partnership]) -> list[Partnership]:
    """The partners involved in ``story`` (``partners``) the user may approve it for and that
    have not yet."""
    done = {approval.partnership_id for approval in story.approvals.all()}
    return [partner for partner in partners if partner.pk not in done and may_approve_for(user, story, partner)]


def approval_token(story: Story) -> str:
    """Changes whenever the story is saved: an approval carries the one of the page it was given on."""
    return version_token(story, ["updated_at"])


def content_changed(before: dict, story: Story, partner_ids_before: set[int], partner_ids_after: set[int]) -> bool:
    return (
        any(before[name] != _value(story, name) for name in CONTENT_FIELDS) or partner_ids_before != partner_ids_after
    )


def _value(story: Story, name: str):
    value = getattr(story, name)
    return value.name if name == "photo" else value


def snapshot(story: Story) -> dict:
    """The content as it is before a form changes it (compare with ``content_changed``)."""
    return {name: _value(story, name) for name in CONTENT_FIELDS}


@transaction.atomic
def after_save(story: Story, *, created: bool, reset: bool, by: Person) -> bool:
    """After the form saved the story: withdraw the approvals when its content changed (returns
    whether any were), publish it when nothing is left to approve, tell the leads whose approval
    is awaited."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    withdrawn = False
    if reset and not created:
        withdrawn = bool(story.approvals.all().delete()[0]) or story.is_published
        if story.is_published:
            Story.objects.filter(pk=story.pk).update(published_at=None, status=StoryStatus.AWAITING)
    else:
        # Partners no longer involved keep no approval.
        story.approvals.exclude(partnership__in=story.partners.all()).delete()
    Story.objects.filter(pk=story.pk).update(updated_at=timezone.now())
    _publish_if_complete(story)
    _notify_leads(story, by)
    return withdrawn


def _notify_leads(story: Story, by: Person) -> None:
    waiting = story.partners.exclude(story_approvals__story=story).values("organisation_id")
    leads = Person.objects.filter(
        organisation_id__in=waiting, memberships__chain=story.chain_id, memberships__role=Role.PARTNER_LEAD
    ).exclude(pk=by.pk)
    url = reverse("governance-stories:story_detail", args=[story.chain.slug, story.pk])
    text = gettext("A success story awaits your organisation's approval: %(title)s") % {"title": story.title}
    notify(leads, story.chain, text, url, key=f"story-approve:{story.pk}:{approval_token(story)[:12]}")


def _publish_if_complete(story: Story) -> bool:
    """Publish a story (its row locked by the caller) once every partner involved approved it."""
    involved = set(story.partners.values_list("pk", flat=True))
    approved = set(story.approvals.values_list("partnership_id", flat=True))
    if not involved or involved - approved or story.published_at is not None:
        return False
    Story.objects.filter(pk=story.pk, published_at__isnull=True).update(
        published_at=timezone.now(), status=StoryStatus.PUBLISHED
    )
    return True


@transaction.atomic
def approve(story: Story, partner: Partnership, by: Person, token: str) -> bool:
    """Record ``partner``'s approval of the story as it reads now; returns whether that published
    it. Raises StoryRefused when the text changed since ``token`` or the partner already approved."""
    locked = Story.objects.select_for_update().select_related("chain").get(pk=story.pk)
    if token != approval_token(locked):
        raise StoryRefused(str(STALE))
    if not locked.partners.filter(pk=partner.pk).exists() or partner.organisation_id != by.organisation_id:
        raise StoryRefused(str(NOT_INVOLVED))
    try:
        with transaction.atomic():
            StoryApproval.objects.create(story=locked, partnership=partner, approved_by=by)
    except IntegrityError as exc:
        raise StoryRefused(str(ALREADY)) from exc
    published = _publish_if_complete(locked)
    if published and locked.author_id is not None:
        url = reverse("governance-stories:story_detail", args=[locked.chain.slug, locked.pk])
        text = gettext("Your success story is published to the chain: %(title)s") % {"title": locked.title}
        notify([locked.author], locked.chain, text, url, key=f"story-published:{locked.pk}")
    return published


def awaiting_my_approval(user):
    """Stories (of every chain) waiting for the approval of the user's organisation, in the chains
    where the user is its lead: for My work. One query."""
    if not user.is_authenticated or user.organisation_id is None:
        return Story.objects.none()
    lead_in = Membership.objects.filter(person=user, role=Role.PARTNER_LEAD).values("chain_id")
    return (
        Story.objects.awaiting()
        .filter(chain_id__in=lead_in, partners__organisation_id=user.organisation_id)
        .exclude(approvals__partnership__organisation_id=user.organisation_id)
        .select_related("chain")
        .order_by("created_at", "pk")
    )
