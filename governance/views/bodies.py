"""The chain's bodies and their seats.

Every member of the chain reads the list and a body's page (Action.VIEW); programme managers set
bodies up and decide who sits in them (Action.MANAGE_BODIES). The permission is checked on the
chain before the object is looked up, and objects are fetched through ``visible_to`` within the
URL's chain, so another chain's body or seat is not found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.forms.bodies import BodyDeactivateForm, BodyForm, BodyMemberForm, BodyMemberRemoveForm
from governance.models import Body, BodyLevel, BodyMember, Meeting, MeetingStatus
from governance.policy import may_manage_bodies, may_run_meetings
from governance.sections import render_body_sections
from governance.services.representation import MandateFlag, representation_of
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import HistoryEntry, history_for, readable_history
from stakeholders.models import Chain, MandateScope
from stakeholders.permissions import Action, allows, get_chain_or_404, require


def _list_url(chain: Chain) -> str:
    return reverse("governance:body_list", args=[chain.slug])


def _body_url(body: Body) -> str:
    return reverse("governance:body_detail", args=[body.chain.slug, body.pk])


def _body(request: HttpRequest, chain: Chain, pk: int) -> Body:
    body = get_object_or_404(Body.objects.visible_to(request.user).select_related("escalates_to"), chain=chain, pk=pk)
    body.chain = chain
    return body


def _seat(request: HttpRequest, chain: Chain, pk: int) -> BodyMember:
    seat = get_object_or_404(
        # Ended seats too: their end date can be corrected, or the seat reopened.
        BodyMember.all_seats.visible_to(request.user).select_related(
            "body", "person__organisation", "partnership__organisation", "alternate"
        ),
        body__chain=chain,
        pk=pk,
    )
    seat.body.chain = chain
    return seat


def _upcoming() -> Q:
    return Q(starts_at__gte=timezone.now()) & ~Q(status=MeetingStatus.CANCELLED)


@dataclass(frozen=True)
class LevelGroup:
    level: str
    label: str
    bodies: list[Body]


def body_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's bodies by level, each with its number of seats and next meeting; then the inactive ones."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    next_meeting = Meeting.objects.filter(_upcoming(), body=OuterRef("pk")).order_by("starts_at").values("pk")[:1]
    # The seats that count today (BodyMember.objects' rule; an annotation does not go through it).
    seat_counts = Q(members__ended_on__isnull=True) | Q(members__ended_on__gt=timezone.localdate())
    bodies = list(
        Body.objects.filter(chain=chain)
        .select_related("escalates_to")
        .annotate(member_count=Count("members", filter=seat_counts), next_meeting_id=Subquery(next_meeting))
        .order_by("name")
    )
    meetings = Meeting.objects.in_bulk([b.next_meeting_id for b in bodies if b.next_meeting_id])
    for body in bodies:
        body.chain = chain
        body.next_meeting = meetings.get(body.next_meeting_id)
    groups = [
        LevelGroup(level, label, [b for b in bodies if b.is_active and b.level == level])
        for level, label in sorted(BodyLevel.choices, key=lambda choice: -BodyLevel.rank(choice[0]))
    ]
    return render(
        request,
        "governance/bodies/body_list.html",
        {
            "chain": chain,
            "groups": [group for group in groups if group.bodies],
            "inactive": [b for b in bodies if not b.is_active],
            "can_manage": may_manage_bodies(request.user, chain),
        },
    )


@dataclass(frozen=True)
class SeatRow:
    seat: BodyMember
    flags: list[MandateFlag]


def _body_history(body: Body) -> list[HistoryEntry]:
    """The body's own changes and those of its seats (also seats removed since), newest first."""
    seat_type = ContentType.objects.get_for_model(BodyMember)
    # A seat's creation records its body as [None, pk], its deletion as [pk, None].
    pk = str(body.pk)
    seats = LogEntry.objects.filter(Q(changes__body__1=pk) | Q(changes__body__0=pk), content_type=seat_type)
    seat_entries = LogEntry.objects.filter(content_type=seat_type, object_pk__in=seats.values("object_pk"))
    about_seats = [
        replace(entry, action=_("%(action)s: seat of %(seat)s") % {"action": entry.action, "seat": entry.subject})
        for entry in readable_history(seat_entries)
    ]
    return sorted([*history_for(body), *about_seats], key=lambda entry: entry.when, reverse=True)


def body_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The body, its seats with the representation and mandate flags, the other parts' sections, its history."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    body = _body(request, chain, pk)
    representation = representation_of(body)
    flags = {}
    for flag in representation.mandate_flags:
        flags.setdefault(flag.seat.pk, []).append(flag)
    partners = {p.pk: p for p in representation.unrepresented} | {
        flag.partnership.pk: flag.partnership for flag in representation.mandate_flags
    }
    can_manage = may_manage_bodies(request.user, chain)
    base = {
        "chain": chain,
        "body": body,
        "can_manage": can_manage,
        "can_run_meetings": may_run_meetings(request.user, body),
    }
    return render(
        request,
        "governance/bodies/body_detail.html",
        {
            **base,
            "rows": [SeatRow(seat, flags.get(seat.pk, [])) for seat in representation.members],
            "former": BodyMember.all_seats.filter(body=body, ended_on__lte=timezone.localdate())
            .select_related("person", "partnership__organisation")
            .order_by("-ended_on", "person__full_name"),
            "representation": representation,
            "grantable": {
                pk
                for pk, partnership in partners.items()
                if allows(request.user, Action.MANAGE_MANDATES, chain, partnership.organisation)
            },
            "vote_scope": MandateScope.VOTE_IN_BODY.value,
            "escalates_from": list(body.escalates_from.order_by("name")),
            "sections": render_body_sections(request, body, base),
            "history": _body_history(body),
        },
    )


def body_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new body of the chain; programme managers."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_BODIES, chain)
    form = BodyForm(request.POST if request.method == "POST" else None, chain=chain)
    if request.method == "POST" and form.is_valid():
        body = form.save()
        messages.success(request, _("The body %(name)s has been set up. Add its members next.") % {"name": body})
        return redirect_after_save(request, _body_url(body))
    return render_form_page(request, "governance/bodies/body_create.html", {"chain": chain, "form": form}, form)


def body_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a body, refusing to overwrite a change made meanwhile; with its history."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_BODIES, chain)
    body = _body(request, chain, pk)
    form = BodyForm(request.POST if request.method == "POST" else None, instance=body, chain=chain)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The body %(name)s has been saved.") % {"name": body})
        return redirect_after_save(request, _body_url(body))
    return render_form_page(
        request,
        "governance/bodies/body_edit.html",
        {"chain": chain, "body": body, "form": form, "history": history_for(body)},
        form,
    )


def body_deactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Deactivate a body after saying what stays (meetings, decisions) and what points at it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_BODIES, chain)
    body = _body(request, chain, pk)
    form = BodyDeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if body.is_active:
            body.is_active = False
            body.save(update_fields=["is_active"])
            messages.success(request, _("The body %(name)s is no longer active.") % {"name": body})
        return redirect_after_save(request, _body_url(body))
    return render_form_page(
        request,
        "governance/bodies/body_deactivate.html",
        {
            "chain": chain,
            "body": body,
            "form": form,
            "escalates_from": list(body.escalates_from.filter(is_active=True).order_by("name")),
            "upcoming": body.meetings.filter(_upcoming()).count(),
        },
        form,
    )


def body_member_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Give someone a seat in the body; ``?partner=`` (from an unrepresented partner's flag) fills in the partner."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_BODIES, chain)
    body = _body(request, chain, pk)
    initial = {}
    if request.method == "GET" and request.GET.get("partner", "").isdigit():
        initial["partnership"] = int(request.GET["partner"])
    form = BodyMemberForm(request.POST if request.method == "POST" else None, body=body, initial=initial)
    if request.method == "POST" and form.is_valid():
        seat = form.save()
        messages.success(
            request,
            _("%(person)s now has a seat in %(body)s as %(position)s.")
            % {"person": seat.person, "body": body, "position": seat.get_position_display().lower()},
        )
        return redirect_after_save(request, _body_url(body))
    return render_form_page(
        request, "governance/bodies/body_member_create.html", {"chain": chain, "body": body, "form": form}, form
    )


def body_member_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a seat (partner, position, alternate), refusing to overwrite a change made meanwhile."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_BODIES, chain)
    seat = _seat(request, chain, pk)
    form = BodyMemberForm(request.POST if request.method == "POST" else None, instance=seat, body=seat.body)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The seat of %(person)s has been saved.") % {"person": seat.person})
        return redirect_after_save(request, _body_url(seat.body))
    return render_form_page(
        request,
        "governance/bodies/body_member_edit.html",
        {"chain": chain, "body": seat.body, "seat": seat, "form": form, "history": history_for(seat)},
        form,
    )


def body_member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a seat after confirming; a seat named in approved minutes stays."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_BODIES, chain)
    seat = _seat(request, chain, pk)
    form = BodyMemberRemoveForm(request.POST if request.method == "POST" else None, seat=seat)
    in_minutes = seat.in_approved_minutes()
    if request.method == "POST" and seat.has_ended:
        return redirect_after_save(request, _body_url(seat.body))
    if request.method == "POST" and form.is_valid():
        names = {"person": seat.person, "body": seat.body}
        if in_minutes:
            # The approved minutes keep the seat: it ends today instead, and stays in them.
            seat.ended_on = timezone.localdate()
            seat.save(update_fields=["ended_on"])
            messages.success(
                request,
                _("%(person)s's seat in %(body)s has ended today; the minutes of their meetings keep it.") % names,
            )
        else:
            seat.delete()
            messages.success(request, _("%(person)s no longer has a seat in %(body)s.") % names)
        return redirect_after_save(request, _body_url(seat.body))
    return render_form_page(
        request,
        "governance/bodies/body_member_remove.html",
        {"chain": chain, "body": seat.body, "seat": seat, "form": form, "in_minutes": in_minutes},
        form,
    )


routes = [
    path("gremia/", body_list, name="body_list"),
    path("gremia/nieuw/", body_create, name="body_create"),
    path("gremia/<int:pk>/", body_detail, name="body_detail"),
    path("gremia/<int:pk>/bewerken/", body_edit, name="body_edit"),
    path("gremia/<int:pk>/deactiveren/", body_deactivate, name="body_deactivate"),
    path("gremia/<int:pk>/leden/nieuw/", body_member_create, name="body_member_create"),
    path("gremia/leden/<int:pk>/bewerken/", body_member_edit, name="body_member_edit"),
    path("gremia/leden/<int:pk>/verwijderen/", body_member_remove, name="body_member_remove"),
]
