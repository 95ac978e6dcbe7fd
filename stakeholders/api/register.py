"""The stakeholder register in the API, read only: ``GET /api/stakeholders/`` and
``/api/stakeholders/<id>/``, with each stakeholder's contact log. The queryset is
``Stakeholder.objects.visible_to`` (the pages' rule): another chain's stakeholders are not found.
Filters: ``chain`` (a slug) and ``active`` (true/false).
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from ketenportaal.api import ApiFilterSet
from stakeholders.models import Chain
from stakeholders.models.register import Stakeholder, StakeholderContact


class ContactSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.full_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = StakeholderContact
        fields = ["id", "on", "kind", "summary", "by", "created_at"]


class StakeholderSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.CharField(
        source="owner.full_name", read_only=True, allow_null=True, default=None, help_text="The owner's name."
    )
    quadrant = serializers.CharField(read_only=True, help_text="Where influence and interest place it on the grid.")
    engagement_gap = serializers.IntegerField(
        read_only=True, help_text="Desired minus current engagement, in steps (above 0: a gap)."
    )
    contact_count = serializers.IntegerField(read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "chain",
            "name",
            "kind",
            "influence",
            "interest",
            "quadrant",
            "attitude",
            "current_engagement",
            "desired_engagement",
            "engagement_gap",
            "owner",
            "approach",
            "frequency",
            "notes",
            "is_active",
            "created_at",
            "contact_count",
            "contacts",
        ]


class StakeholderFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Stakeholders of the chain with this slug.")
    active = django_filters.BooleanFilter(field_name="is_active", help_text="Only active (true) or inactive (false).")

    class Meta:
        model = Stakeholder
        fields = ["chain", "active", "kind"]


class StakeholderViewSet(viewsets.ReadOnlyModelViewSet):
    """The stakeholder registers of your chains: parties around the chain that are not partners,
    with their scores, engagement and contact log."""

    serializer_class = StakeholderSerializer
    filterset_class = StakeholderFilterSet

    def get_queryset(self):
        contacts = StakeholderContact.objects.select_related("by").order_by("-on", "-pk")
        return (
            Stakeholder.objects.visible_to(self.request.user)
            .with_contact_summary()
            .select_related("chain", "owner")
            .prefetch_related(Prefetch("contacts", queryset=contacts))
            .order_by("chain__name", "name", "pk")
        )

    def chain_of(self, obj: Stakeholder) -> Chain:
        return obj.chain
