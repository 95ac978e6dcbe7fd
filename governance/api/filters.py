"""Filters for the governance API (django-filter), as ambitions/api/filters.py: ids and slugs are
plain number/char filters (the querysets already hold only the user's chains, so another chain's
id gives an empty list), and a bad value is refused in the API's one error shape."""

from __future__ import annotations

import django_filters
from django.utils import timezone

from governance.models import (
    ActionItem,
    ActionStatus,
    Body,
    BodyLevel,
    Decision,
    DecisionStatus,
    DecisionWay,
    Meeting,
    MeetingStatus,
)
from ketenportaal.api import ApiFilterSet, IdFilter
from stakeholders.api.filters import DayFilter


class BodyFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Bodies of the chain with this slug.")
    level = django_filters.ChoiceFilter(choices=BodyLevel.choices)

    class Meta:
        model = Body
        fields = ["chain", "level", "is_active"]


class MeetingFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="body__chain__slug", help_text="Chain (slug).")
    body = IdFilter(field_name="body_id")
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    starts_from = DayFilter(field_name="starts_at__date", lookup_expr="gte", help_text="Meetings on or after this day.")
    starts_to = DayFilter(field_name="starts_at__date", lookup_expr="lte", help_text="Meetings on or before this day.")

    class Meta:
        model = Meeting
        fields = ["chain", "body", "status"]


class DecisionFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="body__chain__slug", help_text="Chain (slug).")
    body = IdFilter(field_name="body_id")
    meeting = IdFilter(field_name="meeting_id")
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices)
    way = django_filters.ChoiceFilter(choices=DecisionWay.choices)

    class Meta:
        model = Decision
        fields = ["chain", "body", "meeting", "status", "way"]


class ActionFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="body__chain__slug", help_text="Chain (slug).")
    body = IdFilter(field_name="body_id")
    owner = IdFilter(field_name="owner_id", help_text="Actions of this person.")
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: only actions past their due date and not closed; false: the others."
    )
    due_from = DayFilter(field_name="due_on", lookup_expr="gte", help_text="Due on or after this day.")
    due_to = DayFilter(field_name="due_on", lookup_expr="lte", help_text="Due on or before this day.")

    class Meta:
        model = ActionItem
        fields = ["chain", "body", "owner", "status", "overdue"]

    def filter_overdue(self, queryset, name: str, value: bool):
        overdue = ActionItem.objects.overdue(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
