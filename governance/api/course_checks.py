"""Course checks in the API, read only: ``GET /api/course-checks/`` and ``/api/course-checks/<id>/``.

Per check its results as the results page shows them (governance/services/course_check_results.py):
the response per partner (counts), and for a closed check the chain score and spread per dimension
and each partner's score per dimension — only where the page shows it (``null`` where the privacy
rules hide a partner). Never anything per person: no respondents, no single answers, no comments.
A page of checks costs the same few queries whatever it holds (``results_for_many``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from governance.models.course_checks import CourseCheck, Dimension
from governance.services.course_check_results import Results, results_for_many
from stakeholders.models import Chain


def _number(value) -> float | None:
    return None if value is None else round(float(value), 2)


class DimensionResultSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    chain_score = serializers.FloatField(allow_null=True, help_text="Average of all answers (1-5); null when hidden.")
    spread = serializers.FloatField(allow_null=True, help_text="Highest minus lowest shown partner score.")


class PartnerResultSerializer(serializers.Serializer):
    partnership = serializers.IntegerField()
    organisation = serializers.CharField()
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    scores = serializers.DictField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="Per dimension the partner's average (1-5); null when the privacy rules hide the partner.",
    )


class ResultsSerializer(serializers.Serializer):
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    partners_responded = serializers.IntegerField()
    dimensions = DimensionResultSerializer(many=True)
    partners = PartnerResultSerializer(many=True)


def results_data(results: Results) -> dict:
    return {
        "asked": results.asked,
        "answered": results.answered,
        "partners_responded": results.responding_partners,
        "dimensions": [
            {"dimension": d.dimension, "chain_score": _number(d.chain_score), "spread": _number(d.spread)}
            for d in results.dimensions
        ],
        "partners": [
            {
                "partnership": p.partnership_id,
                "organisation": p.name,
                "asked": p.asked,
                "answered": p.answered,
                "scores": {d: _number(v) for d, v in p.scores.items()} if p.shown else None,
            }
            for p in results.partners
        ],
    }


class CourseCheckSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    results = serializers.SerializerMethodField()

    class Meta:
        model = CourseCheck
        fields = ["id", "chain", "opens_on", "closes_on", "status", "closed_at", "question", "alert", "results"]

    @extend_schema_field(ResultsSerializer)
    def get_results(self, obj: CourseCheck) -> dict:
        return results_data(self.context["results"][obj.pk])


class CourseCheckViewSet(viewsets.ReadOnlyModelViewSet):
    """Your chains' course checks with their results per partner and dimension (never per person)."""

    serializer_class = CourseCheckSerializer

    def get_queryset(self):
        return CourseCheck.objects.visible_to(self.request.user).select_related("chain").order_by("-opens_on", "pk")

    def get_serializer(self, *args, **kwargs):
        if args:
            instances = list(args[0]) if isinstance(args[0], list | tuple) else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["results"] = results_for_many(instances)
        return super().get_serializer(*args, **kwargs)

    def chain_of(self, obj: CourseCheck) -> Chain:
        return obj.chain
