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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import django_filters
from django.db.models import Exists, Max, Min, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.html import format_html, format_html_join
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
    Each offers the chain's own bodies, years, outcomes and partners; any other value (another
    chain's body, a year without decisions, text) is an error at its field, never a 500. The
    choices come from the lists ``register`` reads once, which also name each row's body and
    partners (``Register.fill``)."""

    gremium = django_filters.ChoiceFilter(method="filter_body", label=gettext_lazy("Body"), empty_label=ALL)
    jaar = django_filters.ChoiceFilter(method="filter_year", label=gettext_lazy("Year"), empty_label=ALL)
    uitkomst = django_filters.ChoiceFilter(
        field_name="status",
        choices=DecisionStatus.choices,
        label=gettext_lazy("Outcome"),
        empty_label=ALL,
    )
    partner = django_filters.ChoiceFilter(
        method="filter_partner",
        label=gettext_lazy("Partner"),
        empty_label=ALL,
        help_text=gettext_lazy("Decisions on which this partner took a position."),
    )

    class Meta:
        model = Decision
        fields: list[str] = []
        form = PortalForm

    def __init__(self, data, queryset, *, years: list[int], bodies: list[Body], partners: list[Partnership]):
        super().__init__(data, queryset)
        self.filters["gremium"].extra["choices"] = [(body.pk, body.name) for body in bodies]
        self.filters["jaar"].extra["choices"] = [(year, str(year)) for year in years]
        self.filters["partner"].extra["choices"] = [(p.pk, str(p.organisation)) for p in partners]

    # The values reaching these methods are among the choices (the form has checked them).

    def filter_body(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(body_id=int(value))

    def filter_year(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        year = int(value)
        return queryset.filter(filed_on__gte=date(year, 1, 1), filed_on__lt=date(year + 1, 1, 1))

    def filter_partner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        took_part = DecisionPosition.objects.filter(
            decision=OuterRef("pk"), round=OuterRef("round"), partnership_id=int(value)
        )
        return queryset.filter(Exists(took_part))


def decisions_of(chain: Chain) -> QuerySet[Decision]:
    """Every decision of the chain's bodies, in register order, with its meeting and positions (their
    bodies and partners come from Register.fill, not from a join per row)."""
    positions = DecisionPosition.objects.only(
        "decision_id", "round", "partnership_id", "kind", "reason", "by_silence"
    ).order_by("round", "pk")
    return (
        Decision.objects.filter(chain=chain)
        .in_register()
        .select_related("meeting")
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
    bodies: dict[int, Body]
    partners: dict[int, Partnership]

    def fill(self, decisions: Iterable[Decision]) -> list[Decision]:
        """The decisions with their body and each position's partner (by name) from the chain's own
        lists, and the positions by partner name: no query per row."""
        filled = []
        for decision in decisions:
            body = self.bodies.get(decision.body_id)
            if body is not None:
                decision.body = body
            for position in decision.positions.all():
                partner = self.partners.get(position.partnership_id)
                if partner is not None:
                    position.partnership = partner
            decision.positions_by_name = sorted(
                decision.current_positions(), key=lambda position: str(position.partnership.organisation)
            )
            filled.append(decision)
        return filled


def positions_html(decision: Decision) -> str:
    """The register row's positions as list items (``decision`` filled by Register.fill). Written
    here, not in the template: 25 rows of about ten positions each made the template loop most of
    the page's cost (docs/benchmarks.md)."""
    flag = _("dissent recorded")
    return format_html_join(
        "",
        '<li>{}: <span class="kp-answer kp-answer--{}">{}</span>{}</li>',
        (
            (
                position.partnership.organisation,
                position.kind,
                position.kind_label,
                format_html(' <strong class="kp-flag kp-flag--dissent">{}</strong>: {}', flag, position.reason)
                if position.is_dissent
                else "",
            )
            for position in decision.positions_by_name
        ),
    )


def register(chain: Chain, params) -> Register:
    """The filtered register; None as decisions when a filter value is refused."""
    bodies = list(Body.objects.filter(chain=chain).order_by("name"))
    partners = list(
        Partnership.objects.filter(chain=chain).select_related("organisation").order_by("organisation__name")
    )
    filters = RegisterFilter(
        params or None, decisions_of(chain), years=years_of(chain), bodies=bodies, partners=partners
    )
    decisions = filters.qs if not filters.is_bound or filters.is_valid() else None
    return Register(
        filters, decisions, {body.pk: body for body in bodies}, {partner.pk: partner for partner in partners}
    )


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


def rows(result: Register) -> Iterator[list]:
    """One row per decision, text and dates as they are (each format writes them its own way)."""
    for chunk in _chunks(result.decisions.iterator(chunk_size=1000), 1000):
        yield from (_row(decision) for decision in result.fill(chunk))


def _chunks(items: Iterator[Decision], size: int) -> Iterator[list[Decision]]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row(decision: Decision) -> list:
    current = decision.positions_by_name
    positions = "; ".join(f"{p.partnership.organisation}: {p.kind_label}" for p in current)
    dissent = "; ".join(f"{p.partnership.organisation}: {p.reason}" for p in current if p.is_dissent)
    meeting = timezone.localtime(decision.meeting.starts_at).date() if decision.meeting_id else None
    return [
        decision.filed_on,
        str(decision.body),
        decision.title,
        decision.status_label,
        decision.decided_on,
        decision.closes_on,
        decision.way_label,
        meeting,
        decision.round,
        positions,
        dissent,
        decision.review_on,
        decision.outcome_statement,
    ]


def to_csv(result: Register) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for row in rows(result):
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


def to_xlsx(result: Register) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Decisions"))
    sheet.append(_headers())
    for row in rows(result):
        # openpyxl refuses control characters; neutralise as the figure export does.
        sheet.append([neutralise(ILLEGAL_CHARACTERS_RE.sub("", v)) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(result: Register, fmt: str) -> bytes:
    """The register's decisions (``result.decisions``, not None) in the format."""
    return to_csv(result) if fmt == "csv" else to_xlsx(result)
