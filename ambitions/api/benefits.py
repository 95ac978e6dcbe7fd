"""Benefits in the API, read only: ``GET /api/benefits/`` and ``/api/benefits/<id>/``, each partner's
benefit with its start and end picture and its assessments. The queryset is
``Benefit.objects.visible_to`` (the pages' rule): another chain's benefits are not found.
Filters: ``chain`` (a slug), ``partner`` (a partnership id), ``organisation`` (an id), ``status``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from ambitions.models.benefits import Benefit, BenefitAssessment
from ketenportaal.api import ApiFilterSet, IdFilter
from stakeholders.models import Chain


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = BenefitAssessment
        fields = ["status", "note", "assessed_on"]


class BenefitSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner = serializers.IntegerField(source="partnership_id", read_only=True, help_text="The partnership's id.")
    organisation = serializers.CharField(source="partnership.organisation.name", read_only=True)
    owner = serializers.CharField(source="owner.full_name", read_only=True, allow_null=True, default=None)
    start_indicator = serializers.PrimaryKeyRelatedField(read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)

    class Meta:
        model = Benefit
        fields = [
            "id",
            "chain",
            "partner",
            "organisation",
            "title",
            "owner",
            "start_picture",
            "start_indicator",
            "start_value",
            "start_date",
            "end_picture",
            "target_value",
            "target_date",
            "status",
            "assessments",
        ]


class BenefitFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Benefits in the chain with this slug.")
    partner = IdFilter(field_name="partnership_id", help_text="Of this partnership (its id).")
    organisation = IdFilter(field_name="partnership__organisation_id", help_text="Of this organisation (its id).")

    class Meta:
        model = Benefit
        fields = ["chain", "partner", "organisation", "status"]


class BenefitViewSet(viewsets.ReadOnlyModelViewSet):
    """What the partners of your chains gain: benefits from start picture to end picture, with
    their assessments."""

    serializer_class = BenefitSerializer
    filterset_class = BenefitFilterSet

    def get_queryset(self):
        return (
            Benefit.objects.visible_to(self.request.user)
            .select_related("chain", "partnership__organisation", "owner")
            .prefetch_related(Prefetch("assessments", queryset=BenefitAssessment.objects.order_by("-assessed_on")))
            .order_by("chain__name", "partnership__organisation__name", "pk")
        )

    def chain_of(self, obj: Benefit) -> Chain:
        return obj.chain
