"""A chain's governance revision (ketenportaal/revisions.py): a token that changes whenever
anything governance keeps for the chain is written — its bodies and seats, meetings, agendas,
attendance, minutes, decisions and positions, action items, bottlenecks, agreements, course
checks, newsletters, meetups, stories. Page parts that read them the same for every reader with
the same rights (a meeting's agenda, attendance and minutes; the decision register) are kept in
the cache under it (ketenportaal/kept.py), beside the roster revision for the people and
partners they name.

Every model of the app bumps on its signals (saved, deleted, a many-to-many link changed), so no
page, service, Celery task, admin or command can forget it; the chain is found from the row (its
own ``chain_id``, or through its body, meeting, decision… — loaded relations are used, else one
small query). The app's statements that send no signals either write rows no kept part reads
(delivery and notice bookkeeping) or bump themselves (the escalation sweep). A saved figure never
bumps it.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models.signals import m2m_changed, post_delete, post_save

from ketenportaal.kept import Token
from ketenportaal.revisions import RevisionTokens

_TOKENS = RevisionTokens("governance-revision")
current = _TOKENS.current
bump = _TOKENS.bump


def token(chain_id: int) -> Token:
    return _TOKENS.token(chain_id)


# How a row leads to its chain when it has no chain of its own, nearest first.
PARENTS = (
    "body",
    "meeting",
    "decision",
    "agenda_item",
    "bottleneck",
    "agreement",
    "course_check",
    "newsletter",
    "meetup",
    "story",
    "series",
)


def _parent_field(model):
    for name in PARENTS:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


@cache
def _path(model) -> str | None:
    """The lookup from ``model`` to its chain's id ("chain_id", "body__chain_id"…), or None."""
    if any(field.name == "chain" for field in model._meta.get_fields()):
        return "chain_id"
    field = _parent_field(model)
    above = _path(field.related_model) if field is not None else None
    return f"{field.name}__{above}" if above else None


def chain_of(instance) -> int | None:
    """The chain of a governance row (its loaded relations first, else one query)."""
    chain_id = getattr(instance, "chain_id", None)
    if chain_id is not None:
        return chain_id
    field = _parent_field(type(instance))
    if field is None or getattr(instance, field.attname) is None:
        return None
    if field.is_cached(instance):
        return chain_of(getattr(instance, field.name))
    path = _path(field.related_model)
    if path is None:
        return None
    return field.related_model.objects.filter(pk=getattr(instance, field.attname)).values_list(path, flat=True).first()


def _changed(sender, instance, **kwargs) -> None:
    bump([chain_of(instance)])


def _links_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_") and instance._meta.app_label == "governance":
        bump([chain_of(instance)])


# Bookkeeping no kept part reads, written per e-mail by the Celery workers: a newsletter's or a
# notice's delivery rows, calendar feed addresses, subscribers. Their writes keep the token.
UNREAD_BY_KEPT_PARTS = frozenset(
    {"MeetingNotice", "NewsletterDelivery", "EscalationNotice", "CalendarFeed", "Subscriber", "NewsletterOptOut"}
)


def _chain(sender, instance, **kwargs) -> None:
    """A chain's own token starts afresh with it: a new chain may have a deleted one's id (SQLite,
    a recreated test database) and must never meet its kept parts."""
    bump([instance.pk])


def connect() -> None:
    """Listen to every model of the app but its bookkeeping (GovernanceConfig.ready())."""
    from stakeholders.models import Chain

    post_save.connect(_chain, sender=Chain, dispatch_uid="governance-revision:chain")
    post_delete.connect(_chain, sender=Chain, dispatch_uid="governance-revision:chain")
    for model in apps.get_app_config("governance").get_models():
        if model.__name__ in UNREAD_BY_KEPT_PARTS:
            continue
        uid = f"governance-revision:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            m2m_changed.connect(_links_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}")
