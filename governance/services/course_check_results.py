"""The results of course checks (koerschecks), per partner and for the chain, never per person.

What a closed check shows (docs/partner-health.md, "Course check results and privacy"):

- **per partner and dimension** the score: the average of the scores its respondents gave on that
  dimension's statements; the **chain score** per dimension is the average of all those scores
  (every answer weighs the same, whichever partner gave it);
- the **spread** per dimension: how far the shown partners' scores lie apart (highest minus lowest,
  and the standard deviation), the dimension where partners disagree most first;
- the **trend**: the chain score per dimension in each of the chain's checks up to this one;
- the **response**: per partner and in total, how many were asked and how many answered (counts
  only, also while the check is open);
- the **comments** per dimension and the answers to the open question, for the chain as a whole,
  without partner or name: identical ones once with how often, the most given first, then
  alphabetically (never in the order they came in); the first TEXTS_SHOWN, with how many more.

Privacy (the rules ``_visibility`` applies; the API, the page and the alert all use them):

- nothing is ever computed per person; the queries group by partner (or by check) in the database;
- scores are shown only for a closed check (while it is open, a figure that moves after one answer
  would tell what that person answered);
- with at least ``MIN_PARTNERS`` (3) responding partners every responding partner is shown,
  with the chain score;
- with fewer, the chain score only when at least ``MIN_RESPONDENTS`` (3) people answered, and a
  partner's score only then and when *every* responding partner had at least two respondents
  (else a one-respondent partner's answer follows from the chain score and the other partner's);
- comments and open answers only when partner scores may be shown (so never with fewer than
  ``MIN_RESPONDENTS`` people, nor next to a one-respondent partner below ``MIN_PARTNERS``: a
  comment often names its own organisation).

All results of any number of checks take at most ``QUERIES`` queries (``results_for_many``); a
check's page adds the earlier checks and the texts (at most ``PAGE_QUERIES`` for ``results_for``).
A closed check's figures (response and sums per partner and dimension: aggregates only) and its
grouped texts never change, so they are kept in the cache after the first reading; pages then
skip those queries.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from governance.models.course_checks import (
    CourseCheck,
    CourseCheckRespondent,
    CourseCheckScore,
    CourseCheckStatus,
    Dimension,
)

MIN_PARTNERS = 3  # responding partners from which a one-respondent partner is shown
MIN_RESPONDENTS = 3  # people who answered, before a chain score, comments or open answers show
TREND_CHECKS = 8  # the checks the trend goes back over (this one included)
TEXTS_SHOWN = 30  # comments per dimension, and open answers, on the page (the most given first)
CACHE_SECONDS = 24 * 3600  # a closed check's figures, kept (a renamed partner shows within a day)

# Queries of results_for_many (the response per partner, the scores per partner and dimension),
# of with_trend (plus the earlier checks) and of results_for (plus the comments and open answers).
QUERIES = 2
TREND_QUERIES = QUERIES + 1
PAGE_QUERIES = TREND_QUERIES + 2


@dataclass(frozen=True)
class Text:
    """A comment or open answer as the chain gave it: identical ones once, with how often."""

    text: str
    times: int = 1

    def __str__(self) -> str:
        return self.text


@dataclass
class PartnerResult:
    partnership_id: int
    name: str
    asked: int = 0
    answered: int = 0
    scores: dict[str, Fraction] = field(default_factory=dict)  # dimension → score (shown partners only)
    shown: bool = False

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0

    def score(self, dimension: str) -> Fraction | None:
        return self.scores.get(dimension)

    @property
    def cells(self) -> list[Fraction | None]:
        return [self.scores.get(d) for d in Dimension.values]


@dataclass
class DimensionResult:
    dimension: str
    chain_score: Fraction | None = None
    spread: Fraction | None = None  # highest minus lowest of the shown partners' scores
    deviation: float | None = None  # their (population) standard deviation
    highest: PartnerResult | None = None
    lowest: PartnerResult | None = None
    comments: list[Text] = field(default_factory=list)
    more_comments: int = 0  # past TEXTS_SHOWN

    @property
    def label(self) -> str:
        return str(Dimension(self.dimension).label)


@dataclass
class TrendPoint:
    check_id: int
    opens_on: object  # date
    scores: dict[str, Fraction]  # dimension → chain score (only where enough people answered)

    @property
    def cells(self) -> list[Fraction | None]:
        return [self.scores.get(d) for d in Dimension.values]


@dataclass
class Results:
    check: CourseCheck
    partners: list[PartnerResult]
    dimensions: list[DimensionResult]
    trend: list[TrendPoint] = field(default_factory=list)  # oldest first, this check last
    open_answers: list[Text] = field(default_factory=list)
    more_answers: int = 0  # past TEXTS_SHOWN
    texts_shown: bool = False
    alert: dict[str, str] | None = None  # the stored alert in words: subject and reason (results_for)
    partners_shown: bool = False  # the privacy rules allow partner scores (and so the texts)

    @property
    def closed(self) -> bool:
        return self.check.status == CourseCheckStatus.CLOSED

    @property
    def asked(self) -> int:
        return sum(p.asked for p in self.partners)

    @property
    def answered(self) -> int:
        return sum(p.answered for p in self.partners)

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0

    @property
    def responding_partners(self) -> int:
        return sum(1 for p in self.partners if p.answered)

    @property
    def shown_partners(self) -> list[PartnerResult]:
        return [p for p in self.partners if p.shown]

    @property
    def hidden_partners(self) -> list[PartnerResult]:
        return [p for p in self.partners if p.answered and not p.shown]

    @property
    def chain_shown(self) -> bool:
        return any(d.chain_score is not None for d in self.dimensions)

    @property
    def chain_cells(self) -> list[Fraction | None]:
        return [d.chain_score for d in self.dimensions]

    @property
    def by_disagreement(self) -> list[DimensionResult]:
        """The dimensions with a spread, the one where partners disagree most first."""
        spread = [d for d in self.dimensions if d.spread is not None]
        return sorted(spread, key=lambda d: (-d.spread, Dimension.values.index(d.dimension)))

    def dimension(self, dimension: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.dimension == dimension)

    def previous(self) -> TrendPoint | None:
        """The trend point of the chain's previous closed check (the last one before this check)."""
        before = [p for p in self.trend if p.opens_on < self.check.opens_on]
        return before[-1] if before else None


# --- Computing -----------------------------------------------------------------------------------


def results_for_many(checks: list[CourseCheck]) -> dict[int, Results]:
    """Results per check id: response counts always, scores for closed checks only; no trend and
    no texts (the API's and the alert's part). At most ``QUERIES`` queries whatever the number of
    checks: a closed check's figures never change (answers end at the close), so its response and
    sums per partner and dimension are kept in the cache (``CACHE_SECONDS``) and read from there."""
    if not checks:
        return {}
    keys = {c.pk: _cache_key(c) for c in checks if c.status == CourseCheckStatus.CLOSED and c.closed_at}
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [c for c in checks if keys.get(c.pk) not in found]
    computed = _figures(missing) if missing else {}
    if fresh := {keys[pk]: figures for pk, figures in computed.items() if pk in keys}:
        cache.set_many(fresh, CACHE_SECONDS)
    results = {}
    for check in checks:
        response, sums = computed[check.pk] if check.pk in computed else found[keys[check.pk]]
        partners = {row[0]: PartnerResult(*row) for row in response}
        results[check.pk] = _results(check, partners, sums)
    return results


def _cache_key(check: CourseCheck) -> str:
    return f"course-check-figures:{check.pk}:{check.closed_at.timestamp()}"


def _figures(checks: list[CourseCheck]) -> dict[int, tuple[list[tuple], dict]]:
    """Per check: the response rows (partnership, name, asked, answered) and, for a closed check,
    the sums per partnership and dimension ({partnership: {dimension: (total, count)}}). Two
    queries, grouped in the database."""
    ids = [c.pk for c in checks]
    response: dict[int, list[tuple]] = {pk: [] for pk in ids}
    rows = (
        CourseCheckRespondent.objects.filter(course_check_id__in=ids)
        .values("course_check_id", "partnership_id", "partnership__organisation__name")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    )
    for row in rows:
        response[row["course_check_id"]].append(
            (row["partnership_id"], row["partnership__organisation__name"], row["asked"], row["answered"])
        )
    sums: dict[int, dict[int, dict[str, tuple[int, int]]]] = {pk: {} for pk in ids}
    closed = [c.pk for c in checks if c.status == CourseCheckStatus.CLOSED]
    if closed:
        scores = (
            CourseCheckScore.objects.filter(
                respondent__course_check_id__in=closed, respondent__answered_at__isnull=False
            )
            .values("respondent__course_check_id", "respondent__partnership_id", "statement__dimension")
            .annotate(total=Sum("score"), count=Count("pk"))
            .order_by()
        )
        for row in scores:
            per_partner = sums[row["respondent__course_check_id"]].setdefault(row["respondent__partnership_id"], {})
            per_partner[row["statement__dimension"]] = (row["total"], row["count"])
    return {pk: (response[pk], sums[pk]) for pk in ids}


def _results(check: CourseCheck, partners: dict[int, PartnerResult], sums: dict) -> Results:
    ordered = sorted(partners.values(), key=lambda p: (p.name.lower(), p.partnership_id))
    show_partners, show_chain = _visibility(ordered) if check.status == CourseCheckStatus.CLOSED else (False, False)
    dimensions = []
    for dimension in Dimension.values:
        total = sum(sums.get(p.partnership_id, {}).get(dimension, (0, 0))[0] for p in ordered)
        count = sum(sums.get(p.partnership_id, {}).get(dimension, (0, 0))[1] for p in ordered)
        result = DimensionResult(dimension)
        if show_chain and count:
            result.chain_score = Fraction(total, count)
        dimensions.append(result)
    if show_partners:
        for partner in ordered:
            partner.shown = bool(partner.answered)
            for dimension, (total, count) in sums.get(partner.partnership_id, {}).items():
                if partner.shown and count:
                    partner.scores[dimension] = Fraction(total, count)
        for result in dimensions:
            _spread(result, [p for p in ordered if p.score(result.dimension) is not None])
    return Results(check, ordered, dimensions, partners_shown=show_partners)


def _visibility(partners: list[PartnerResult]) -> tuple[bool, bool]:
    """Whether partner scores, and whether the chain score, may be shown (the module's rules)."""
    responding = [p for p in partners if p.answered]
    people = sum(p.answered for p in responding)
    if len(responding) >= MIN_PARTNERS:
        return True, True
    show_chain = people >= MIN_RESPONDENTS
    show_partners = show_chain and all(p.answered >= 2 for p in responding)  # noqa: PLR2004
    return show_partners, show_chain


def _spread(result: DimensionResult, scored: list[PartnerResult]) -> None:
    if len(scored) < 2:  # noqa: PLR2004 - a spread needs two partners
        return
    values = [p.score(result.dimension) for p in scored]
    result.highest = max(scored, key=lambda p: p.score(result.dimension))
    result.lowest = min(scored, key=lambda p: p.score(result.dimension))
    result.spread = max(values) - min(values)
    result.deviation = statistics.pstdev(float(v) for v in values)


def results_for(check: CourseCheck) -> Results:
    """One check's results for its page: as results_for_many, plus the trend over the chain's
    earlier checks and, for a closed check whose partner scores may be shown, the comments per
    dimension and the open answers. ``PAGE_QUERIES`` queries."""
    from governance.services import course_check_alerts  # noqa: PLC0415 (it uses this module)

    results = with_trend(check)
    if check.alert:
        results.alert = {
            "subject": course_check_alerts.subject(check.opens_on, check.alert),
            "reason": course_check_alerts.reason(check.alert),
        }
    if results.partners_shown:
        results.texts_shown = True
        comments, answers = _texts(check)
        for dimension, text, times in comments:
            result = results.dimension(dimension)
            if len(result.comments) < TEXTS_SHOWN:
                result.comments.append(Text(text, times))
            else:
                result.more_comments += times
        for text, times in answers:
            if len(results.open_answers) < TEXTS_SHOWN:
                results.open_answers.append(Text(text, times))
            else:
                results.more_answers += times
    return results


def _texts(check: CourseCheck) -> tuple[list[tuple], list[tuple]]:
    """The check's comments (dimension, text, times) and open answers (text, times), grouped in the
    database, the most given first; two queries, or none for a closed check read before (its texts
    no longer change either)."""
    key = _cache_key(check).replace("figures", "texts") if check.closed_at else None
    if key and (kept := cache.get(key)) is not None:
        return kept
    comments = list(
        CourseCheckScore.objects.filter(respondent__course_check=check, respondent__answered_at__isnull=False)
        .exclude(comment="")
        .values("statement__dimension", "comment")
        .annotate(times=Count("pk"))
        .order_by("statement__dimension", "-times", "comment")
        .values_list("statement__dimension", "comment", "times")
    )
    answers = list(
        CourseCheckRespondent.objects.filter(course_check=check, answered_at__isnull=False)
        .exclude(open_answer="")
        .values("open_answer")
        .annotate(times=Count("pk"))
        .order_by("-times", "open_answer")
        .values_list("open_answer", "times")
    )
    if key:
        cache.set(key, (comments, answers), CACHE_SECONDS)
    return comments, answers


def with_trend(check: CourseCheck) -> Results:
    """The check's results with the trend: the chain score per dimension of the chain's closed
    checks before it (the last TREND_CHECKS - 1) and of the check itself when closed, oldest first.
    Each point's chain score follows the page's rule (shown only where enough people answered).
    ``TREND_QUERIES`` queries: the earlier checks, then results_for_many over all of them."""
    earlier = list(
        CourseCheck.objects.closed()
        .filter(chain_id=check.chain_id, opens_on__lt=check.opens_on)
        .order_by("-opens_on")
        .only("pk", "chain_id", "opens_on", "status", "closed_at")[: TREND_CHECKS - 1]
    )
    everything = results_for_many([check, *earlier])
    results = everything[check.pk]
    shown = [*reversed(earlier), check] if results.closed else list(reversed(earlier))
    results.trend = [
        TrendPoint(
            c.pk,
            c.opens_on,
            {d.dimension: d.chain_score for d in everything[c.pk].dimensions if d.chain_score is not None},
        )
        for c in shown
    ]
    return results


def compute_alert(check: CourseCheck) -> dict:
    """Called by the close step: see governance/services/course_check_alerts.py."""
    from governance.services.course_check_alerts import compute_alert as alert  # noqa: PLC0415 (it uses this module)

    return alert(check)
