"""Read-only API endpoints. Every queryset comes from ``visible_to(request.user)``, the
same policy as the pages: another chain's objects are simply not found (404)."""

from rest_framework import viewsets

from stakeholders.models import Chain, Membership, Organisation, Partnership, Unit

from . import filters
from .serializers import (
    ChainSerializer,
    MembershipSerializer,
    OrganisationSerializer,
    PartnershipSerializer,
    UnitSerializer,
)


class ChainViewSet(viewsets.ReadOnlyModelViewSet):
    """Chains in which you have a role (all chains for platform administrators)."""

    serializer_class = ChainSerializer
    filterset_class = filters.ChainFilterSet
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"  # a SlugField's; in the schema as the parameter's pattern

    def get_queryset(self):
        return Chain.objects.visible_to(self.request.user).order_by("name")

    def chain_of(self, obj: Chain) -> Chain:
        return obj


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations that are partners in one of your chains, and your own organisation."""

    serializer_class = OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet

    def get_queryset(self):
        return Organisation.objects.visible_to(self.request.user).order_by("name", "pk")


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units (onderdelen) of the organisations you can see; ``parent`` builds the tree."""

    serializer_class = UnitSerializer
    filterset_class = filters.UnitFilterSet

    def get_queryset(self):
        return Unit.objects.visible_to(self.request.user).order_by("organisation__name", "name", "pk")


class PartnershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Partners of your chains: status, role in the chain, joined/left dates and interests."""

    serializer_class = PartnershipSerializer
    filterset_class = filters.PartnershipFilterSet

    def get_queryset(self):
        return (
            Partnership.objects.visible_to(self.request.user)
            .select_related("chain", "organisation")
            .order_by("chain__name", "organisation__name", "pk")
        )

    def chain_of(self, obj: Partnership) -> Chain:
        return obj.chain

    def organisation_of(self, obj: Partnership) -> Organisation:
        return obj.organisation


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """People and their role per chain. E-mail addresses are null unless you may see them:
    your own, your organisation's colleagues', or any member's if you are the chain's
    programme manager or a platform administrator."""

    serializer_class = MembershipSerializer
    filterset_class = filters.MembershipFilterSet

    def get_queryset(self):
        return (
            Membership.objects.visible_to(self.request.user)
            .select_related("chain", "person")
            .order_by("chain__name", "person__full_name", "pk")
        )

    def chain_of(self, obj: Membership) -> Chain:
        return obj.chain
