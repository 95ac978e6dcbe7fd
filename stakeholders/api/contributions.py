"""Contributions in the API, read only: ``GET /api/contributions/`` and ``/api/contributions/<id>/``,
each commitment with its quarters (expected, due, delivered, overdue). The queryset is
``Contribution.objects.visible_to`` (the pages' rule): another chain's contributions are not found.
Filters: ``chain`` (a slug), ``partner`` (a partnership id), ``organisation`` (an id), ``year``, ``kind``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import serializers, viewsets

from ketenportaal.api import ApiFilterSet, IdFilter
from stakeholders.models import Chain
from stakeholders.models.contributions import Contribution, Delivery


class DeliverySerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="slug", read_only=True, help_text="<year>-<quarter>.")
    overdue = serializers.SerializerMethodField(help_text="Due date passed and nothing reported.")

    class Meta:
        model = Delivery
        fields = [
            "quarter",
            "period",
            "expected_amount",
            "due_on",
            "delivered_amount",
            "delivered_note",
            "reported_at",
            "overdue",
        ]

    def get_overdue(self, delivery: Delivery) -> bool:
        return delivery.is_overdue(self.context.setdefault("today", timezone.localdate()))


class ContributionSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(source="partnership.chain", slug_field="slug", read_only=True)
    partner = serializers.IntegerField(source="partnership_id", read_only=True, help_text="The partnership's id.")
    organisation = serializers.CharField(source="partnership.organisation.name", read_only=True)
    unit = serializers.CharField(read_only=True, help_text="€ for money, FTE for people, empty otherwise.")
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "id",
            "chain",
            "partner",
            "organisation",
            "year",
            "kind",
            "amount",
            "unit",
            "description",
            "note",
            "deliveries",
        ]


class ContributionFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(
        field_name="partnership__chain__slug", help_text="Contributions in the chain with this slug."
    )
    partner = IdFilter(field_name="partnership_id", help_text="Of this partnership (its id).")
    organisation = IdFilter(field_name="partnership__organisation_id", help_text="Of this organisation (its id).")

    class Meta:
        model = Contribution
        fields = ["chain", "partner", "organisation", "year", "kind"]


class ContributionViewSet(viewsets.ReadOnlyModelViewSet):
    """What the partners of your chains put in: commitments per year and kind, with their quarterly
    deliveries."""

    serializer_class = ContributionSerializer
    filterset_class = ContributionFilterSet

    def get_queryset(self):
        return (
            Contribution.objects.visible_to(self.request.user)
            .select_related("partnership__chain", "partnership__organisation")
            .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("quarter")))
            .order_by("-year", "partnership__chain__name", "partnership__organisation__name", "kind", "pk")
        )

    def chain_of(self, obj: Contribution) -> Chain:
        return obj.partnership.chain
