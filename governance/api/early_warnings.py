"""Early warnings in the API, read only: ``GET /api/early-warnings/`` (filters ``chain``, ``status``,
``indicator``) and ``/api/early-warnings/<id>/``: the forecast, the target, the gaps at P and P−1,
the lagging units' snapshot and the decision. Deciding stays on the pages (a programme manager's
judgement, with a reason), never through a partner's system."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets

from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from ketenportaal.api import ApiFilterSet, IdFilter
from stakeholders.models import Chain


class LaggingUnitSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit = serializers.CharField()
    organisation_id = serializers.IntegerField()
    partner = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=4)
    target = serializers.DecimalField(max_digits=24, decimal_places=4, help_text="The unit's own part of the target.")
    distance = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="Behind, in its own tolerances.")


class EarlyWarningSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    lagging = LaggingUnitSerializer(many=True, read_only=True)
    decided_by = serializers.CharField(source="decided_by.full_name", default=None, read_only=True)

    class Meta:
        model = EarlyWarning
        fields = [
            "id",
            "chain",
            "indicator",
            "version",
            "period",
            "forecast_value",
            "forecast_period",
            "target",
            "gap",
            "previous_gap",
            "lagging",
            "status",
            "reason",
            "raised_at",
            "decided_by",
            "decided_at",
            "bottleneck",
        ]


class EarlyWarningFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Chain (slug).")
    status = django_filters.ChoiceFilter(choices=EarlyWarningStatus.choices)
    indicator = IdFilter(field_name="indicator_id")

    class Meta:
        model = EarlyWarning
        fields = ["chain", "status", "indicator"]


class EarlyWarningViewSet(viewsets.ReadOnlyModelViewSet):
    """Your chains' early warnings from the forecast, newest first."""

    serializer_class = EarlyWarningSerializer
    filterset_class = EarlyWarningFilterSet

    def get_queryset(self):
        return (
            EarlyWarning.objects.visible_to(self.request.user)
            .select_related("chain", "version", "decided_by")
            .order_by("-period", "-pk")
        )

    def chain_of(self, obj: EarlyWarning) -> Chain:
        return obj.chain
