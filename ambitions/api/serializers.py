"""Representations of indicators, their versions, figures and roll-ups for the REST API.

Reading uses these serializers; writing figures does not (see ambitions/api/views.py): a single
figure goes through ``services.entry.save_cell`` and many through ``services.bulk.upsert_figures``,
so the API enforces exactly the rules of the entry grid. ``FigureWriteSerializer`` only documents
the body in the OpenAPI schema.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ambitions.models import (
    ChainAggregate,
    Consent,
    DeliveryTerms,
    Figure,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
    ProposalEvent,
    SubmissionStatus,
)
from ambitions.models.definitions import DEFINITION_FIELDS
from ambitions.periods import Period
from ambitions.services import progress
from ambitions.services.bulk import MAX_REVISION
from ambitions.services.entry import COMMENT_MAX
from ambitions.services.numbers import API_NUMBER_HELP, FIGURE, NotANumber, parse_api
from ambitions.services.versions import pick, versions_in_force
from ketenportaal.api import MAX_ID
from ketenportaal.text import TextValidator
from stakeholders.models import SilenceRule


def period_slug(start: date, frequency: str | None) -> str | None:
    return Period(start, frequency).slug if frequency else None


class VersionSummarySerializer(serializers.ModelSerializer):
    """The definition in force: enough to read and write figures without fetching the version."""

    class Meta:
        model = IndicatorVersion
        fields = [
            "id",
            "number",
            "effective_from",
            "kind",
            "unit_label",
            "direction",
            "decimals",
            "frequency",
            "factor",
            "baseline_period",
            "baseline_value",
            "target_period",
            "target_value",
            "deadline_days",
            "entry_window_days",
        ]


class AmbitionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement = serializers.CharField()
    horizon = serializers.DateField()


class DeliveryTermsSerializer(serializers.ModelSerializer):
    """A partner's delivery terms in force (issue 15): the agreement that applies to its figures."""

    organisation = serializers.IntegerField(source="partnership.organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="partnership.organisation.name", read_only=True)
    delivered_by = serializers.CharField(source="deliverer_label", read_only=True)

    class Meta:
        model = DeliveryTerms
        fields = [
            "organisation",
            "organisation_name",
            "source_system",
            "delivered_by",
            "delivery_working_day",
            "channel",
            "reopen_by",
            "reopen_until_working_days",
            "valid_from",
            "valid_until",
        ]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(source="ambition.chain", slug_field="slug", read_only=True)
    ambition = AmbitionSummarySerializer(read_only=True)
    current_version = serializers.SerializerMethodField(
        help_text="The latest adopted version, or null while none is adopted."
    )
    delivery_terms = DeliveryTermsSerializer(
        source="terms_in_force",
        many=True,
        read_only=True,
        help_text="Per partner, the delivery terms in force today: figures are due on that working day "
        "after the period ends instead of the version's deadline.",
    )

    class Meta:
        model = Indicator
        fields = ["id", "chain", "ambition", "name", "position", "current_version", "delivery_terms"]

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_current_version(self, indicator: Indicator) -> dict | None:
        # The view prefetches the adopted versions, latest first (IndicatorViewSet.get_queryset).
        adopted = indicator.adopted_versions
        return VersionSummarySerializer(adopted[0]).data if adopted else None


class ConsentSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="partnership.organisation_id", read_only=True)
    answered_by = serializers.CharField(
        source="person.full_name",
        read_only=True,
        allow_null=True,
        help_text="Who answered; null for consent recorded by silence after the deadline.",
    )
    for_person = serializers.CharField(
        source="for_person.full_name",
        read_only=True,
        allow_null=True,
        help_text="The absent lead a stand-in answered for (the record reads 'by answered_by for for_person').",
    )

    class Meta:
        model = Consent
        fields = [
            "organisation",
            "round",
            "position",
            "by_silence",
            "reason",
            "answered_by",
            "for_person",
            "answered_at",
        ]
        extra_kwargs = {
            "by_silence": {
                "help_text": "Consent recorded by silence after the deadline (the chain's rule), never an active yes."
            },
            "round": {"help_text": "The round answered; answers of earlier rounds were given to the previous text."},
        }


class ProposalEventSerializer(serializers.ModelSerializer):
    """One step of a proposal's timeline."""

    person = serializers.CharField(source="person.full_name", read_only=True, allow_null=True)
    for_person = serializers.CharField(source="for_person.full_name", read_only=True, allow_null=True)
    organisation = serializers.IntegerField(source="partnership.organisation_id", read_only=True, allow_null=True)

    class Meta:
        model = ProposalEvent
        fields = ["kind", "round", "at", "person", "for_person", "organisation", "note", "url"]


class IndicatorVersionSerializer(serializers.ModelSerializer):
    consents = ConsentSerializer(many=True, read_only=True, help_text="Every answer, of every round.")
    current_answers = serializers.SerializerMethodField(help_text="The answers to the current round's text.")
    silence_rule = serializers.ChoiceField(
        source="indicator.ambition.chain.silence_rule",
        choices=SilenceRule.choices,
        read_only=True,
        help_text="What a core partner's silence means after the answer deadline (the chain's rule).",
    )
    silence_meaning = serializers.SerializerMethodField(help_text="The rule for silence, as a sentence.")
    timeline = ProposalEventSerializer(
        source="events", many=True, read_only=True, help_text="Every step of the proposal, oldest first."
    )

    @extend_schema_field(ConsentSerializer(many=True))
    def get_current_answers(self, version: IndicatorVersion) -> list:
        # From the prefetched answers: no query per version.
        current = [c for c in version.consents.all() if c.round == version.round]
        return ConsentSerializer(current, many=True, context=self.context).data

    def get_silence_meaning(self, version: IndicatorVersion) -> str:
        return SilenceRule(version.indicator.ambition.chain.silence_rule).meaning

    class Meta:
        model = IndicatorVersion
        # The definition as the model defines it (one list, also behind the lock), plus its context.
        fields = [
            "id",
            "indicator",
            "number",
            "status",
            *DEFINITION_FIELDS,
            "reporting_units",
            "rationale",
            "proposed_at",
            "decided_at",
            "answer_by",
            "round",
            "silence_rule",
            "silence_meaning",
            "current_answers",
            "consents",
            "timeline",
        ]


class FigureSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(help_text="The period as 2026-03 (month), 2026-K1 (quarter) or 2026.")
    period_start = serializers.DateField(source="period", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    status = serializers.ChoiceField(
        choices=SubmissionStatus.choices,
        read_only=True,
        help_text=(
            "The organisation's period: open, submitted, or approved (locked). A figure delivered late, "
            "after its period's approval, is submitted until the partner lead approves it."
        ),
    )
    revision = serializers.IntegerField(
        read_only=True, help_text="Send it back (If-Match header or revision field) to update safely."
    )

    class Meta:
        model = Figure
        fields = [
            "id",
            "indicator",
            "version",
            "unit",
            "organisation",
            "period",
            "period_start",
            "value",
            "numerator",
            "denominator",
            "comment",
            "follow_up",
            "source",
            "is_late",
            "status",
            "revision",
            "updated_at",
        ]
        read_only_fields = fields

    def get_period(self, figure: Figure) -> str:
        return period_slug(figure.period, figure.version.frequency)


# JSON's number grammar without exponent, bounded to the column (numbers.FIGURE): "1000.5", "-3", "0.25".
_API_NUMBER_PATTERN = rf"^(-?(0|[1-9][0-9]{{0,{FIGURE.whole_digits - 1}}})(\.[0-9]{{1,{FIGURE.decimal_places}}})?)?$"
_API_NUMBER_LIMIT = float(10**FIGURE.whole_digits - 1)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number", "minimum": -_API_NUMBER_LIMIT, "maximum": _API_NUMBER_LIMIT},
            {"type": "string", "pattern": _API_NUMBER_PATTERN},
        ],
        "nullable": True,
        "description": str(API_NUMBER_HELP),
    }
)
class ApiNumberField(serializers.Field):
    """A figure's number in the API: a JSON number or a canonical decimal string, through the API's
    one parser (numbers.parse_api); null, absent or "" is empty."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data) -> Decimal | None:
        try:
            return parse_api(data)
        except NotANumber as refused:
            raise serializers.ValidationError(refused.message) from None

    def to_representation(self, value) -> str | None:
        return None if value is None else str(value)


class FigureWriteSerializer(serializers.Serializer):
    """One figure to save (documentation only: the rows are read by services/bulk.read_row)."""

    indicator = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    period = serializers.CharField(help_text="2026-03 (month), 2026-K1 (quarter), 2026 (year) or the date it starts.")
    value = ApiNumberField(
        required=False,
        help_text="For a sum, with at most the indicator's decimals. null (or leaving it out) empties the cell: "
        "the figure is deleted (its history keeps it), unless its period has been submitted or approved.",
    )
    numerator = ApiNumberField(required=False, help_text="For a ratio; null with the denominator empties the cell.")
    denominator = ApiNumberField(required=False, help_text="For a ratio; null with the numerator empties the cell.")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=COMMENT_MAX,
        validators=[TextValidator()],
        help_text="Required when the value is outside the plausible range. Text of several lines; no control "
        "characters other than newlines and tabs.",
    )
    follow_up = serializers.BooleanField(required=False, default=False)
    revision = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_REVISION,
        help_text="The revision you start from (0: the figure does not exist yet). "
        "If it is no longer current the figure is not saved: 409.",
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


# --- Roll-ups ---------------------------------------------------------------------------------


class Definitions:
    """The versions and reporting units behind a page of roll-ups, loaded in three queries."""

    def __init__(self, aggregates: list) -> None:
        # One "today" per page: a period is judged only once its deadline has passed.
        self.today = timezone.localdate()
        self.versions = versions_in_force({a.indicator_id for a in aggregates})
        version_ids = {v.pk for versions in self.versions.values() for v in versions}
        through = IndicatorVersion.reporting_units.through.objects.filter(indicatorversion_id__in=version_ids)
        self.units = dict(
            through.values("indicatorversion_id").annotate(n=Count("unit_id")).values_list("indicatorversion_id", "n")
        )
        self.units_per_organisation: dict[tuple[int, int], int] = defaultdict(int)
        for version_id, organisation_id, n in (
            through.values("indicatorversion_id", "unit__organisation_id")
            .annotate(n=Count("unit_id"))
            .values_list("indicatorversion_id", "unit__organisation_id", "n")
        ):
            self.units_per_organisation[(version_id, organisation_id)] = n

    def version(self, aggregate) -> IndicatorVersion | None:
        return pick(self.versions.get(aggregate.indicator_id, []), aggregate.period)


class AggregateSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(help_text="As 2026-03, 2026-K1 or 2026; null without a definition.")
    period_start = serializers.DateField(source="period", read_only=True)
    value = serializers.SerializerMethodField(
        help_text="Sums as sums; ratios as Σnumerator / Σdenominator × factor, never an average of percentages."
    )
    expected = serializers.SerializerMethodField(help_text="What the trajectory expects for this period.")
    status = serializers.SerializerMethodField()
    expected_reports = serializers.SerializerMethodField(help_text="How many units report this indicator.")

    aggregate_fields = [
        "period",
        "period_start",
        "value",
        "expected",
        "status",
        "value_sum",
        "numerator_sum",
        "denominator_sum",
        "reported",
        "expected_reports",
        "late",
    ]

    def _version(self, aggregate) -> IndicatorVersion | None:
        return self.context["definitions"].version(aggregate)

    def get_period(self, aggregate) -> str | None:
        version = self._version(aggregate)
        return period_slug(aggregate.period, version.frequency if version else None)

    @extend_schema_field(serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True))
    def get_value(self, aggregate) -> str | None:
        version = self._version(aggregate)
        value = aggregate.value(version) if version else None
        return None if value is None else _decimal(value)

    @extend_schema_field(serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True))
    def get_expected(self, aggregate) -> str | None:
        version = self._version(aggregate)
        expected = progress.expected(version, aggregate.period) if version else None
        return None if expected is None else _decimal(expected)

    @extend_schema_field(serializers.ChoiceField(choices=progress.Status.choices))
    def get_status(self, aggregate) -> str:
        version = self._version(aggregate)
        if version is None:
            return progress.Status.NO_DATA
        if self.context["definitions"].today <= version.deadline_of(Period(aggregate.period, version.frequency)):
            return progress.Status.IN_PROGRESS  # figures are still coming in: not judged, as on the dashboard
        complete = aggregate.reported >= self.get_expected_reports(aggregate)
        return progress.status(version, aggregate.value(version), aggregate.period, complete=complete)

    def get_expected_reports(self, aggregate) -> int:
        version = self._version(aggregate)
        return self.context["definitions"].units.get(version.pk, 0) if version else 0


def _decimal(value: Decimal) -> str:
    return str(round(value, 4))


class ChainAggregateSerializer(AggregateSerializer):
    class Meta:
        model = ChainAggregate
        fields = ["id", "indicator", *AggregateSerializer.aggregate_fields]


class OrganisationAggregateSerializer(AggregateSerializer):
    class Meta:
        model = OrganisationAggregate
        fields = ["id", "indicator", "organisation", *AggregateSerializer.aggregate_fields]

    def get_expected_reports(self, aggregate) -> int:
        version = self._version(aggregate)
        if version is None:
            return 0
        return self.context["definitions"].units_per_organisation.get((version.pk, aggregate.organisation_id), 0)
