"""Bottlenecks in the API: read them with their escalations (``GET /api/bottlenecks/``,
``/api/bottlenecks/<id>/``), and report one from a partner's own system (``POST
/api/bottlenecks/``), with the same rules as the page: the body, partners, indicators and owner
must be the body's chain's own (else a message at the field, 400), and the caller must be allowed
to report in that chain (``policy.may_report_bottleneck``: every member but a viewer; an API
connection is its partner's contributor), else 403. Nothing is saved on any refusal.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from ambitions.models import Indicator
from governance import policy
from governance.models import Body, Bottleneck, BottleneckStatus, Escalation, Severity
from governance.models.actions import possible_owners
from stakeholders import idempotency
from stakeholders.models import Chain, Partnership

from .serializers import PersonRefSerializer

TEXT_MAX = 4000


class EscalationSerializer(serializers.ModelSerializer):
    by = PersonRefSerializer(read_only=True, allow_null=True)
    responded_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "from_body",
            "to_body",
            "at",
            "by",
            "automatic",
            "reason",
            "due_on",
            "response",
            "responded_at",
            "responded_by",
        ]


class BottleneckSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = PersonRefSerializer(read_only=True)
    overdue = serializers.SerializerMethodField(help_text="The response at its level is overdue.")
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta:
        model = Bottleneck
        fields = [
            "id",
            "chain",
            "title",
            "description",
            "status",
            "impact",
            "urgency",
            "owner",
            "partners",
            "indicators",
            "body",
            "level_since",
            "due_on",
            "overdue",
            "responded_at",
            "response",
            "resolution",
            "cause",
            "reported_at",
            "closed_at",
            "escalations",
        ]

    def get_overdue(self, obj: Bottleneck) -> bool:
        return obj.is_overdue(self.context.get("today"))


class BottleneckCreateSerializer(serializers.Serializer):
    """Reporting a bottleneck: at ``body`` (its level, where the clock starts), owned by ``owner``."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX)
    body = serializers.PrimaryKeyRelatedField(queryset=Body.objects.none())
    partners = serializers.PrimaryKeyRelatedField(queryset=Partnership.objects.none(), many=True, required=False)
    indicators = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.none(), many=True, required=False)
    impact = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    urgency = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    owner = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="A person of a partner in this chain.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none when the schema is drawn
        if request is None:
            return
        user = request.user
        visible = Chain.objects.visible_to(user)
        self.fields["body"].queryset = Body.objects.filter(chain__in=visible, is_active=True)
        self.fields["partners"].child_relation.queryset = Partnership.objects.filter(chain__in=visible)
        self.fields["indicators"].child_relation.queryset = Indicator.objects.filter(ambition__chain__in=visible)

    def validate(self, data: dict) -> dict:
        chain = data["body"].chain
        errors = {}
        if any(p.chain_id != chain.pk for p in data.get("partners", [])):
            errors["partners"] = [_("Choose partners of the body's chain.")]
        if any(i.ambition.chain_id != chain.pk for i in data.get("indicators", [])):
            errors["indicators"] = [_("Choose indicators of the body's chain.")]
        owner = possible_owners(chain).filter(pk=data["owner"]).first()
        if owner is None:
            errors["owner"] = [_("Choose a person of a partner organisation in this chain.")]
        if errors:
            raise serializers.ValidationError(errors)
        data["owner"] = owner
        return data


class BottleneckViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Bottlenecks of your chains with their escalation ladder steps; report one from your own system."""

    serializer_class = BottleneckSerializer

    def get_queryset(self):
        escalations = Escalation.objects.select_related("by", "responded_by").order_by("at", "pk")
        return (
            Bottleneck.objects.visible_to(self.request.user)
            .select_related("chain", "owner")
            .prefetch_related("partners", "indicators", Prefetch("escalations", queryset=escalations))
            .order_by("-reported_at", "pk")
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def chain_of(self, obj: Bottleneck) -> Chain:
        return obj.chain

    @extend_schema(
        request=BottleneckCreateSerializer,
        responses={
            201: BottleneckSerializer,
            400: OpenApiResponse(description="A field is refused (its message says why); nothing was saved."),
            403: OpenApiResponse(description="You may not report bottlenecks in the body's chain."),
            422: idempotency.REUSED,
        },
        parameters=[idempotency.PARAMETER],
    )
    @idempotency.idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        incoming = BottleneckCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        chain = data["body"].chain
        if not policy.may_report_bottleneck(request.user, chain):
            raise PermissionDenied
        bottleneck = Bottleneck(
            chain=chain,
            title=data["title"],
            description=data["description"],
            body=data["body"],
            impact=data["impact"],
            urgency=data["urgency"],
            owner=data["owner"],
            reported_by=request.user,
            status=BottleneckStatus.REPORTED,
        )
        try:
            bottleneck.full_clean(exclude={"due_on"})  # computed on saving, from the body's response time
        except ModelValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        with transaction.atomic():
            bottleneck.save()
            bottleneck.partners.set(data.get("partners", []))
            bottleneck.indicators.set(data.get("indicators", []))
        created = self.get_queryset().get(pk=bottleneck.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)
