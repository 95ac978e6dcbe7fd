"""What a seat in a body lets someone do, on top of the one policy (stakeholders/permissions.py).

The chain-wide rule stays there: programme managers set up bodies (Action.MANAGE_BODIES) and
acting for a partner needs a role that can use the mandate and a valid mandate (has_mandate,
Mandate.objects.usable_on). This module adds what only governance knows — who sits in which body
— and pages, the API and the tasks of this app all ask it:

- ``may_run_meetings``: plan meetings, set the agenda, record attendance, keep the minutes: the
  body's chair, vice-chair and secretary, and the chain's programme managers.
- ``may_propose``: put a proposal to the body: who may run its meetings and its members who
  represent a partner (governance/services/decisions.py).
- ``may_approve_minutes``: the chair (or vice-chair) of the body; programme managers do not.
- ``speakers_for``: who may record a partner's position on a decision on a day: a member
  representing that partner in the body, or that member's alternate, each with a usable mandate
  to vote in a body. ``position_refusal`` says in words why someone may not.
- Bottlenecks: every member but a viewer reports and comments (``may_report_bottleneck``); the
  owner and who runs the current body's meetings edit it and move its status
  (``may_handle_bottleneck``); the owner and that body's chair escalate by hand
  (``may_escalate_bottleneck``); who runs its meetings records the body's response
  (``may_respond_to_bottleneck``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from stakeholders.models import Mandate, MandateScope, Partnership, Person, Role
from stakeholders.permissions import Action, allows, role_in

from .models import Body, BodyMember, MemberPosition


def _seats(user, body: Body) -> list[BodyMember]:
    """The user's seats in the body (as member or alternate), cached on the user per request."""
    if not user.is_authenticated:
        return []
    cache = getattr(user, "_body_seats", None)
    if cache is None:
        cache = {}
        user._body_seats = cache
    if body.pk not in cache:
        cache[body.pk] = list(BodyMember.objects.filter(Q(person=user) | Q(alternate=user), body=body))
    return cache[body.pk]


def may_view(user, body: Body) -> bool:
    return allows(user, Action.VIEW, body.chain)


def may_manage_bodies(user, body_or_chain) -> bool:
    chain = getattr(body_or_chain, "chain", body_or_chain)
    return allows(user, Action.MANAGE_BODIES, chain)


def may_run_meetings(user, body: Body) -> bool:
    if not may_view(user, body):
        return False
    if allows(user, Action.MANAGE_BODIES, body.chain):
        return True
    return any(
        seat.person_id == user.pk and seat.position in MemberPosition.running_meetings() for seat in _seats(user, body)
    )


def may_propose(user, body: Body) -> bool:
    """Put a proposal to the body (and amend or withdraw one's own): who may run its meetings, and
    its members who speak for a partner (chair, vice-chair, member) — they bring their partner's
    proposals to the table. Alternates, advisors and other readers do not."""
    if may_run_meetings(user, body):
        return True
    return any(seat.person_id == user.pk and seat.represents_a_partner for seat in _seats(user, body))


def may_approve_minutes(user, body: Body) -> bool:
    if not may_view(user, body):
        return False
    if user.is_active and (user.is_superuser or user.is_staff):
        return True
    chairs = {MemberPosition.CHAIR, MemberPosition.VICE_CHAIR}
    return any(seat.person_id == user.pk and seat.position in chairs for seat in _seats(user, body))


def require(user, allowed: bool, body: Body) -> None:
    """404 for a body the user cannot see, 403 when ``allowed`` is false."""
    if not may_view(user, body):
        raise Http404
    if not allowed:
        raise PermissionDenied


def speakers_for(body: Body, partnership: Partnership, on: date | None = None) -> list[Person]:
    """Who may record ``partnership``'s position in ``body`` on that day: its representing members,
    their alternates and the stand-ins of absent members, each with a usable mandate to vote in a
    body (one query)."""
    on = on or timezone.localdate()
    seats = BodyMember.objects.representing().filter(body=body, partnership=partnership)
    usable = Mandate.objects.usable_on(on).filter(partnership=partnership, scope=MandateScope.VOTE_IN_BODY)
    # A member's stand-in (issue 15) holds a copy of the member's mandate that points to them.
    stand_ins = usable.filter(stand_in__lead__body_seats__in=seats).values("person_id")
    people = Person.objects.filter(
        Q(body_seats__in=seats) | Q(alternate_seats__in=seats) | Q(pk__in=stand_ins)
    ).distinct()
    return list(people.filter(pk__in=usable.values("person_id")))


def stood_in_seats(user, body: Body, on: date | None = None) -> list[BodyMember]:
    """The seats representing a partner in ``body`` whose member is away with ``user`` as stand-in
    (issue 15): ``user`` holds, on that day, a usable stand-in copy (Mandate.stand_in) of that
    member's mandate to vote in a body for the seat's partner. The stand-in speaks for that partner
    as the member would; the record says "by <user> for <member>" (stakeholders.permissions.acting_for).
    One query."""
    if not user.is_authenticated:
        return []
    copies = Mandate.objects.usable_on(on or timezone.localdate()).filter(
        person=user,
        scope=MandateScope.VOTE_IN_BODY,
        stand_in__lead=OuterRef("person"),
        partnership=OuterRef("partnership"),
    )
    return list(
        BodyMember.objects.representing()
        .filter(body=body)
        .filter(Exists(copies))
        .select_related("partnership__organisation", "person")
    )


def position_refusal(user, body: Body, partnership: Partnership, on: date | None = None) -> str | None:
    """Why ``user`` may not record ``partnership``'s position in ``body`` on that day, or None if
    they may: a member or alternate of a seat for the partner, or the stand-in of its absent member
    (``stood_in_seats``). The message names what is missing (seat, role or mandate)."""
    on = on or timezone.localdate()
    seats = [
        seat
        for seat in [*_seats(user, body), *stood_in_seats(user, body, on)]
        if seat.partnership_id == partnership.pk and seat.position in MemberPosition.representing()
    ]
    if not seats:
        return _("You do not represent %(org)s in %(body)s (as member or alternate).") % {
            "org": partnership.organisation,
            "body": body,
        }
    if not allows(user, Action.VOTE_IN_BODY, body.chain, partnership.organisation):
        return _("Your role in this chain cannot act for %(org)s.") % {"org": partnership.organisation}
    usable = Mandate.objects.usable_on(on).filter(person=user, partnership=partnership, scope=MandateScope.VOTE_IN_BODY)
    if not usable.exists():
        return _("You have no valid mandate to “%(scope)s” for %(org)s on %(day)s.") % {
            "scope": MandateScope.VOTE_IN_BODY.label,
            "org": partnership.organisation,
            "day": on.strftime("%d-%m-%Y"),
        }
    return None


def may_put_proposal_on_agenda(user, version) -> bool:
    """Put a stalled indicator proposal on the agenda of the body that decides (issue 15;
    governance/services/proposal_agenda.py): who proposes indicator versions, the chain's
    programme managers (Action.MANAGE_INDICATORS) — the proposer among them, and a colleague when
    the proposer is away. A proposer who has lost that role no longer may. Programme managers may
    also propose in every body of the chain, which the decision this makes needs."""
    return allows(user, Action.MANAGE_INDICATORS, version.indicator.ambition.chain)


def may_update_action(user, action) -> bool:
    """The status and closing note of an action: its owner, and who may run the body's meetings."""
    if not may_view(user, action.body):
        return False
    return action.owner_id == user.pk or may_run_meetings(user, action.body)


# --- Bottlenecks and the escalation ladder (governance/models/bottlenecks.py) ----------------------


def may_report_bottleneck(user, chain) -> bool:
    """Report a bottleneck, and comment on one: every member of the chain but a viewer (who only
    reads); an API connection (a contributor) reports for its partner's own system."""
    if not allows(user, Action.VIEW, chain):
        return False
    return user.is_superuser or user.is_staff or role_in(user, chain) != Role.VIEWER


def may_handle_bottleneck(user, bottleneck) -> bool:
    """Edit a bottleneck and move its status (being handled, resolved, withdrawn): its owner and who
    may run the meetings of the body it sits at (chair, vice-chair, secretary, programme managers)."""
    if not may_view(user, bottleneck.body):
        return False
    return bottleneck.owner_id == user.pk or may_run_meetings(user, bottleneck.body)


def may_escalate_bottleneck(user, bottleneck) -> bool:
    """Escalate by hand, with a reason: the owner, and the chair (or vice-chair) of the body it sits at."""
    if not may_view(user, bottleneck.body):
        return False
    if bottleneck.owner_id == user.pk:
        return True
    chairs = {MemberPosition.CHAIR, MemberPosition.VICE_CHAIR}
    return any(seat.person_id == user.pk and seat.position in chairs for seat in _seats(user, bottleneck.body))


def may_respond_to_bottleneck(user, bottleneck) -> bool:
    """Record the response of the body it sits at (which stops that level's clock): who may run its meetings."""
    return may_run_meetings(user, bottleneck.body)


# --- Early warnings (governance/models/early_warnings.py) ----------------------------------------


def may_decide_early_warning(user, chain) -> bool:
    """Accept an early warning (which files its bottleneck and puts it on the steering group's agenda)
    or dismiss it with a reason: the chain's programme managers (and administrators). Every member reads."""
    return allows(user, Action.MANAGE_BODIES, chain)


# --- Agreements and signing by mandate (governance/models/agreements.py) ------------------------


def may_manage_agreements(user, chain) -> bool:
    """Draw up agreements, their parties and versions, send them for signature and end them: the
    chain's programme managers (and administrators), who set up its governance."""
    return allows(user, Action.MANAGE_BODIES, chain)


def signers_for(partnership: Partnership, on: date | None = None) -> list[Person]:
    """Who may sign for ``partnership`` on that day: a usable mandate to sign agreements (one query)."""
    return signers_by_partner([partnership], on).get(partnership.pk, [])


def signers_by_partner(partnerships, on: date | None = None) -> dict[int, list[Person]]:
    """``signers_for`` for several partners at once: per partnership id, by name (one query)."""
    usable = (
        Mandate.objects.usable_on(on or timezone.localdate())
        .filter(partnership__in=[p.pk for p in partnerships], scope=MandateScope.SIGN_AGREEMENTS)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    result: dict[int, list[Person]] = {}
    for mandate in usable:
        people = result.setdefault(mandate.partnership_id, [])
        if mandate.person not in people:
            people.append(mandate.person)
    return result


def sign_refusal(user, party, on: date | None = None) -> str | None:
    """Why ``user`` may not sign for the agreement's ``party`` on that day, or None if they may. As
    ``position_refusal``, the message names what is missing: the party signs at all, the user works
    for it, and which mandate — none, ended, not yet valid, another scope, another chain's partner,
    or one their role cannot use."""
    on = on or timezone.localdate()
    partnership = party.partnership
    org = partnership.organisation
    scope = MandateScope.SIGN_AGREEMENTS.label
    about = {"org": org, "scope": scope, "day": on.strftime("%d-%m-%Y")}
    if not party.signs:
        return _("%(org)s participates in this agreement and does not sign it.") % about
    if not user.is_authenticated or user.organisation_id != partnership.organisation_id:
        return (
            _("You do not work for %(org)s: only someone of %(org)s with a mandate to “%(scope)s” signs for it.")
            % about
        )
    mine = list(Mandate.objects.filter(person=user, partnership=partnership))
    signing = [mandate for mandate in mine if mandate.scope == MandateScope.SIGN_AGREEMENTS]
    usable = Mandate.objects.usable_on(on).filter(pk__in=[mandate.pk for mandate in signing])
    if signing and usable.exists():
        return None
    if any(m.valid_from <= on and (m.valid_until is None or m.valid_until >= on) for m in signing):
        return _("Your role in this chain cannot use your mandate to “%(scope)s” for %(org)s.") % about
    ended = [m.valid_until for m in signing if m.valid_until is not None and m.valid_until < on]
    if ended:
        return _("Your mandate to “%(scope)s” for %(org)s ended on %(until)s.") % {
            **about,
            "until": max(ended).strftime("%d-%m-%Y"),
        }
    starting = [m.valid_from for m in signing if m.valid_from > on]
    if starting:
        return _("Your mandate to “%(scope)s” for %(org)s is valid only from %(from)s.") % {
            **about,
            "from": min(starting).strftime("%d-%m-%Y"),
        }
    other_scopes = sorted({str(MandateScope(m.scope).label) for m in mine})
    if other_scopes:
        return _("You have no mandate to “%(scope)s” for %(org)s; yours for it: %(others)s.") % {
            **about,
            "others": ", ".join(f"“{label}”" for label in other_scopes),
        }
    elsewhere = (
        Mandate.objects.filter(person=user, scope=MandateScope.SIGN_AGREEMENTS)
        .exclude(partnership=partnership)
        .select_related("partnership__chain")
        .first()
    )
    if elsewhere is not None:
        return _(
            "Your mandate to “%(scope)s” is for %(org)s in the chain %(chain)s, not for %(org)s in this chain."
        ) % {**about, "chain": elsewhere.partnership.chain}
    return _("You have no valid mandate to “%(scope)s” for %(org)s on %(day)s.") % about
