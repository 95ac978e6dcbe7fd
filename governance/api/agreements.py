"""Read-only API of agreements: each with its parties, its versions (number, fingerprint, whether a
PDF is attached) and every signature (person, organisation, mandate and its validity, the
fingerprint signed, time; whether it is void, i.e. under an earlier version). Nothing here writes:
signatures are made on the agreement's page, by a person with a mandate, never by an API
connection. The queryset is ``visible_to(request.user)``, the pages' policy; nested lists are
prefetched, so a page costs the same few queries whatever it holds. The text is the Markdown as
stored (the fingerprint covers it byte for byte); the IP address and browser of a signature are
not given out (they are the signer's, shown to no one but in the admin)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from governance.models import Agreement, AgreementKind, AgreementParty, AgreementStatus, AgreementVersion, Signature
from ketenportaal.api import ApiFilterSet
from stakeholders.models import Chain

from .serializers import PersonRefSerializer


class PartySerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="partnership.organisation_id", read_only=True)

    class Meta:
        model = AgreementParty
        fields = ["partnership", "organisation", "role"]


class VersionSerializer(serializers.ModelSerializer):
    has_pdf = serializers.SerializerMethodField(
        help_text="Whether a PDF is attached (its bytes are in the fingerprint)."
    )

    class Meta:
        model = AgreementVersion
        fields = ["id", "number", "text", "has_pdf", "attachment_size", "fingerprint", "note", "created_at"]

    @extend_schema_field(serializers.BooleanField())
    def get_has_pdf(self, version: AgreementVersion) -> bool:
        return bool(version.attachment)


class SignatureSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True, help_text="The version signed.")
    scope = serializers.CharField(source="mandate.scope", read_only=True, help_text="The mandate's scope.")
    void = serializers.SerializerMethodField(help_text="Signed under an earlier version: kept, no longer counted.")

    class Meta:
        model = Signature
        fields = [
            "id",
            "version",
            "partnership",
            "organisation",
            "person",
            "mandate",
            "scope",
            "mandate_valid_from",
            "mandate_valid_until",
            "fingerprint",
            "signed_at",
            "void",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_void(self, signature: Signature) -> bool:
        return signature.version.number != self.context["current_numbers"].get(signature.agreement_id)


class AgreementSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    versions = VersionSerializer(many=True, read_only=True, help_text="Newest first.")
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "chain",
            "kind",
            "title",
            "summary",
            "valid_from",
            "valid_until",
            "evaluate_on",
            "status",
            "in_force_since",
            "ended_on",
            "parties",
            "versions",
            "signatures",
        ]


class AgreementFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Chain (slug).")
    kind = django_filters.ChoiceFilter(choices=AgreementKind.choices)
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices)

    class Meta:
        model = Agreement
        fields = ["chain", "kind", "status"]


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    """Agreements of your chains with their parties, versions (with their SHA-256 fingerprints) and
    signatures (person, organisation, mandate, fingerprint signed, time; void when under an earlier version)."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet

    def get_queryset(self):
        parties = AgreementParty.objects.order_by("partnership__organisation__name", "pk").select_related("partnership")
        versions = AgreementVersion.objects.order_by("-number")
        signatures = Signature.objects.select_related("person", "mandate", "version").order_by("version__number", "pk")
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("chain")
            .prefetch_related(
                Prefetch("parties", queryset=parties),
                Prefetch("versions", queryset=versions),
                Prefetch("signatures", queryset=signatures),
            )
            .order_by("-valid_from", "pk")
        )

    def get_serializer(self, *args, **kwargs):
        # Each agreement's current version number, from its prefetched versions (no query of its own).
        instances = args[0] if args else None
        if instances is not None:
            items = instances if isinstance(instances, list | tuple) else [instances]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["current_numbers"] = {
                agreement.pk: max((v.number for v in agreement.versions.all()), default=None) for agreement in items
            }
        return super().get_serializer(*args, **kwargs)

    def chain_of(self, obj: Agreement) -> Chain:
        return obj.chain
