"""API endpoints for indicators, their versions, figures and roll-ups.

Reading: every queryset comes from ``visible_to(request.user)``, the pages' policy, so another
chain's objects are not found (404) and lists only hold the user's chains.

Writing figures:

- ``POST /api/figures/``: one figure, an idempotent upsert on indicator + unit + period, through
  ``services.entry.save_cell`` (the entry grid's own path). Safe updates name the revision they
  start from: the ``If-Match`` header (the ETag of ``GET /api/figures/<id>/``), answered with 412
  when stale, or a ``revision`` field, answered with 409. Neither overwrites silently.
- ``POST /api/figures/bulk/``: up to 100,000 figures, all or nothing, through
  ``services.bulk.upsert_figures`` (the same rules, checked in bulk); an ``Idempotency-Key``
  makes a retry replay the first answer (stakeholders/idempotency.py).

A token of an API connection (stakeholders/views/api_tokens.py) belongs to a contributor of one
organisation, so the same policy limits it to that organisation's units.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db.models import Case, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ambitions.models import (
    ChainAggregate,
    Consent,
    DeliveryTerms,
    Figure,
    FigureSource,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
    PeriodSubmission,
    ProposalEvent,
    SubmissionStatus,
    VersionStatus,
)
from ambitions.services import bulk
from ambitions.services.entry import CellConflict, CellRefused, save_cell
from ambitions.services.versions import version_for
from ketenportaal import api
from stakeholders import idempotency
from stakeholders.models import Chain, Unit
from stakeholders.permissions import Action, allows

from . import filters
from .serializers import (
    BulkResultSerializer,
    ChainAggregateSerializer,
    Definitions,
    FigureSerializer,
    FigureWriteSerializer,
    IndicatorSerializer,
    IndicatorVersionSerializer,
    OrganisationAggregateSerializer,
)

PRECONDITION_FAILED = status.HTTP_412_PRECONDITION_FAILED
MAX_LISTED_ERRORS = 1000


class BulkJSONParser(api.JSONParser):
    """JSON for the bulk upsert: 100,000 figures are about 10 MB, past DATA_UPLOAD_MAX_MEMORY_SIZE;
    anything far beyond is refused unread."""

    max_bytes = 64 * 1024 * 1024


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators of your chains, each with a summary of its current (latest adopted) definition."""

    serializer_class = IndicatorSerializer
    filterset_class = filters.IndicatorFilterSet

    def get_queryset(self):
        adopted = IndicatorVersion.objects.filter(status=VersionStatus.ADOPTED).order_by("-effective_from")
        terms = DeliveryTerms.objects.in_force_on(timezone.localdate()).select_related(
            "partnership__organisation", "deliverer"
        )
        return (
            Indicator.objects.visible_to(self.request.user)
            .select_related("ambition__chain")
            .prefetch_related(
                Prefetch("versions", queryset=adopted, to_attr="adopted_versions"),
                Prefetch("delivery_terms", queryset=terms, to_attr="terms_in_force"),
            )
            .order_by("ambition__chain__name", "ambition__position", "position", "pk")
        )

    def chain_of(self, obj: Indicator) -> Chain:
        return obj.ambition.chain


class IndicatorVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Every version of your chains' indicators: drafts, proposals with who consented or objected
    and why, adopted and superseded definitions. Adopted definitions never change. A proposal shows
    its answer deadline, its round, the chain's rule for silence, the answers to the current round
    (a stand-in's "for" the lead, consent by silence marked as such) and its timeline."""

    serializer_class = IndicatorVersionSerializer
    filterset_class = filters.IndicatorVersionFilterSet

    def get_queryset(self):
        return (
            IndicatorVersion.objects.filter(indicator__in=Indicator.objects.visible_to(self.request.user))
            .select_related("indicator__ambition__chain")
            .prefetch_related(
                "reporting_units",
                Prefetch(
                    "consents",
                    queryset=Consent.objects.select_related("partnership", "person", "for_person").order_by(
                        "round", "pk"
                    ),
                ),
                Prefetch(
                    "events",
                    queryset=ProposalEvent.objects.select_related("person", "for_person", "partnership").order_by(
                        "at", "pk"
                    ),
                ),
            )
            .order_by("indicator_id", "-number")
        )

    def chain_of(self, obj: IndicatorVersion) -> Chain:
        return obj.indicator.ambition.chain


def _submission_status() -> Case:
    """The figure's organisation's period status, as an annotation (one query for a whole page); a
    figure delivered after its period's approval is submitted until the lead approves it."""
    submissions = PeriodSubmission.objects.filter(
        chain_id=OuterRef("indicator__ambition__chain_id"),
        organisation_id=OuterRef("organisation_id"),
        frequency=OuterRef("version__frequency"),
        period=OuterRef("period"),
    ).values("status")[:1]
    return Case(
        When(awaiting_approval=True, then=Value(SubmissionStatus.SUBMITTED)),
        default=Coalesce(Subquery(submissions), Value(SubmissionStatus.OPEN)),
    )


def _etag(figure: Figure) -> str:
    return f'"{figure.revision}"'


def _if_match(request: Request) -> int | str | None:
    """The revision named by If-Match: a number, "*" (any existing figure) or None (no header)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    header = header.strip()
    if header == "*":
        return "*"
    match = re.fullmatch(r'(?:W/)?"?([0-9]{1,10})"?', header)
    if not match or int(match.group(1)) > bulk.MAX_REVISION:
        raise ValidationError({"If-Match": [_('Send the ETag of the figure, e.g. "3".')]})
    return int(match.group(1))


def _field_errors(errors: dict[str, str]) -> dict[str, list[str]]:
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == bulk.NON_FIELD else name): [message]
        for name, message in errors.items()
    }


# Every refusal has the API's one error shape (ketenportaal/api.py adds it to these statuses).
WRITE_RESPONSES = {
    200: OpenApiResponse(FigureSerializer, description="Updated, or unchanged (the same figure was sent again)."),
    201: OpenApiResponse(FigureSerializer, description="Created."),
    400: OpenApiResponse(description="Bad input: messages per field."),
    403: OpenApiResponse(description="You may not enter figures for this unit's organisation."),
    404: OpenApiResponse(description="No such indicator or unit among your chains."),
    409: OpenApiResponse(
        FigureSerializer,
        description="The revision field is stale: the current figure; or a revision for a figure that is not there.",
    ),
    412: OpenApiResponse(
        FigureSerializer, description="If-Match is stale: the current figure; or there is no figure to match."
    ),
}


class FigurePagination(api.CursorPagination):
    """A million figures at national scale: pages follow a cursor (``next``) instead of numbers, so
    no page costs a COUNT(*) or a deep OFFSET. In the order they were first saved; to keep a copy in
    step, read everything once, then ask for ``updated_since``."""

    ordering = "id"
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


class FigureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Figures of your chains; write your own organisation's figures one at a time or in bulk."""

    serializer_class = FigureSerializer
    filterset_class = filters.FigureFilterSet
    pagination_class = FigurePagination

    def get_queryset(self):
        return (
            Figure.objects.visible_to(self.request.user).select_related("version").annotate(status=_submission_status())
        )

    def chain_of(self, obj: Figure) -> Chain:
        return obj.indicator.ambition.chain

    def organisation_of(self, obj: Figure):
        return obj.organisation

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        figure = self.get_object()
        response = Response(self.get_serializer(figure).data)
        response["ETag"] = _etag(figure)
        return response

    @extend_schema(
        request=FigureWriteSerializer,
        responses=WRITE_RESPONSES,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description='The figure\'s ETag ("3") from GET: save only if nobody changed it since.',
            )
        ],
        description="Save one figure: an upsert on indicator + unit + period, with the entry grid's rules.",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        if_match = _if_match(request)
        if not isinstance(request.data, dict):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("Send one figure as a JSON object.")]})
        row, errors = bulk.read_row(request.data)
        if errors:
            raise ValidationError(_field_errors(errors))
        indicator = (
            Indicator.objects.visible_to(request.user)
            .select_related("ambition__chain")
            .filter(pk=row.indicator_id)
            .first()
        )
        unit = Unit.objects.visible_to(request.user).select_related("organisation").filter(pk=row.unit_id).first()
        if indicator is None or unit is None:
            raise Http404
        # Before any other check: another partner's unit is refused whatever the body says.
        if not allows(request.user, Action.ENTER_FIGURES, indicator.ambition.chain, unit.organisation):
            raise PermissionDenied
        try:
            version = version_for(indicator, row.period.start)
            period = bulk.resolve_period(row.period, version)
            if version is not None:
                bulk.check_kind(version, row.cell)
        except CellRefused as refused:
            raise ValidationError(_field_errors(refused.errors)) from refused
        cell = row.cell
        stored = Figure.objects.filter(indicator=indicator, unit=unit, period=period.start).first()
        if if_match is not None:
            if stored is None:
                # Nothing to match: the client means a figure that is not there (RFC 9110, 13.1.1).
                return api.problem(_("There is no figure to match."), "precondition_failed", PRECONDITION_FAILED)
            if if_match != "*":
                cell.revision = if_match
        if cell.revision and stored is None:
            message = _("There is no figure yet: send revision 0, or leave it out.")
            errors = [{"pointer": api.pointer("revision"), "detail": message}]
            return api.problem(message, "conflict", status.HTTP_409_CONFLICT, errors=errors)
        try:
            figure = save_cell(request.user, indicator, unit, period, cell, source=FigureSource.API)
        except CellRefused as refused:
            raise ValidationError(_field_errors(refused.errors)) from refused
        except CellConflict as conflict:
            stale = PRECONDITION_FAILED if isinstance(if_match, int) else status.HTTP_409_CONFLICT
            return self._figure_response(conflict.current.pk, stale)
        return self._figure_response(figure.pk, status.HTTP_201_CREATED if stored is None else status.HTTP_200_OK)

    def _figure_response(self, pk: int, code: int) -> Response:
        figure = self.get_queryset().get(pk=pk)
        response = Response(self.get_serializer(figure).data, status=code)
        response["ETag"] = _etag(figure)
        return response

    @extend_schema(
        request=FigureWriteSerializer(many=True),
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(
                description="Some rows are refused (the errors per row), or the body is not a list: nothing was saved."
            ),
            409: OpenApiResponse(description="Only stale revisions were refused: nothing was saved."),
            413: OpenApiResponse(description="The request is too large."),
            422: idempotency.REUSED,
        },
        parameters=[idempotency.PARAMETER],
        description=(
            "Save up to 100,000 figures at once, all or nothing: every row is checked with the rules of a "
            "single figure; if any row is refused, nothing is saved and the answer lists the refused rows "
            "by index and field."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk", parser_classes=[BulkJSONParser])
    @idempotency.idempotent
    def bulk(self, request: Request) -> Response:
        with bulk.without_cyclic_gc():  # reading 100,000 rows of JSON too
            rows = request.data
            if not isinstance(rows, list):
                raise ParseError(_("Send the figures as a JSON list of objects."))
            try:
                result = bulk.upsert_figures(request.user, rows, source=FigureSource.API)
            except bulk.BulkRefused as refused:
                return self._refused(refused)
        return Response(BulkResultSerializer(result).data)

    def _refused(self, refused: bulk.BulkRefused) -> Response:
        listed = list(refused.errors.items())[:MAX_LISTED_ERRORS]
        code = status.HTTP_409_CONFLICT if refused.conflicts else status.HTTP_400_BAD_REQUEST
        return api.problem(
            refused.detail or _("%(count)s rows were refused; nothing was saved.") % {"count": len(refused.errors)},
            "conflict" if refused.conflicts else "invalid",
            code,
            error_count=len(refused.errors),
            # One entry per message, pointing at the row (/3) or its field (/3/value).
            errors=api.invalid_entries({index: _field_errors(errors) for index, errors in listed}),
        )


class _RollupViewSet(viewsets.ReadOnlyModelViewSet):
    """Roll-ups need their definitions: loaded once per page (or object), see serializers.Definitions."""

    definitions: Definitions | None = None

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.definitions = Definitions(page if page is not None else list(queryset))
        return page

    def get_object(self):
        obj = super().get_object()
        self.definitions = Definitions([obj])
        return obj

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "definitions": self.definitions}

    def chain_of(self, obj) -> Chain:
        return obj.indicator.ambition.chain


class ChainAggregateViewSet(_RollupViewSet):
    """The chain's figure per indicator and period, kept up to date with every save: the value
    (ratios as Σnumerator / Σdenominator), the trajectory's expected value and the status."""

    serializer_class = ChainAggregateSerializer
    filterset_class = filters.ChainAggregateFilterSet

    def get_queryset(self):
        return ChainAggregate.objects.filter(indicator__in=Indicator.objects.visible_to(self.request.user)).order_by(
            "indicator_id", "period"
        )


class OrganisationAggregateViewSet(_RollupViewSet):
    """Each partner organisation's figure per indicator and period (all its reporting units)."""

    serializer_class = OrganisationAggregateSerializer
    filterset_class = filters.OrganisationAggregateFilterSet

    def get_queryset(self):
        return OrganisationAggregate.objects.filter(
            indicator__in=Indicator.objects.visible_to(self.request.user)
        ).order_by("indicator_id", "period", "organisation_id")
