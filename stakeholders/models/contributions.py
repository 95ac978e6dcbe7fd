"""Contributions: what each partner puts in (money, people, data, facilities), committed per year
and delivered per period.

A ``Contribution`` is one commitment of one partner for one calendar year: a kind, an amount (€ for
money, FTE for people; optional for data and facilities, which are described in words) and a note.
Saving it gives it four ``Delivery`` rows, one per quarter of its year, each with its share of the
amount (the expected amount) and its due date (the quarter's last day). The partner's lead reports
what was delivered per quarter; a quarter whose due date passed without a report is *overdue*
(``DeliveryQuerySet.overdue``), which its lead hears about (stakeholders/contribution_tasks.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stakeholders.dates import FIRST_YEAR, LAST_YEAR

from .chains import Chain, Partnership, PartnershipStatus
from .people import Person


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Money (€)")
    PEOPLE = "people", _("People (FTE)")
    DATA = "data", _("Data")
    FACILITIES = "facilities", _("Facilities")

    @property
    def needs_amount(self) -> bool:
        """Money and people are counted; data and facilities are described, an amount is optional."""
        return self in (ContributionKind.MONEY, ContributionKind.PEOPLE)

    @property
    def unit(self) -> str:
        return {ContributionKind.MONEY: "€", ContributionKind.PEOPLE: "FTE"}.get(self, "")


# The sane maxima: a chain partner does not commit more than a billion euros or 10,000 FTE a year.
# Amounts have two decimals (cents; FTE as 0,25 or 1,75).
MAXIMUM = {
    ContributionKind.MONEY: Decimal("1000000000"),
    ContributionKind.PEOPLE: Decimal("10000"),
    ContributionKind.DATA: Decimal("1000000000"),
    ContributionKind.FACILITIES: Decimal("1000000000"),
}
AMOUNT = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True}
QUARTERS = (1, 2, 3, 4)


def amount_message(kind: str, amount: Decimal | None) -> str | None:
    """Why ``amount`` cannot be a ``kind`` amount (negative, or beyond the sane maximum), or None."""
    if amount is None:
        return None
    if amount < 0:
        return str(_("An amount cannot be negative."))
    maximum = MAXIMUM[ContributionKind(kind)]
    if amount > maximum:
        if kind == ContributionKind.PEOPLE:
            return str(_("At most 10.000 FTE: check the amount."))
        return str(_("At most € 1.000.000.000: check the amount."))
    return None


def quarter_end(year: int, quarter: int) -> date:
    """The last day of the quarter: a quarter's delivery is due then."""
    month = quarter * 3
    return date(year, month, 31 if month in (3, 12) else 30)


def period_label(year: int, quarter: int) -> str:
    return str(_("Q%(quarter)s %(year)s")) % {"quarter": quarter, "year": year}


class ContributionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContributionQuerySet:
        return self.filter(partnership__chain__in=Chain.objects.visible_to(user))


class Contribution(models.Model):
    """One partner's commitment of one kind for one year."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("partner")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind)
    amount = models.DecimalField(_("amount committed"), **AMOUNT)
    description = models.CharField(
        _("what"), max_length=300, blank=True, help_text=_("What is put in, e.g. the data set or the facility.")
    )
    note = models.TextField(_("note"), blank=True)
    committed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("committed by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "partnership__organisation__name", "kind", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="contribution_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=("money", "people")) | Q(amount__isnull=False),
                name="contribution_counted_kinds_have_amount",
                violation_error_message=_("Money and people need an amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership.organisation} {self.year}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:contribution_detail", args=[self.partnership.chain.slug, self.pk])

    @property
    def unit(self) -> str:
        return ContributionKind(self.kind).unit

    def clean(self) -> None:
        super().clean()
        errors = {}
        message = amount_message(self.kind, self.amount) if self.kind else None
        if message:
            errors["amount"] = message
        if self.kind and ContributionKind(self.kind).needs_amount and self.amount is None:
            errors["amount"] = _("Enter the amount committed: money in euros, people in FTE.")
        if self.kind and not ContributionKind(self.kind).needs_amount and not self.description.strip():
            errors["description"] = _("Describe what is put in.")
        if self.partnership_id and self.partnership.status == PartnershipStatus.OBSERVER:
            errors["partnership"] = _("An observer makes no contributions: choose a partner of the chain.")
        if errors:
            raise ValidationError(errors)

    def plan_deliveries(self) -> None:
        """One delivery per quarter of the year with its share of the amount (the last quarter takes
        what rounding leaves). Quarters already reported keep what they have; a changed year or
        amount re-plans the others."""
        shares = quarter_shares(self.amount)
        existing = {d.quarter: d for d in self.deliveries.all()}
        for quarter, share in zip(QUARTERS, shares, strict=True):
            delivery = existing.get(quarter) or Delivery(contribution=self, quarter=quarter)
            delivery.expected_amount = share
            delivery.due_on = quarter_end(self.year, quarter)
            delivery.save()


def quarter_shares(amount: Decimal | None) -> list[Decimal | None]:
    if amount is None:
        return [None] * len(QUARTERS)
    amount = Decimal(amount)
    share = (amount / len(QUARTERS)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return [share] * (len(QUARTERS) - 1) + [amount - share * (len(QUARTERS) - 1)]


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user) -> DeliveryQuerySet:
        return self.filter(contribution__partnership__chain__in=Chain.objects.visible_to(user))

    def overdue(self, today: date | None = None) -> DeliveryQuerySet:
        """Due before today and nothing reported."""
        return self.filter(due_on__lt=today or timezone.localdate(), reported_at__isnull=True)


class Delivery(models.Model):
    """What one contribution delivers in one quarter of its year: expected, and reported."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("contribution")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    expected_amount = models.DecimalField(_("amount expected"), **AMOUNT)
    due_on = models.DateField(_("due on"))
    delivered_amount = models.DecimalField(_("amount delivered"), **AMOUNT)
    delivered_note = models.TextField(_("note on the delivery"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reported by")
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["contribution", "quarter"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["contribution", "quarter"], name="delivery_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="delivery_quarter_1_to_4"),
            models.CheckConstraint(
                condition=Q(delivered_amount__isnull=True) | Q(delivered_amount__gte=0),
                name="delivery_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution}, {self.period}"

    @property
    def period(self) -> str:
        return period_label(self.contribution.year, self.quarter)

    @property
    def slug(self) -> str:
        return f"{self.contribution.year}-{self.quarter}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.reported_at is None and self.due_on < (today or timezone.localdate())


def show_amount(kind: str, value: Decimal | None) -> str:
    """An amount as the pages show it: € 1.250.000 for money, 2,5 FTE for people; a dash without one.
    In Python rather than a template include: the overviews show dozens."""
    if value is None:
        return "—"
    places = 0 if value == value.to_integral_value() else 2
    text = number_format(value, places, use_l10n=True, force_grouping=True)
    if kind == ContributionKind.MONEY:
        return f"€ {text}"
    if kind == ContributionKind.PEOPLE:
        return f"{text} FTE"
    return text


@dataclass
class KindTotal:
    committed: Decimal = Decimal(0)
    delivered: Decimal = Decimal(0)
    count: int = 0  # commitments (data and facilities are counted, not summed)
    overdue: int = 0

    @property
    def share(self) -> int | None:
        """Delivered as a percentage of committed, or None when nothing is counted."""
        return round(self.delivered * 100 / self.committed) if self.committed else None

    def describe(self, kind: str) -> str:
        """The cell in words: "€ 250 of € 1.000 (25%)", or "2 commitments" for data and facilities."""
        if not self.count:
            return "—"
        if not ContributionKind(kind).needs_amount:
            return ngettext("%(count)s commitment", "%(count)s commitments", self.count) % {"count": self.count}
        text = gettext("%(delivered)s of %(committed)s") % {
            "delivered": show_amount(kind, self.delivered),
            "committed": show_amount(kind, self.committed),
        }
        return text if self.share is None else f"{text} ({self.share}%)"

    def overdue_text(self) -> str:
        if not self.overdue:
            return ""
        return ngettext("%(count)s delivery overdue", "%(count)s deliveries overdue", self.overdue) % {
            "count": self.overdue
        }


@dataclass(frozen=True)
class Cell:
    """One kind's total as a table cell: its words made here, not by template tags."""

    kind: ContributionKind
    total: KindTotal

    @property
    def text(self) -> str:
        return self.total.describe(self.kind)

    @property
    def overdue(self) -> str:
        return self.total.overdue_text()


@dataclass
class PartnerTotals:
    """One partner's contributions of one year, per kind (the chain page's row)."""

    partnership: Partnership
    kinds: dict[str, KindTotal] = field(default_factory=dict)

    def of(self, kind: str) -> KindTotal:
        return self.kinds.get(kind) or KindTotal()

    @property
    def cells(self) -> list[Cell]:
        """The kinds' totals in the kinds' order: the table's cells."""
        return [Cell(kind, self.of(kind)) for kind in ContributionKind]

    @property
    def overdue(self) -> int:
        return sum(total.overdue for total in self.kinds.values())


def totals(partnerships: list[Partnership], year: int, today: date | None = None) -> list[PartnerTotals]:
    """Per partner and kind: committed and delivered in ``year``, commitments and overdue quarters.
    Two queries for any number of partners."""
    today = today or timezone.localdate()
    rows = {p.pk: PartnerTotals(p) for p in partnerships}
    committed = (
        Contribution.objects.filter(partnership__in=rows, year=year)
        .values("partnership_id", "kind")
        .annotate(total=Sum("amount"), count=models.Count("pk"))
    )
    for row in committed:
        total = rows[row["partnership_id"]].kinds.setdefault(row["kind"], KindTotal())
        total.committed, total.count = row["total"] or Decimal(0), row["count"]
    delivered = (
        Delivery.objects.filter(contribution__partnership__in=rows, contribution__year=year)
        .values("contribution__partnership_id", "contribution__kind")
        .annotate(
            total=Sum("delivered_amount"),
            overdue=models.Count("pk", filter=Q(due_on__lt=today, reported_at__isnull=True)),
        )
    )
    for row in delivered:
        total = rows[row["contribution__partnership_id"]].kinds.setdefault(row["contribution__kind"], KindTotal())
        total.delivered, total.overdue = row["total"] or Decimal(0), row["overdue"]
    return list(rows.values())


def column_totals(rows: list[PartnerTotals]) -> list[Cell]:
    """The chain's total per kind (the table's last row)."""
    result = []
    for kind in ContributionKind:
        total = KindTotal()
        for row in rows:
            cell = row.of(kind)
            total.committed += cell.committed
            total.delivered += cell.delivered
            total.count += cell.count
            total.overdue += cell.overdue
        result.append(Cell(kind, total))
    return result
