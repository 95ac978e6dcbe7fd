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
from functools import lru_cache

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from governance.models import Body, BodyLevel, BodyMember, Bottleneck, Escalation, MemberPosition
from governance.services import bottleneck_revision
from ketenportaal import db_router
from stakeholders.models import Chain

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
    """What a row shows, and no more: its level (body), owner and clock; the partners come in one
    query more (``partner_names``), as names rather than model objects."""
    return bottlenecks.select_related("body", "owner").only(
        "title",
        "status",
        "due_on",
        "responded_at",
        "reported_at",
        "body__name",
        "body__level",
        "body__escalates_to_id",
        "owner__full_name",
    )


def partner_names(bottlenecks) -> dict[int, str]:
    """Per bottleneck the names of the partners it concerns, alphabetically (one query)."""
    links = (
        Bottleneck.partners.through.objects.filter(bottleneck__in=[b.pk for b in bottlenecks])
        .order_by("partnership__organisation__name")
        .values_list("bottleneck_id", "partnership__organisation__name")
    )
    names: dict[int, list[str]] = {}
    for pk, name in links:
        names.setdefault(pk, []).append(name)
    return {pk: ", ".join(found) for pk, found in names.items()}


@dataclass(frozen=True)
class Counts:
    open: int
    escalated: int  # open bottlenecks above the level they were reported to
    overdue_at_top: list[tuple[str, int]]  # per body at the top of the ladder: its name, how many

    @property
    def overdue_at_top_total(self) -> int:
        return sum(count for _, count in self.overdue_at_top)


# How long counts are kept when nothing changes; the key carries the day and the entry the chain's
# bottleneck revision, so this only bounds what a deployment with changed rules might still serve.
COUNTS_CACHE_SECONDS = 60 * 60


def counts(chain: Chain, today: date | None = None) -> Counts:
    """The chain's open and escalated bottlenecks, and per body at the top of the ladder the overdue
    ones: from the cache when no bottleneck, escalation or body of the chain changed since (one
    cache read), else counted (one query when nothing is open, else two) and kept."""
    today = today or timezone.localdate()
    revision_key = bottleneck_revision.key(chain.pk)
    counts_key = f"bottleneck-counts:{connection.settings_dict['NAME']}:{chain.pk}:{today.isoformat()}"
    found = cache.get_many([revision_key, counts_key])
    revision = found.get(revision_key) or bottleneck_revision.current(chain.pk)
    kept = found.get(counts_key)
    if kept is not None and kept[0] == revision:
        return kept[1]
    db_router.confirm_caught_up()  # counted on the primary unless a replica has everything up to now
    counted = count(chain, today)
    cache.set(counts_key, (revision, counted), COUNTS_CACHE_SECONDS)
    return counted


def count(chain: Chain, today: date) -> Counts:
    """``counts`` counted afresh (one query when nothing is open, else two)."""
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


# --- The board's rows, written once in Python ------------------------------------------------------
# Fifty rows through the template language (an include, a translation and three filters per row)
# cost about as much as the rest of the page; here they are one pass of format_html (the words are
# the same messages as governance/bottlenecks/_clock.html).


def clock_html(bottleneck: Bottleneck, today: date, day=date_format) -> SafeString:
    """The clock in one line, as _clock.html writes it (``day`` formats a date)."""
    if not bottleneck.is_open:
        return format_html("{}", bottleneck.get_status_display())
    if bottleneck.responded_at:
        return format_html(
            "{}", _("responded on %(date)s") % {"date": day(timezone.localdate(bottleneck.responded_at))}
        )
    if bottleneck.due_on < today:
        top = format_html(" · {}", _("top of the ladder")) if not bottleneck.body.escalates_to_id else ""
        words = _("response was due on %(date)s") % {"date": day(bottleneck.due_on)}
        return format_html('<span class="kp-flag kp-flag--overdue">{}{}</span>', words, top)
    return format_html("{}", _("response due by %(date)s") % {"date": day(bottleneck.due_on)})


ROW = (
    '<tr class="utrecht-table__row">'
    '<th class="utrecht-table__header-cell" scope="row"><a class="utrecht-link" href="{}">{}</a></th>'
    '<td class="utrecht-table__cell"><a class="utrecht-link" href="{}">{}</a> <span class="kp-muted">({})</span></td>'
    '<td class="utrecht-table__cell">{}</td><td class="utrecht-table__cell">{}</td>'
    '<td class="utrecht-table__cell">{}</td><td class="utrecht-table__cell">{}</td></tr>'
)


def rows_html(bottlenecks, chain: Chain, today: date, now) -> SafeString:
    """The board's table rows: title (a link), level (a link to the body), partners, owner, age, clock.
    The addresses are made once per page (a bottleneck's differs only in its id) and each date is
    formatted once."""
    partners_of = partner_names(bottlenecks)
    marker = 2**62  # an id no row has, replaced by each row's own
    detail = reverse("governance:bottleneck_detail", args=[chain.slug, marker]).replace(str(marker), "{}")
    body_url = reverse("governance:body_detail", args=[chain.slug, marker]).replace(str(marker), "{}")
    day = lru_cache(maxsize=None)(date_format)
    rows = []
    for bottleneck in bottlenecks:
        body = bottleneck.body
        rows.append(
            format_html(
                ROW,
                detail.format(bottleneck.pk),
                bottleneck.title,
                body_url.format(body.pk),
                body.name,
                body.get_level_display(),
                partners_of.get(bottleneck.pk, "—"),
                bottleneck.owner.full_name,
                timesince(bottleneck.reported_at, now, depth=1),
                clock_html(bottleneck, today, day),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (each row built by format_html)
