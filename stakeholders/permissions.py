"""The one authorisation policy: who may see and do what in which chain.

Pages, the API and Celery tasks all ask these functions; nothing else decides.

- Someone with no role in a chain cannot tell that it exists: fetch through
  ``*.objects.visible_to(user)`` so that the object is simply not found (404).
- Inside a chain, everything is readable by every member; writing follows
  ``allows(user, action, chain, organisation)``; refusal is a 403.
- Partner leads and contributors act only for their own organisation.
- Organisations are shared by chains: their details and units belong to their own partner
  leads and administrators, not to a chain (``maintainable_organisation_ids``).
- Acting *on behalf of* an organisation (consent, vote, sign, approve) needs a
  valid Mandate: ``has_mandate(person, partnership, scope)``.
- Platform administrators may see and do everything.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS, BasePermission

# The policy reads the models; the models never read the policy (their visible_to filters
# compose on Chain.objects.visible_to), so this import runs one way.
from stakeholders.models import (
    Chain,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Partnership,
    Person,
    Role,
)


class Action(StrEnum):
    VIEW = "view"
    MANAGE_CHAIN = "manage_chain"  # settings, partners, people and roles, invitations
    EDIT_ORGANISATION = "edit_organisation"  # acting for a partner inside this chain (its API connections)
    # An organisation's details and unit tree. Organisations are one directory shared by every
    # chain, so this is not any one chain's to decide: see maintainable_organisation_ids().
    MAINTAIN_ORGANISATION = "maintain_organisation"
    MANAGE_MANDATES = "manage_mandates"  # who may act for an organisation
    MANAGE_INDICATORS = "manage_indicators"  # ambitions, drafting and proposing indicator versions
    ENTER_FIGURES = "enter_figures"  # an organisation's figures, and submitting its period
    REOPEN_FIGURES = "reopen_figures"  # reopening an approved period, with a reason
    MANAGE_REPORTS = "manage_reports"  # drafting, regenerating, commenting on and publishing progress reports
    # The chain's bodies and who sits in them. What a seat in a body lets someone do (run its
    # meetings, keep its minutes) is governance's rule on top of this one: governance/policy.py.
    MANAGE_BODIES = "manage_bodies"
    # Keeping every partner on board (issue 13). The stakeholder register (parties around the
    # chain that are not partners) and its contact log; the partners' committed contributions;
    # the course checks' statements: the programme manager's.
    MANAGE_STAKEHOLDERS = "manage_stakeholders"
    MANAGE_CONTRIBUTIONS = "manage_contributions"
    MANAGE_COURSE_CHECKS = "manage_course_checks"
    # The quarterly newsletter (issue 14): editing a draft edition and sending it, the programme manager's.
    MANAGE_NEWSLETTERS = "manage_newsletters"
    # Success stories (issue 14): every member but a viewer (a reader only) writes one; the lead of
    # each partner involved approves its publication, for their own organisation only (no mandate:
    # agreeing that a story about the partner may be shown to the chain binds the partner to nothing).
    WRITE_STORIES = "write_stories"
    APPROVE_STORIES = "approve_stories"
    # Relationship events (ontmoetingen, issue 14): planning, changing and reporting them, the programme manager's.
    MANAGE_MEETUPS = "manage_meetups"
    # What a partner says of itself: its capacity self-assessment, what it delivered of its
    # contributions, its benefits (start and end picture) and their assessments. Its own lead's
    # (and the programme manager's).
    ASSESS_CAPACITY = "assess_capacity"
    REPORT_DELIVERIES = "report_deliveries"
    MANAGE_BENEFITS = "manage_benefits"
    # Acting for an organisation: the caller also checks has_mandate() for the matching scope.
    APPROVE_FIGURES = "approve_figures"
    CONSENT_INDICATORS = "consent_indicators"
    VOTE_IN_BODY = "vote_in_body"  # recording the partner's position on a body's decision
    # Naming a stand-in for an absent lead (issue 15): the lead, for themselves (may_name_stand_in),
    # and the programme manager, for any lead of the chain.
    NAME_STAND_IN = "name_stand_in"


def _is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def role_in(user, chain: Chain) -> str | None:
    """The user's role in the chain, or None. Cached on the user object for the request."""
    if getattr(user, "_chain_roles", None) is None:
        # The role read with the chain itself (get_chain_or_404): the one chain most requests ask about.
        seen = getattr(user, "_chain_role_seen", None)
        if seen is not None and seen[0] == chain.pk:
            return seen[1]
    return _roles(user).get(chain.pk)


def _roles(user) -> dict[int, str]:
    """The user's role per chain id."""
    if not user.is_authenticated:
        return {}
    # getattr/setattr, not user.__dict__: request.user is a SimpleLazyObject, whose own
    # __dict__ is not the person's, so the cache would never be hit.
    cache = getattr(user, "_chain_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(person=user).values_list("chain_id", "role"))
        user._chain_roles = cache
    return cache


def chains_visible_to(user) -> QuerySet[Chain]:
    """The visibility rule is the querysets' own (Chain.objects.visible_to)."""
    return Chain.objects.visible_to(user)


def organisations_visible_to(user) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user)


def allows(user, action: Action, chain: Chain, organisation: Organisation | None = None) -> bool:
    if _is_admin(user):
        return True
    role = role_in(user, chain)
    if role is None:
        return False
    if action == Action.VIEW:
        return True
    if action == Action.MAINTAIN_ORGANISATION:
        return organisation is not None and bool(maintainable_organisation_ids(user, chain, [organisation]))
    own_organisation = organisation is not None and organisation.pk == user.organisation_id
    if action in (Action.APPROVE_FIGURES, Action.CONSENT_INDICATORS, Action.VOTE_IN_BODY):
        # Only for one's own organisation, in a role that can use such a mandate (the mandate
        # rule's own list); the mandate check comes on top.
        return own_organisation and role in MandateScope.roles_for(action)
    if action == Action.NAME_STAND_IN and role != Role.PROGRAMME_MANAGER:
        # Someone who can hold a mandate for their own organisation: they pass on what they hold.
        return own_organisation and role in (Role.PARTNER_LEAD, Role.STEERING_MEMBER)
    if action == Action.APPROVE_STORIES:
        return role == Role.PARTNER_LEAD and own_organisation
    if action == Action.WRITE_STORIES:
        return role != Role.VIEWER
    if role == Role.PROGRAMME_MANAGER:
        return True
    if action in (
        Action.EDIT_ORGANISATION,
        Action.MANAGE_MANDATES,
        Action.ASSESS_CAPACITY,
        Action.REPORT_DELIVERIES,
        Action.MANAGE_BENEFITS,
    ):
        return role == Role.PARTNER_LEAD and own_organisation
    if action == Action.ENTER_FIGURES:
        return role in (Role.PARTNER_LEAD, Role.CONTRIBUTOR) and own_organisation
    return False


def maintainable_organisation_ids(user, chain: Chain, organisations) -> set[int]:
    """Which of these organisations' details and unit trees the user may change, seen from ``chain``.

    An organisation is one entry in a directory that every chain shares (the police is a partner
    in many chains), and its units are what every one of those chains reports on. So its owners
    are its own partner leads (people of that organisation with the partner-lead role in any
    chain) and platform administrators. A programme manager may only maintain an organisation
    that is a partner in their chain and in no other: they set up the organisations they bring
    in before those have a lead of their own, and what they change shows in no one else's chain.
    Once a second chain takes the organisation on, only its leads and administrators may.
    One query for any number of organisations (the organisation list asks for all at once).
    """
    ids = {organisation.pk for organisation in organisations}
    if _is_admin(user):
        return ids
    roles = _roles(user)
    role = roles.get(chain.pk)
    if role is None:
        return set()
    allowed = set()
    if user.organisation_id in ids and Role.PARTNER_LEAD in roles.values():
        allowed.add(user.organisation_id)
    if role == Role.PROGRAMME_MANAGER:
        chains_of: dict[int, set[int]] = {}
        for organisation_id, chain_id in Partnership.objects.filter(organisation__in=ids).values_list(
            "organisation_id", "chain_id"
        ):
            chains_of.setdefault(organisation_id, set()).add(chain_id)
        allowed |= {pk for pk, chain_ids in chains_of.items() if chain_ids == {chain.pk}}
    return allowed


def may_log_stakeholder_contact(user, stakeholder) -> bool:
    """Logging a contact with a stakeholder of the register: whoever manages the register
    (Action.MANAGE_STAKEHOLDERS), and the stakeholder's owner while they are a member of its chain."""
    chain = stakeholder.chain
    if allows(user, Action.MANAGE_STAKEHOLDERS, chain):
        return True
    return bool(user.is_authenticated and stakeholder.owner_id == user.pk and role_in(user, chain) is not None)


def require(user, action: Action, chain: Chain, organisation: Organisation | None = None) -> None:
    """Raise 404 for a chain the user cannot see, 403 for an action they may not take."""
    if not allows(user, Action.VIEW, chain):
        raise Http404
    if not allows(user, action, chain, organisation):
        raise PermissionDenied


def get_chain_or_404(user, slug: str) -> Chain:
    """The chain, if the user may see it, read with the user's role in it (one query where a chain
    page otherwise needs two: the chain, then every role of the user for ``role_in``)."""
    chain = Chain.objects.visible_with_role(user, slug)
    if chain is None:
        raise Http404
    user._chain_role_seen = (chain.pk, chain.viewer_role)
    return chain


def has_mandate(person: Person, partnership: Partnership, scope: str, on: date | None = None) -> bool:
    """Whether the person may act for the partner in this scope on that day (the mandate rule:
    Mandate.objects.usable_on)."""
    if not person.is_active or person.organisation_id != partnership.organisation_id:
        return False  # spares the query
    return (
        Mandate.objects.usable_on(on or timezone.localdate())
        .filter(person=person, partnership=partnership, scope=scope)
        .exists()
    )


def acting_for(person: Person, partnership: Partnership, scope: str, on: date | None = None) -> Person | None:
    """Whom the person acts for when acting for the partner in this scope on that day: the absent
    lead, when the person's only usable mandates for it are a stand-in's copies (StandIn); None when
    they act on a mandate of their own (or hold none: has_mandate says whether they may act at all).
    A record of the act says "by <person> for <lead>" with it. One query."""
    if not person.is_active or person.organisation_id != partnership.organisation_id:
        return None
    mandates = (
        Mandate.objects.usable_on(on or timezone.localdate())
        .filter(person=person, partnership=partnership, scope=scope)
        .select_related("stand_in__lead")
        .order_by("pk")
    )
    leads = []
    for mandate in mandates:
        if mandate.stand_in_id is None:
            return None  # their own mandate: they act for the partner themselves
        leads.append(mandate.stand_in.lead)
    return leads[0] if leads else None


def may_name_stand_in(user, partnership: Partnership, lead: Person | None = None) -> bool:
    """Naming a stand-in for an absent lead (Action.NAME_STAND_IN): the lead themselves, for their
    own organisation, and the chain's programme manager (for a lead who is suddenly away).
    ``lead`` None asks whether the user may name one for anybody of the partner."""
    if not allows(user, Action.NAME_STAND_IN, partnership.chain, partnership.organisation):
        return False
    if _is_admin(user) or role_in(user, partnership.chain) == Role.PROGRAMME_MANAGER:
        return True
    return lead is None or lead.pk == user.pk


def requires_two_factor(user) -> bool:
    """Programme managers and platform administrators must use a second factor."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if _is_admin(user):
        return True
    return user.memberships.filter(role=Role.PROGRAMME_MANAGER).exists()


class ChainPolicyPermission(BasePermission):
    """DRF's side of the same policy.

    Querysets already come from ``visible_to`` (so other chains are 404); reading
    needs a signed-in person; writing asks ``allows`` with the view's
    ``write_action`` (default MANAGE_CHAIN) for ``view.chain_of(obj)`` and, if the
    view has it, ``view.organisation_of(obj)``. A view that cannot name the
    object's chain allows no writes at all.
    """

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        chain_of = getattr(view, "chain_of", None)
        if chain_of is None:
            return False  # fail closed rather than guess whose object this is
        organisation = getattr(view, "organisation_of", lambda o: None)(obj)
        return allows(request.user, getattr(view, "write_action", Action.MANAGE_CHAIN), chain_of(obj), organisation)
