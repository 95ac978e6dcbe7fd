"""Read-only API endpoints of governance: bodies, meetings (with agenda, minutes and attendance),
decisions (with positions) and actions.

Every queryset comes from ``visible_to(request.user)``, the pages' policy, so another chain's
objects are not found (404) and lists hold only the user's chains. Nested lists are prefetched: a
page costs the same few queries whatever it holds.
"""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import viewsets

from governance.models import ActionItem, AgendaItem, Attendance, Body, BodyMember, Decision, DecisionPosition, Meeting
from stakeholders.models import Chain

from . import filters
from .serializers import ActionSerializer, BodySerializer, DecisionSerializer, MeetingSerializer


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    """Your chains' bodies (gremia): level, purpose, decision rule, and who sits in them for which partner."""

    serializer_class = BodySerializer
    filterset_class = filters.BodyFilterSet

    def get_queryset(self):
        members = BodyMember.objects.select_related("person", "alternate", "partnership").order_by("pk")
        return (
            Body.objects.visible_to(self.request.user)
            .select_related("chain")
            .prefetch_related(Prefetch("members", queryset=members))
            .order_by("chain__name", "name", "pk")
        )

    def chain_of(self, obj: Body) -> Chain:
        return obj.chain


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Meetings of your chains' bodies, each with its agenda (the minutes per item) and attendance."""

    serializer_class = MeetingSerializer
    filterset_class = filters.MeetingFilterSet

    def get_queryset(self):
        items = AgendaItem.objects.select_related("presenter").order_by("order", "pk")
        attendance = Attendance.objects.select_related("member__person", "member__partnership").order_by("pk")
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("body__chain")
            .prefetch_related(Prefetch("agenda_items", queryset=items), Prefetch("attendance", queryset=attendance))
            .order_by("-starts_at", "pk")
        )

    def chain_of(self, obj: Meeting) -> Chain:
        return obj.body.chain


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Decisions and proposals of your chains' bodies, with every partner's position per round
    (dissent, objection and block with their reason)."""

    serializer_class = DecisionSerializer
    filterset_class = filters.DecisionFilterSet

    def get_queryset(self):
        positions = DecisionPosition.objects.select_related("partnership", "recorded_by", "for_person").order_by(
            "round", "partnership__organisation__name", "pk"
        )
        return (
            Decision.objects.visible_to(self.request.user)
            .select_related("body__chain", "proposed_by")
            .prefetch_related(Prefetch("positions", queryset=positions))
            .order_by("-created_at", "pk")
        )

    def chain_of(self, obj: Decision) -> Chain:
        return obj.body.chain


class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Actions agreed in your chains' bodies: owner, due date, status and closing note."""

    serializer_class = ActionSerializer
    filterset_class = filters.ActionFilterSet

    def get_queryset(self):
        return (
            ActionItem.objects.visible_to(self.request.user)
            .select_related("body__chain", "owner")
            .order_by("due_on", "pk")
        )

    def chain_of(self, obj: ActionItem) -> Chain:
        return obj.body.chain
