"""Filters for the API's list endpoints (django-filter).

Filters by id or slug are plain number/char filters on purpose: the queryset they
narrow is already limited to what the user may see, so asking for another chain's
slug or another organisation's id gives an empty list. A ModelChoiceFilter would
instead answer "not a valid choice" for ids that do not exist at all and thereby
tell an outsider which ones do.
"""

import django_filters
from django import forms

from ketenportaal.api import ApiFilterSet, DocumentedFilter, IdFilter
from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Membership, Organisation, Partnership, Unit


class ChainFilterSet(ApiFilterSet):
    class Meta:
        model = Chain
        fields = ["kind"]


class OrganisationFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(method="in_chain", help_text="Only partners in the chain with this slug.")

    class Meta:
        model = Organisation
        fields = ["chain"]

    def in_chain(self, queryset, name: str, slug: str):
        # An organisation you can see may also be a partner in a chain you cannot see;
        # filtering on that chain must not reveal the partnership.
        chains = Chain.objects.visible_to(self.request.user).filter(slug=slug)
        return queryset.filter(pk__in=Partnership.objects.filter(chain__in=chains).values("organisation_id"))


class UnitFilterSet(ApiFilterSet):
    organisation = IdFilter(field_name="organisation_id", help_text="Units of this organisation.")
    parent = IdFilter(field_name="parent_id", help_text="Direct children of this unit.")
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", help_text="Only units that are not part of another unit."
    )

    class Meta:
        model = Unit
        fields = ["organisation", "parent", "top_level"]


class PartnershipFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Partners of the chain with this slug.")
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Partnership
        fields = ["chain", "organisation", "status", "role"]


class MembershipFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="chain__slug", help_text="Members of the chain with this slug.")
    organisation = IdFilter(field_name="person__organisation_id")

    class Meta:
        model = Membership
        fields = ["chain", "role", "organisation"]


class DayField(forms.DateField):
    """A day written as 2026-03-31 (ISO 8601, nothing else), within the portal's years (2000–2100)."""

    input_formats = ["%Y-%m-%d"]
    default_validators = [validate_in_range]


class DayFilter(DocumentedFilter):
    """A filter on a day; the apps' API filters share it (governance's meetings, the stand-ins)."""

    field_class = DayField
    schema = {"type": "string", "format": "date"}
