"""Stand-ins in the API, read only: ``GET /api/stand-ins/`` and ``/api/stand-ins/<id>/``: who stands
in for whom, for which partner, from which day to which, and the mandates they hold meanwhile
(stakeholders/models/stand_ins.py). The same policy as the partner page that lists them: every
member of the chain may read them (``visible_to``); another chain's are simply not found. Naming or
ending one stays on the pages (the absent lead or the programme manager, with a confirmation).

People are given by id and name only, never by e-mail: the stand-in list is read by the whole chain.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from rest_framework import serializers, viewsets

from ketenportaal.api import ApiFilterSet, IdFilter
from stakeholders.api.filters import DayFilter
from stakeholders.models import Chain, Mandate, Person, StandIn


class NamedPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name"]


class StandInMandateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mandate
        fields = ["scope", "valid_from", "valid_until"]


class StandInSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(source="partnership.chain", slug_field="slug", read_only=True)
    organisation = serializers.IntegerField(source="partnership.organisation_id", read_only=True)
    lead = NamedPersonSerializer(read_only=True, help_text="The absent lead the stand-in acts for.")
    stand_in = NamedPersonSerializer(read_only=True)
    mandates = StandInMandateSerializer(
        many=True,
        read_only=True,
        help_text="The lead's mandates the stand-in holds meanwhile, each clipped to the lead's own.",
    )

    class Meta:
        model = StandIn
        fields = [
            "id",
            "chain",
            "partnership",
            "organisation",
            "lead",
            "stand_in",
            "starts_on",
            "ends_on",
            "reason",
            "mandates",
            "created_at",
        ]
        extra_kwargs = {
            "starts_on": {"help_text": "The first day the stand-in acts."},
            "ends_on": {"help_text": "The last day of the absence (ended early: the day before it was ended)."},
        }


class StandInFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="partnership__chain__slug", help_text="Chain (slug).")
    partnership = IdFilter(field_name="partnership_id", help_text="Stand-ins for this partner.")
    person = IdFilter(method="of_person", help_text="Stand-ins in which this person is the lead or the stand-in.")
    on = DayFilter(method="on_day", help_text="Stand-ins acting on this day.")
    ends_from = DayFilter(
        field_name="ends_on",
        lookup_expr="gte",
        help_text="Stand-ins that end on or after this day (today: current and coming).",
    )

    class Meta:
        model = StandIn
        fields = ["chain", "partnership", "person", "on", "ends_from"]

    def of_person(self, queryset: QuerySet, name: str, person_id: int) -> QuerySet:
        return queryset.filter(Q(lead_id=person_id) | Q(stand_in_id=person_id))

    def on_day(self, queryset: QuerySet, name: str, day) -> QuerySet:
        return queryset.filter(starts_on__lte=day, ends_on__gte=day)


class StandInViewSet(viewsets.ReadOnlyModelViewSet):
    """Stand-ins of your chains' partners (past, current and coming), latest start first."""

    serializer_class = StandInSerializer
    filterset_class = StandInFilterSet

    def get_queryset(self):
        return (
            StandIn.objects.visible_to(self.request.user)
            .select_related("partnership__chain", "lead", "stand_in")
            .prefetch_related(Prefetch("mandates", queryset=Mandate.objects.order_by("scope", "pk")))
            .order_by("-starts_on", "-pk")
        )

    def chain_of(self, obj: StandIn) -> Chain:
        return obj.partnership.chain
