"""The decision register (besluitenlijst) of a chain: every decision of its bodies with its date,
outcome, the positions per partner (recorded dissent marked), review date and meeting; filters by
body, year, outcome and partner; and its CSV and XLSX export.

A decision is filed under its register date (``Decision.register_date``: the day it was decided or
withdrawn, while open its closing date), newest first. The page's cost does not grow with the
register: one query for the page of decisions, one for their positions, one for the count, and
the filters' choices (tests/governance/test_decisions_register.py holds the count constant).

The export writes what the page shows, for every decision the filters give, with the figure
export's rules (ambitions/services/export.py: Dutch CSV with semicolons and a byte order mark, a
text a spreadsheet would run as a formula neutralised with a leading quote).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import django_filters
from django.db.models import Exists, Max, Min, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ambitions.services.export import CONTENT_TYPES, neutralise
from governance.models import Body, Decision, DecisionPosition, DecisionStatus
from ketenportaal.forms import PortalForm
from stakeholders.dates import in_range
from stakeholders.models import Chain, Partnership

PER_PAGE = 25
ALL = gettext_lazy("All")
FORMATS = tuple(CONTENT_TYPES)


class RegisterFilter(django_filters.FilterSet):
    """The register's filters, as Dutch query parameters (``?gremium=&jaar=&uitkomst=&partner=``).
    A value that is not one of the choices (another chain's body, a year without decisions, text)
    is an error at its field, never a 500."""

    gremium = django_filters.ModelChoiceFilter(
        field_name="body", queryset=Body.objects.none(), label=gettext_lazy("Body"), empty_label=ALL
    )
    jaar = django_filters.ChoiceFilter(method="filter_year", label=gettext_lazy("Year"), empty_label=ALL)
    uitkomst = django_filters.ChoiceFilter(
        field_name="status",
        choices=DecisionStatus.choices,
        label=gettext_lazy("Outcome"),
        empty_label=ALL,
    )
    partner = django_filters.ModelChoiceFilter(
        method="filter_partner",
        queryset=Partnership.objects.none(),
        label=gettext_lazy("Partner"),
        empty_label=ALL,
        help_text=gettext_lazy("Decisions on which this partner took a position."),
    )

    class Meta:
        model = Decision
        fields: list[str] = []
        form = PortalForm

    def __init__(self, data, queryset, *, chain: Chain, years: list[int]):
        super().__init__(data, queryset)
        self.filters["gremium"].queryset = Body.objects.filter(chain=chain).order_by("name")
        self.filters["partner"].queryset = (
            Partnership.objects.filter(chain=chain).select_related("organisation").order_by("organisation__name")
        )
        self.filters["jaar"].extra["choices"] = [(year, str(year)) for year in years]
        self.form.fields["partner"].label_from_instance = lambda partnership: str(partnership.organisation)

    def filter_year(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        year = int(value)  # one of the choices: the form has checked it
        return queryset.filter(filed_on__gte=date(year, 1, 1), filed_on__lt=date(year + 1, 1, 1))

    def filter_partner(self, queryset: QuerySet, name: str, partnership: Partnership) -> QuerySet:
        took_part = DecisionPosition.objects.filter(
            decision=OuterRef("pk"), round=OuterRef("round"), partnership=partnership
        )
        return queryset.filter(Exists(took_part))


def decisions_of(chain: Chain) -> QuerySet[Decision]:
    """Every decision of the chain's bodies, in register order, with what a row shows."""
    positions = DecisionPosition.objects.select_related("partnership__organisation").order_by(
        "round", "partnership__organisation__name"
    )
    return (
        Decision.objects.filter(chain=chain)
        .in_register()
        .select_related("body", "meeting")
        .prefetch_related(Prefetch("positions", queryset=positions))
    )


def years_of(chain: Chain) -> list[int]:
    """The years the register has decisions in, newest first (one query)."""
    span = Decision.objects.filter(chain=chain).aggregate(first=Min("filed_on"), last=Max("filed_on"))
    if span["first"] is None:
        return [timezone.localdate().year]
    first, last = span["first"].year, span["last"].year
    return [year for year in range(last, first - 1, -1) if in_range(date(year, 1, 1))]


@dataclass
class Register:
    filters: RegisterFilter
    decisions: QuerySet[Decision] | None  # None: a filter value was refused (see filters.errors)


def register(chain: Chain, params) -> Register:
    """The filtered register; None as decisions when a filter value is refused."""
    filters = RegisterFilter(params or None, decisions_of(chain), chain=chain, years=years_of(chain))
    if filters.is_bound and not filters.is_valid():
        return Register(filters, None)
    return Register(filters, filters.qs)


# --- Export -----------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Date"),
        _("Body"),
        _("Decision"),
        _("Outcome"),
        _("Decided on"),
        _("Closing date"),
        _("Way"),
        _("Meeting"),
        _("Round"),
        _("Positions"),
        _("Recorded dissent"),
        _("Review date"),
        _("Outcome statement"),
    ]


def rows(decisions: QuerySet[Decision]) -> Iterator[list]:
    """One row per decision, text and dates as they are (each format writes them its own way)."""
    for decision in decisions.iterator(chunk_size=1000):
        current = decision.current_positions()
        positions = "; ".join(f"{p.partnership.organisation}: {p.get_kind_display()}" for p in current)
        dissent = "; ".join(f"{p.partnership.organisation}: {p.reason}" for p in current if p.is_dissent)
        meeting = timezone.localtime(decision.meeting.starts_at).date() if decision.meeting_id else None
        yield [
            decision.filed_on,
            str(decision.body),
            decision.title,
            decision.get_status_display(),
            decision.decided_on,
            decision.closes_on,
            decision.get_way_display(),
            meeting,
            decision.round,
            positions,
            dissent,
            decision.review_on,
            decision.outcome_statement,
        ]


def to_csv(decisions: QuerySet[Decision]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for row in rows(decisions):
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def to_xlsx(decisions: QuerySet[Decision]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Decisions"))
    sheet.append(_headers())
    for row in rows(decisions):
        # openpyxl refuses control characters; neutralise as the figure export does.
        sheet.append([neutralise(ILLEGAL_CHARACTERS_RE.sub("", v)) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(decisions: QuerySet[Decision], fmt: str) -> bytes:
    return to_csv(decisions) if fmt == "csv" else to_xlsx(decisions)
