"""What the bottleneck pages, *My work*, the chain home and the dashboard read, each in a fixed
number of queries whatever the number of bottlenecks (tests hold them; the benchmark times the
board as ``bottleneck_board_p95``).

- ``board_rows``: a chain's bottlenecks by level (steering group first), then the earliest
  response due; one page of them with their body, owner and partners.
- ``counts``: "3 open escalations, 1 overdue at the steering group": open bottlenecks that went up
  the ladder, and per body at the top of the ladder those whose response time passed there.
- ``waiting_for``: *My work*: open bottlenecks I own, and those awaiting the response of a body
  whose meetings I run (chair, vice-chair, secretary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from governance.models import Body, BodyLevel, BodyMember, Bottleneck, Escalation, MemberPosition
from stakeholders.models import Chain, Partnership

PER_PAGE = 50
ON_BODY_PAGE = 10
MY_WORK_SHOWN = 20


def by_level(bottlenecks: QuerySet[Bottleneck]) -> QuerySet[Bottleneck]:
    """Highest level first (the steering group's bottlenecks are the heaviest), then the earliest due."""
    rank = Case(
        *(When(body__level=level, then=Value(BodyLevel.rank(level))) for level in BodyLevel.values),
        output_field=IntegerField(),
    )
    return bottlenecks.annotate(level_rank=rank).order_by("-level_rank", "due_on", "pk")


def with_board_columns(bottlenecks: QuerySet[Bottleneck]) -> QuerySet[Bottleneck]:
    """What a row shows: level, owner and the partners concerned (one query more for all partners)."""
    partners = Partnership.objects.select_related("organisation").order_by("organisation__name")
    return bottlenecks.select_related("body", "owner__organisation").prefetch_related(
        Prefetch("partners", queryset=partners)
    )


@dataclass(frozen=True)
class Counts:
    open: int
    escalated: int  # open bottlenecks above the level they were reported to
    overdue_at_top: list[tuple[str, int]]  # per body at the top of the ladder: its name, how many

    @property
    def overdue_at_top_total(self) -> int:
        return sum(count for _, count in self.overdue_at_top)


def counts(chain: Chain, today: date | None = None) -> Counts:
    """The chain's open and escalated bottlenecks, and per body at the top of the ladder the overdue
    ones (one query when nothing is open, else two)."""
    today = today or timezone.localdate()
    open_ones = Bottleneck.objects.filter(chain=chain).still_open()
    totals = open_ones.aggregate(
        open=Count("pk"),
        escalated=Count("pk", filter=Q(Exists(Escalation.objects.filter(bottleneck=OuterRef("pk"))))),
    )
    top = []
    if totals["open"]:
        rows = Bottleneck.objects.filter(chain=chain).overdue_at_top(today).values("body", "body__name")
        top = [(row["body__name"], row["n"]) for row in rows.annotate(n=Count("pk")).order_by("body__name")]
    return Counts(totals["open"], totals["escalated"], top)


def overdue_at_top(chain: Chain, today: date | None = None, shown: int = 10) -> list[Bottleneck]:
    """The chain home's flag: bottlenecks overdue at a body that escalates to no other (one query)."""
    rows = Bottleneck.objects.filter(chain=chain).overdue_at_top(today or timezone.localdate())
    return list(rows.select_related("body").order_by("due_on", "pk")[:shown])


def at_body(body: Body) -> tuple[list[Bottleneck], int]:
    """The body page's part: its open bottlenecks, earliest due first (one query, two with more than shown)."""
    open_ones = body.bottlenecks.still_open()
    shown = list(open_ones.select_related("owner", "body").order_by("due_on", "pk")[:ON_BODY_PAGE])
    count = len(shown) if len(shown) < ON_BODY_PAGE else open_ones.count()
    return shown, count


@dataclass(frozen=True)
class Waiting:
    owned: list[Bottleneck]
    to_respond: list[Bottleneck]


def waiting_for(user) -> Waiting:
    """*My work*: open bottlenecks the user owns, and those awaiting a response from a body whose
    meetings they run (one query for both)."""
    if not user.is_authenticated:
        return Waiting([], [])
    running = BodyMember.objects.filter(person=user, position__in=MemberPosition.running_meetings()).values("body_id")
    visible = Bottleneck.objects.visible_to(user).still_open()
    mine_or_due = Q(owner=user) | Q(responded_at__isnull=True, body_id__in=running)
    rows = list(
        visible.filter(mine_or_due).select_related("body__chain").order_by("due_on", "pk")[: 2 * MY_WORK_SHOWN + 1]
    )
    owned = [row for row in rows if row.owner_id == user.pk]
    to_respond = [row for row in rows if row.owner_id != user.pk][:MY_WORK_SHOWN]
    return Waiting(owned, to_respond)
