"""The course checks' life cycle and answering (governance/models/course_checks.py).

Life cycle (``sweep``, Celery beat ``run-course-checks``, hourly): per active chain,

1. **open** the check of the current cadence window when the chain has none: windows are
   ``Chain.course_check_cadence_months`` long, counted from January 2000, so a six-month cadence
   opens on 1 January and 1 July. A check closes four weeks after its window opened; a check
   opened late (a new chain, a changed cadence) gets at least two weeks, within its window, and a
   window with less than a week left waits for the next one. Opening creates the check (UNIQUE
   chain + window: two beats cannot both open it), snapshots the respondents and the statements
   and notifies the respondents, in one transaction: a worker killed halfway leaves nothing.
2. **remind**, once, the respondents who have not answered, ``REMIND_DAYS_BEFORE`` days before
   ``closes_on``: a conditional UPDATE of ``reminded_at`` (only where still NULL) and the
   notifications in one transaction.
3. **close** a check after ``closes_on``: a conditional UPDATE of ``status``; then D2's
   ``course_check_results.compute_alert(check)`` for every closed check whose alert is not done
   yet (``alert_notified_at`` NULL, closed in the last ``ALERT_RETRY_DAYS`` days), so a worker
   killed between the two steps is caught up by the next beat (see /work/helpers/d1_d2.md).

Notifications go through stakeholders/notify.py (once per person and key); the daily digest mails them.

Answering (``answer``): only a respondent, only while the check is open and ``closes_on`` has not
passed, every statement scored 1 to 5; a second answer replaces the first. The statements can be
changed (``save_statements``) while no answer is in. Both lock the check's row, so an answer and a
statement change (or the close) never cross.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.models import BodyMember
from governance.models.course_checks import (
    DEFAULT_OPEN_DAYS,
    CourseCheck,
    CourseCheckRespondent,
    CourseCheckScore,
    CourseCheckStatement,
    CourseCheckStatus,
    Dimension,
)
from stakeholders.models import Chain, Person
from stakeholders.notify import notify

logger = logging.getLogger(__name__)

EPOCH_YEAR = 2000
REMIND_DAYS_BEFORE = 3
LATE_MIN_OPEN_DAYS = 14  # a check opened late in its window stays open at least this long
LAST_OPENING_DAYS = 7  # a window with fewer days left than this waits for the next one
ALERT_RETRY_DAYS = 14

# Two statements per dimension when the chain has no earlier check (msgids English, stored in Dutch).
DEFAULT_STATEMENTS = {
    Dimension.CONTENT: (
        _("We share a clear picture of what the chain must achieve."),
        _("The chain's work visibly contributes to our shared goals."),
    ),
    Dimension.PROCEDURE: (
        _("Decisions in the chain are taken in a clear and timely way."),
        _("Agreements made in the chain are kept."),
    ),
    Dimension.RELATIONS: (
        _("The partners trust each other."),
        _("Problems between partners are raised and solved openly."),
    ),
    Dimension.CULTURE: (
        _("In the chain we put the shared result above our own organisation's interest."),
        _("People from different partners work together as one team."),
    ),
}


class CourseCheckRefused(Exception):
    """An answer or a statement change that is not allowed; the message is for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- windows -------------------------------------------------------------------------------


def _month_start(index: int) -> date:
    return date(EPOCH_YEAR + index // 12, index % 12 + 1, 1)


def window(day: date, cadence_months: int) -> tuple[date, date]:
    """The cadence window holding ``day``: its first day and the first day of the next window."""
    months = (day.year - EPOCH_YEAR) * 12 + day.month - 1
    start = months - months % cadence_months
    return _month_start(start), _month_start(start + cadence_months)


def closing_day(opens_on: date, next_opens_on: date, today: date) -> date | None:
    """The last day to answer a check of the window ``opens_on`` opened on ``today``, or None when
    the window has too little time left (the next window's check comes soon)."""
    last_day = next_opens_on - timedelta(days=1)
    if (next_opens_on - today).days < LAST_OPENING_DAYS:
        return None
    closes_on = max(opens_on + timedelta(days=DEFAULT_OPEN_DAYS), today + timedelta(days=LATE_MIN_OPEN_DAYS))
    return min(closes_on, last_day)


def is_answerable(check: CourseCheck, today: date | None = None) -> bool:
    return check.status == CourseCheckStatus.OPEN and (today or timezone.localdate()) <= check.closes_on


# ---- opening -------------------------------------------------------------------------------


def _in_portal_language(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _statements_for(check: CourseCheck) -> list[CourseCheckStatement]:
    previous = (
        CourseCheck.objects.filter(chain_id=check.chain_id, opens_on__lt=check.opens_on).order_by("-opens_on").first()
    )
    if previous is not None:
        copied = [
            CourseCheckStatement(course_check=check, dimension=s.dimension, position=s.position, text=s.text)
            for s in previous.statements.all()
        ]
        if len(copied) == len(Dimension) * 2:
            return copied
    return [
        CourseCheckStatement(course_check=check, dimension=dimension, position=n, text=_in_portal_language(text))
        for dimension, texts in DEFAULT_STATEMENTS.items()
        for n, text in enumerate(texts, start=1)
    ]


def respondents_for(chain: Chain) -> dict[int, int]:
    """Who is asked: person id → the partnership they represent, for everyone holding a current
    seat for a partner in one of the chain's active bodies (one partner per person: the first)."""
    seats = (
        BodyMember.objects.representing()
        .filter(body__chain=chain, body__is_active=True, person__is_active=True, person__is_system=False)
        .order_by("person_id", "partnership_id")
        .values_list("person_id", "partnership_id")
    )
    chosen: dict[int, int] = {}
    for person_id, partnership_id in seats:
        chosen.setdefault(person_id, partnership_id)
    return chosen


def open_check(chain: Chain, today: date, pause: Callable[[], None] | None = None) -> CourseCheck | None:
    """Open the check of ``chain``'s current window if it has none (and the window has time left);
    the new check, or None. Exactly once per chain and window: the unique (chain, opens_on)."""
    opens_on, next_opens_on = window(today, chain.course_check_cadence_months)
    closes_on = closing_day(opens_on, next_opens_on, today)
    if closes_on is None or CourseCheck.objects.filter(chain=chain, opens_on=opens_on).exists():
        return None
    try:
        with transaction.atomic():
            check = CourseCheck.objects.create(chain=chain, opens_on=opens_on, closes_on=closes_on)
            CourseCheckStatement.objects.bulk_create(_statements_for(check))
            asked = respondents_for(chain)
            CourseCheckRespondent.objects.bulk_create(
                CourseCheckRespondent(course_check=check, person_id=person, partnership_id=partnership)
                for person, partnership in asked.items()
            )
            _tell(check, Person.objects.filter(pk__in=asked), reminder=False)
            if pause is not None:
                pause()
    except IntegrityError:  # another run opened it meanwhile (it waited for that run's commit)
        return None
    return check


def _tell(check: CourseCheck, people, reminder: bool) -> int:
    url = reverse("governance:course_check_answer", args=[check.chain.slug, check.pk])
    closes = check.closes_on.strftime("%d-%m-%Y")
    with translation.override(settings.LANGUAGE_CODE):
        if reminder:
            text = gettext("Reminder: answer the course check of %(chain)s before %(day)s.")
        else:
            text = gettext("Is %(chain)s still on course? Answer the course check before %(day)s.")
        text %= {"chain": check.chain.name, "day": closes}
    key = f"course-check-{'reminder' if reminder else 'open'}:{check.pk}"
    return len(notify(people, check.chain, text, url, key=key))


# ---- reminding and closing -----------------------------------------------------------------


def remind(check: CourseCheck, now: datetime | None = None, pause: Callable[[], None] | None = None) -> int:
    """Remind the respondents who have not answered, once per check: the conditional UPDATE of
    ``reminded_at`` and the notifications commit together. The number of people told."""
    now = now or timezone.now()
    with transaction.atomic():
        won = CourseCheck.objects.filter(pk=check.pk, status=CourseCheckStatus.OPEN, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not won:
            return 0
        waiting = check.respondents.waiting().filter(person__isnull=False)
        people = list(Person.objects.filter(pk__in=waiting.values("person_id")))
        waiting.update(reminded_at=now)
        told = _tell(check, people, reminder=True)
        if pause is not None:
            pause()
        return told


def close(check: CourseCheck, now: datetime | None = None) -> bool:
    """Close ``check`` (a conditional UPDATE): True for the one run that closed it."""
    now = now or timezone.now()
    return bool(
        CourseCheck.objects.filter(pk=check.pk, status=CourseCheckStatus.OPEN).update(
            status=CourseCheckStatus.CLOSED, closed_at=now, version=F("version") + 1
        )
    )


def _compute_alert_stub_until_d2(check: CourseCheck) -> None:
    """Stands in for governance.services.course_check_results.compute_alert until D2's exists."""
    return None


def _compute_alert() -> Callable[[CourseCheck], object]:
    try:
        from governance.services.course_check_results import compute_alert
    except ImportError:
        return _compute_alert_stub_until_d2
    return compute_alert


def compute_alerts(now: datetime) -> int:
    """The alert of every check closed lately whose alert is not done (``alert_notified_at`` NULL)."""
    pending = CourseCheck.objects.closed().filter(
        alert_notified_at__isnull=True, closed_at__gte=now - timedelta(days=ALERT_RETRY_DAYS)
    )
    compute = _compute_alert()
    count = 0
    for check in pending.select_related("chain"):
        compute(check)
        count += 1
    return count


@dataclass
class SweepResult:
    opened: int = 0
    reminded: int = 0
    closed: int = 0
    alerts: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"opened": self.opened, "reminded": self.reminded, "closed": self.closed, "alerts": self.alerts}


def sweep(now: datetime | None = None, pause: Callable[[], None] | None = None) -> SweepResult:
    """Open, remind and close every chain's checks as of ``now``; safe to run at any time, twice at
    once, or again after a worker died mid-run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    for check in CourseCheck.objects.still_open().filter(closes_on__lt=today).select_related("chain"):
        result.closed += close(check, now)
    for chain in Chain.objects.filter(Q(bodies__is_active=True)).distinct().order_by("pk"):
        result.opened += open_check(chain, today, pause=pause) is not None
    due = today + timedelta(days=REMIND_DAYS_BEFORE)
    for check in CourseCheck.objects.still_open().filter(reminded_at__isnull=True, closes_on__lte=due):
        result.reminded += remind(check, now, pause=pause)
    result.alerts = compute_alerts(now)
    return result


# ---- answering and the statements ----------------------------------------------------------


def _locked(check: CourseCheck) -> CourseCheck:
    """The check's row, locked against the close, other answers' statement checks and statement edits."""
    return CourseCheck.objects.select_for_update(no_key=True).select_related("chain").get(pk=check.pk)


CLOSED = _("This course check has closed: answers can no longer be given or changed.")
NOT_ASKED = _(
    "You were not asked to answer this course check: the members of the chain's bodies who represent a partner "
    "when it opened are asked."
)
BAD_SCORE = _("Choose a score from 1 to 5.")


def respondent_of(person, check: CourseCheck) -> CourseCheckRespondent | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return CourseCheckRespondent.objects.filter(course_check=check, person=person).order_by("pk").first()


def answer(
    check: CourseCheck,
    person: Person,
    scores: dict[int, int],
    comments: dict[int, str],
    open_answer: str,
    now: datetime | None = None,
) -> CourseCheckRespondent:
    """Save ``person``'s answer (statement id → score 1–5, optional comments) or replace their
    earlier one, while the check is open; ``CourseCheckRefused`` otherwise, and nothing saved."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(check)
        if not is_answerable(locked, timezone.localdate(now)):
            raise CourseCheckRefused(str(CLOSED))
        respondent = (
            CourseCheckRespondent.objects.select_for_update().filter(course_check=locked, person=person).first()
        )
        if respondent is None:
            raise CourseCheckRefused(str(NOT_ASKED))
        statements = list(locked.statements.values_list("pk", flat=True))
        for pk in statements:
            value = scores.get(pk)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                raise CourseCheckRefused(str(BAD_SCORE), field=f"score_{pk}")
        CourseCheckScore.objects.bulk_create(
            [
                CourseCheckScore(respondent=respondent, statement_id=pk, score=scores[pk], comment=comments.get(pk, ""))
                for pk in statements
            ],
            update_conflicts=True,
            unique_fields=["respondent", "statement"],
            update_fields=["score", "comment"],
        )
        respondent.open_answer = open_answer
        respondent.answered_at = now
        respondent.save(update_fields=["open_answer", "answered_at"])
    return respondent


def statements_of(check: CourseCheck) -> list[CourseCheckStatement]:
    """The check's statements in the dimensions' order (content, procedure, relations, culture)."""
    order = {value: n for n, value in enumerate(Dimension.values)}
    return sorted(check.statements.all(), key=lambda s: (order[s.dimension], s.position))


def has_answers(check: CourseCheck) -> bool:
    return check.respondents.answered().exists()


def save_statements(check: CourseCheck, texts: dict[tuple[str, int], str], question: str, version: int) -> CourseCheck:
    """Change the check's statements and open question while no answer is in. ``version`` is the
    check's version the form was loaded with: another change since then is refused, not overwritten."""
    with transaction.atomic():
        locked = _locked(check)
        if locked.version != version:
            raise CourseCheckRefused(
                gettext("Someone else changed the statements meanwhile. Review the current texts and save again.")
            )
        if not is_answerable(locked):
            raise CourseCheckRefused(gettext("This course check has closed: its statements can no longer change."))
        if has_answers(locked):
            raise CourseCheckRefused(
                gettext("Answers are already in: the statements can no longer change, so every answer means the same.")
            )
        for statement in locked.statements.all():
            text = texts.get((statement.dimension, statement.position))
            if text is not None and text != statement.text:
                statement.text = text
                statement.save(update_fields=["text"])
        locked.question = question
        locked.version = F("version") + 1
        locked.save(update_fields=["question", "version"])
        locked.refresh_from_db(fields=["version"])
    return locked


# ---- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerResponse:
    """How many of a partner's people were asked and answered (counts only, never who)."""

    name: str
    asked: int
    answered: int

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0


def response_by_partner(check: CourseCheck) -> list[PartnerResponse]:
    """One query: per partner represented, the number asked and the number that answered."""
    from django.db.models import Count

    rows = (
        check.respondents.values("partnership__organisation__name")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by("partnership__organisation__name")
    )
    return [PartnerResponse(row["partnership__organisation__name"], row["asked"], row["answered"]) for row in rows]


def listed(chain: Chain):
    """The chain's checks, latest first, with the numbers asked and answered (one query)."""
    from django.db.models import Count

    return list(
        CourseCheck.objects.filter(chain=chain).annotate(
            asked=Count("respondents"),
            answered=Count("respondents", filter=Q(respondents__answered_at__isnull=False)),
        )
    )


def waiting_for(user, today: date | None = None) -> list[CourseCheckRespondent]:
    """My work: the open checks ``user`` is asked to answer and has not (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    return list(
        CourseCheckRespondent.objects.waiting()
        .filter(person=user, course_check__status=CourseCheckStatus.OPEN, course_check__closes_on__gte=today)
        .select_related("course_check__chain")
        .order_by("course_check__closes_on", "pk")
    )
