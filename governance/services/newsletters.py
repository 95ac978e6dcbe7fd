"""Drafting the chain's quarterly newsletter, and the programme manager's edits of a draft.

``draft(chain, quarter)`` gathers what happened in the quarter into a new draft edition, in this
order: success stories published that quarter, the indicators that improved most and the
milestones reached (from the roll-ups, by the dashboard's rules), decisions taken, agreements that
came into force (every party signed), new partners (joined that quarter) and events coming up.
Items are copies (title, a plain-text excerpt, a link into the portal), so an edition reads the
same later. The number of queries does not grow with the chain (bench/newsletters.py).

Idempotency: one edition per chain and quarter (the unique constraint ``newsletter_once_per_quarter``);
a repeated or concurrent draft finds the first instead of adding one, and a worker killed mid-draft
leaves nothing (the edition and its items are inserted in one transaction).

Edits (introduction, moving, dropping and restoring items) go through ``_claim``: a conditional
UPDATE on the edition's ``version`` while it is a draft, so a stale page or an edition that has
started sending is refused and nothing changes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

from ambitions.models import ChainAggregate, Direction, Indicator, IndicatorVersion
from ambitions.periods import Period
from ambitions.services import progress
from ambitions.services.display import NumberFormat, value_from_sums
from ambitions.services.versions import pick, versions_in_force
from governance.models import Agreement, AgreementStatus, Decision, DecisionStatus
from governance.models.meetups import Meetup
from governance.models.newsletters import (
    ItemKind,
    Newsletter,
    NewsletterItem,
    NewsletterStatus,
    previous_quarter,
    quarter_end,
)
from governance.models.stories import Story
from stakeholders.models import Chain, Partnership

# How many of each kind an edition takes at most (the programme manager drops what is too much).
MOST_IMPROVED = 3
LIMITS = {
    ItemKind.STORY: 10,
    ItemKind.MILESTONE: 5,
    ItemKind.DECISION: 10,
    ItemKind.AGREEMENT: 10,
    ItemKind.PARTNER: 10,
    ItemKind.EVENT: 5,
}
EXCERPT = 300
# How far ahead "coming up" looks from the drafting moment: the next quarter, and a little more.
EVENTS_AHEAD = timedelta(days=100)

STALE = _("Someone else changed this newsletter in the meantime. Review it as it is now and try again.")
NOT_DRAFT = _("This newsletter is no longer a draft: it can no longer change.")


class NewsletterRefused(Exception):
    """An edit is refused; the message says why."""


@dataclass(frozen=True)
class Draft:
    """One item before it is stored."""

    kind: str
    title: str
    text: str = ""
    link: str = ""


_markdown = MarkdownIt("commonmark", {"html": False})


def plain_excerpt(markdown_text: str, limit: int = EXCERPT) -> str:
    """A story's Markdown as one paragraph of plain text, cut at a word (stored; always escaped when shown)."""
    text = html.unescape(nh3.clean(_markdown.render(markdown_text or ""), tags=set()))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def _url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # a page that does not exist (yet): the item goes without a link
        return ""


def _zone():
    return timezone.get_default_timezone()


def _moments(quarter: date) -> tuple[datetime, datetime]:
    """The quarter as aware datetimes, first instant up to (not including) the next quarter."""
    zone = _zone()
    start = datetime.combine(quarter, time.min, tzinfo=zone)
    end = datetime.combine(quarter_end(quarter) + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _stories(chain: Chain, quarter: date) -> list[Draft]:
    start, end = _moments(quarter)
    stories = (
        Story.objects.published()
        .filter(chain=chain, published_at__gte=start, published_at__lt=end)
        .select_related("chain")
        .order_by("published_at", "pk")[: LIMITS[ItemKind.STORY]]
    )
    return [Draft(ItemKind.STORY, s.title, plain_excerpt(s.body), _url(s)) for s in stories]


@dataclass(frozen=True)
class _Change:
    indicator: Indicator
    version: IndicatorVersion
    before: Decimal
    after: Decimal
    share: Decimal  # the improvement as a share of the way from baseline to target (or of ``before``)


def _values(chain: Chain, quarter: date):
    """Per indicator: its versions and its chain values by period start (one query each)."""
    last = quarter_end(quarter)
    indicators = list(Indicator.objects.filter(ambition__chain=chain).select_related("ambition"))
    versions = versions_in_force([i.pk for i in indicators])
    # Two years back is enough to find the period before the quarter for any frequency.
    rows = ChainAggregate.objects.filter(
        indicator_id__in=list(versions), period__gte=quarter - timedelta(days=731), period__lte=last
    ).values_list("indicator_id", "period", "value_sum", "numerator_sum", "denominator_sum", "reported")
    values: dict[int, dict[date, Decimal]] = {i.pk: {} for i in indicators}
    for indicator_id, period, *sums in rows:
        version = pick(versions[indicator_id], period)
        if version is not None:
            value = value_from_sums(version, *sums)
            if value is not None:
                values[indicator_id][period] = value
    return indicators, versions, values


def _improvements(indicators, versions, values, quarter: date) -> list[_Change]:
    """The quarter's last period with a value against the last one before the quarter, under the
    same definition (a new definition may measure something else), improving in its direction."""
    found = []
    for indicator in indicators:
        series = values[indicator.pk]
        inside = [p for p in series if quarter <= p <= quarter_end(quarter)]
        before = [p for p in series if p < quarter]
        if not inside or not before:
            continue
        now, then = max(inside), max(before)
        version = pick(versions[indicator.pk], now)
        if version is None or pick(versions[indicator.pk], then) is not version:
            continue
        delta = series[now] - series[then]
        if not progress.improving(version, delta):
            continue
        span = abs(version.target_value - version.baseline_value) or abs(series[then]) or Decimal(1)
        found.append(_Change(indicator, version, series[then], series[now], abs(delta) / span))
    found.sort(key=lambda c: (-c.share, c.indicator.name))
    return found[:MOST_IMPROVED]


def _reached(version: IndicatorVersion, value: Decimal, target: Decimal) -> bool:
    return progress.behind_by(version, value, target) <= 0


def _milestones(indicators, versions, values, quarter: date) -> list[tuple[Indicator, IndicatorVersion, date, Decimal]]:
    """A milestone of a stepped trajectory, or the final target, falling in the quarter and met by
    the chain's value of its period."""
    last = quarter_end(quarter)
    found = []
    for indicator in indicators:
        for version in versions[indicator.pk]:
            goals = [(date.fromisoformat(m["period"]), Decimal(str(m["value"]))) for m in version.milestones or []]
            goals.append((version.target_period, version.target_value))
            for when, goal in sorted(set(goals)):
                if not quarter <= when <= last or pick(versions[indicator.pk], when) is not version:
                    continue
                period = Period.containing(when, version.frequency).start
                value = values[indicator.pk].get(period)
                if value is not None and _reached(version, value, goal):
                    found.append((indicator, version, when, goal))
    found.sort(key=lambda m: (m[2], m[0].name))
    return found[: LIMITS[ItemKind.MILESTONE]]


def _indicator_items(chain: Chain, quarter: date) -> list[Draft]:
    indicators, versions, values = _values(chain, quarter)
    fmt = NumberFormat()
    items = []
    for change in _improvements(indicators, versions, values, quarter):
        text = gettext("From %(before)s to %(after)s (%(direction)s).") % {
            "before": fmt.with_unit(change.before, change.version),
            "after": fmt.with_unit(change.after, change.version),
            "direction": gettext("higher is better")
            if change.version.direction == Direction.HIGHER
            else gettext("lower is better"),
        }
        items.append(Draft(ItemKind.INDICATOR, change.indicator.name, text, _indicator_url(chain, change.indicator)))
    for indicator, version, when, goal in _milestones(indicators, versions, values, quarter):
        what = gettext("target") if when == version.target_period else gettext("milestone")
        text = gettext("The %(what)s of %(goal)s for %(period)s is reached.") % {
            "what": what,
            "goal": fmt.with_unit(goal, version),
            "period": Period.containing(when, version.frequency).label(),
        }
        items.append(Draft(ItemKind.MILESTONE, indicator.name, text, _indicator_url(chain, indicator)))
    return items


def _indicator_url(chain: Chain, indicator: Indicator) -> str:
    from django.urls import reverse

    return reverse("ambitions:indicator_detail", args=[chain.slug, indicator.pk])


def _decisions(chain: Chain, quarter: date) -> list[Draft]:
    decisions = (
        Decision.objects.filter(
            chain=chain, status=DecisionStatus.ADOPTED, decided_on__gte=quarter, decided_on__lte=quarter_end(quarter)
        )
        .select_related("body__chain")
        .order_by("decided_on", "pk")[: LIMITS[ItemKind.DECISION]]
    )
    return [
        Draft(
            ItemKind.DECISION,
            d.title,
            gettext("%(body)s, %(day)s.") % {"body": d.body.name, "day": date_format(d.decided_on, "DATE_FORMAT")}
            + (" " + plain_excerpt(d.outcome_statement, 200) if d.outcome_statement else ""),
            _url(d),
        )
        for d in decisions
    ]


def _agreements(chain: Chain, quarter: date) -> list[Draft]:
    start, end = _moments(quarter)
    agreements = (
        Agreement.objects.filter(chain=chain, in_force_since__gte=start, in_force_since__lt=end)
        .exclude(status=AgreementStatus.DRAFT)
        .select_related("chain")
        .order_by("in_force_since", "pk")[: LIMITS[ItemKind.AGREEMENT]]
    )
    return [Draft(ItemKind.AGREEMENT, a.title, plain_excerpt(a.summary, 200), _url(a)) for a in agreements]


def _partners(chain: Chain, quarter: date) -> list[Draft]:
    partnerships = (
        Partnership.objects.filter(chain=chain, joined_on__gte=quarter, joined_on__lte=quarter_end(quarter))
        .select_related("organisation", "chain")
        .order_by("joined_on", "pk")[: LIMITS[ItemKind.PARTNER]]
    )
    return [
        Draft(
            ItemKind.PARTNER,
            p.organisation.name,
            gettext("Joined the chain on %(day)s as %(status)s.")
            % {"day": date_format(p.joined_on, "DATE_FORMAT"), "status": p.get_status_display().lower()},
            _url(p),
        )
        for p in partnerships
    ]


def _events(chain: Chain, after: datetime) -> list[Draft]:
    """Relationship events still to come in the next quarter or so (governance/models/meetups.py)."""
    drafts = []
    coming = Meetup.objects.upcoming(chain, after).filter(starts_at__lt=after + EVENTS_AHEAD).select_related("chain")
    for meetup in coming[: LIMITS[ItemKind.EVENT]]:
        when = date_format(timezone.localtime(meetup.starts_at), "DATETIME_FORMAT")
        drafts.append(Draft(ItemKind.EVENT, meetup.title, f"{when}, {meetup.place}", _url(meetup)))
    return drafts


def gather(chain: Chain, quarter: date, today: date | None = None) -> list[Draft]:
    """What the quarter brought, in the edition's order (in the portal's language: stored text)."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        return [
            *_stories(chain, quarter),
            *_indicator_items(chain, quarter),
            *_decisions(chain, quarter),
            *_agreements(chain, quarter),
            *_partners(chain, quarter),
            *_events(chain, max(_moments(quarter)[1], datetime.combine(today, time.min, tzinfo=_zone()))),
        ]


def default_introduction(chain: Chain, quarter: date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        label = f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"
        return gettext("What the partners of %(chain)s achieved together in %(quarter)s.") % {
            "chain": chain.name,
            "quarter": label,
        }


def draft(chain: Chain, quarter: date, today: date | None = None) -> tuple[Newsletter, bool]:
    """The chain's edition for ``quarter`` (its first day): the existing one, or a new draft.
    Returns the edition and whether it was made now."""
    existing = Newsletter.objects.filter(chain=chain, quarter=quarter).first()
    if existing is not None:
        return existing, False
    drafts = gather(chain, quarter, today)
    try:
        with transaction.atomic():
            newsletter = Newsletter.objects.create(
                chain=chain, quarter=quarter, introduction=default_introduction(chain, quarter)
            )
            _store(newsletter, drafts)
    except IntegrityError:  # drafted at the same moment by another worker: that one stands
        return Newsletter.objects.get(chain=chain, quarter=quarter), False
    return newsletter, True


def _store(newsletter: Newsletter, drafts: Iterable[Draft]) -> None:
    NewsletterItem.objects.bulk_create(
        NewsletterItem(
            newsletter=newsletter,
            kind=d.kind,
            position=n,
            title=d.title[:300],
            text=d.text[:2000],
            link=d.link[:500],
        )
        for n, d in enumerate(drafts, start=1)
    )


def draft_due(today: date | None = None) -> int:
    """Drafts the last quarter's edition for every chain that has none yet (the beat's task).
    Safe to run any number of times. Returns how many editions were made."""
    today = today or timezone.localdate()
    quarter = previous_quarter(today)
    done = set(Newsletter.objects.filter(quarter=quarter).values_list("chain_id", flat=True))
    made = 0
    for chain in Chain.objects.exclude(pk__in=done).order_by("pk"):
        made += draft(chain, quarter, today)[1]
    return made


# --- The programme manager's edits ------------------------------------------------------------


def _claim(newsletter: Newsletter, version: int, **changes) -> None:
    """Raises the version of a draft still at ``version``, with ``changes``; refuses otherwise."""
    updated = Newsletter.objects.filter(pk=newsletter.pk, version=version, status=NewsletterStatus.DRAFT).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        current = Newsletter.objects.filter(pk=newsletter.pk).values_list("status", flat=True).first()
        raise NewsletterRefused(str(NOT_DRAFT if current != NewsletterStatus.DRAFT else STALE))
    newsletter.version = version + 1
    for name, value in changes.items():
        setattr(newsletter, name, value)


def save_introduction(newsletter: Newsletter, text: str, version: int) -> None:
    with transaction.atomic():
        _claim(newsletter, version, introduction=text)


def move(newsletter: Newsletter, item_id: int, up: bool, version: int) -> None:
    """One place up or down among all items (dropped ones keep their place); renumbered 1…n."""
    with transaction.atomic():
        _claim(newsletter, version)
        items = list(newsletter.items.order_by("position", "pk"))
        index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
        if index is None:
            raise NewsletterRefused(str(STALE))
        other = index - 1 if up else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        changed = []
        for number, item in enumerate(items, start=1):
            if item.position != number:
                item.position = number
                changed.append(item)
        NewsletterItem.objects.bulk_update(changed, ["position"])


def set_included(newsletter: Newsletter, item_id: int, included: bool, version: int) -> None:
    with transaction.atomic():
        _claim(newsletter, version)
        if not newsletter.items.filter(pk=item_id).update(included=included):
            raise NewsletterRefused(str(STALE))
