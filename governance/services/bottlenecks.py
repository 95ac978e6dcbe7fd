"""Bottlenecks on the escalation ladder: reporting one, the body's response, escalating by hand,
the sweep that escalates when a response time has passed, and telling the receiving body.

Exactly once per level (the reliability requirement):

- An escalation is an ``Escalation`` row, unique per (bottleneck, body it left). Escalating by hand
  locks the bottleneck's row, checks it is still open and still at that level, inserts the row and
  restarts the clock at the next body, in one transaction.
- The sweep (``sweep``) takes every bottleneck whose clock ran out with ``SELECT … FOR UPDATE SKIP
  LOCKED`` (so a second sweep running at the same moment passes over the rows the first holds, and
  finds them escalated once it commits), inserts all their escalations in one statement and moves
  them all up in one more, in a single transaction: a worker killed halfway leaves nothing, and the
  next run does the whole level once. The unique constraint is the last line.
- Telling the receiving body's chair and secretary (``send_notices``): per person, one transaction
  inserts the ``EscalationNotice`` rows of the escalations they have not been told about, mails them
  one message and adds the portal notifications (already marked as mailed, so the digest does not
  mail them again), and only then commits. A concurrent run waits on those uncommitted rows and then
  finds them taken; a worker killed before mailing takes its rows with it, so the next run mails —
  once. A refusing mail server rolls back, and the next run retries (for NOTICE_WINDOW).

At the top of the ladder (a body that escalates to no other) an overdue bottleneck is never
escalated: it is flagged on the chain home (``Bottleneck.objects.overdue_at_top``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DateField, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.models import (
    Body,
    Bottleneck,
    BottleneckStatus,
    Escalation,
    EscalationNotice,
)
from governance.models.bottlenecks import due_after
from governance.services import bottleneck_revision, governance_revision
from governance.services.decisions import _reviewers as chairs_and_secretaries
from stakeholders.mail import absolute_url, send_templated_mail
from stakeholders.models import Notification, Person
from stakeholders.working_days import add_working_days

logger = logging.getLogger(__name__)

# Escalations this recent whose receivers were not all told are told by the next run.
NOTICE_WINDOW = timedelta(days=7)

# Queries ``sweep`` runs whatever the number of bottlenecks: the overdue rows, locked (1), their
# target bodies (1), the escalations inserted (1), the bottlenecks moved up (1). Tests hold it
# (plus the savepoint and its release, as they call it inside their own transaction).
SWEEP_QUERIES = 4


class EscalationRefused(Exception):
    """Why a bottleneck cannot be escalated (or responded to) now, in words for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locked(bottleneck: Bottleneck) -> Bottleneck:
    rows = Bottleneck.objects.select_for_update(of=("self",)).select_related("body__escalates_to", "chain")
    return rows.get(pk=bottleneck.pk)


def escalate(bottleneck: Bottleneck, by: Person, reason: str, now: datetime | None = None) -> Escalation:
    """Take the bottleneck up one level by hand, with a reason; the receiving body is told once the
    transaction commits. Raises EscalationRefused for a closed bottleneck, one at the top of the
    ladder, or one that moved meanwhile (escalated by someone else or by the sweep)."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you escalate it.")})
    with transaction.atomic():
        current = _locked(bottleneck)
        if not current.is_open:
            raise EscalationRefused(
                _("This bottleneck is %(status)s: it can no longer be escalated.")
                % {"status": current.get_status_display().lower()}
            )
        if current.body_id != bottleneck.body_id:
            raise EscalationRefused(
                _("This bottleneck has moved to %(body)s meanwhile; look again before escalating it.")
                % {"body": current.body}
            )
        target = current.body.escalates_to
        if target is None:
            raise EscalationRefused(
                _("%(body)s is the top of the escalation ladder: there is no higher level.") % {"body": current.body}
            )
        escalation = Escalation.objects.create(
            bottleneck=current,
            from_body=current.body,
            to_body=target,
            at=now,
            by=by,
            reason=reason.strip(),
            due_on=due_after(target, now),
        )
        current.start_clock(target, now)
        current.save()
        _notify_later()
    bottleneck.refresh_from_db()
    return escalation


def record_response(bottleneck: Bottleneck, by: Person, text: str, now: datetime | None = None) -> None:
    """The response of the body the bottleneck sits at: it stops that level's clock, moves a reported
    bottleneck to being handled, and is kept on the escalation that brought it there."""
    now = now or timezone.now()
    if not text.strip():
        raise ValidationError({"response": _("Write the body's response.")})
    with transaction.atomic():
        current = _locked(bottleneck)
        if not current.is_open:
            raise EscalationRefused(_("This bottleneck is closed: a response is no longer recorded."))
        if current.body_id != bottleneck.body_id:
            raise EscalationRefused(
                _("This bottleneck has moved to %(body)s meanwhile; look again.") % {"body": current.body}
            )
        if current.responded_at is not None:
            raise EscalationRefused(_("A response at this level has been recorded already."))
        current.responded_at, current.response = now, text.strip()
        if current.status == BottleneckStatus.REPORTED:
            current.status = BottleneckStatus.IN_PROGRESS
        current.save()
        arrival = current.escalations.filter(to_body=current.body_id).order_by("-at", "-pk").first()
        if arrival is not None:
            arrival.response, arrival.responded_at, arrival.responded_by = current.response, now, by
            arrival.save()
    bottleneck.refresh_from_db()


# --- The sweep ---------------------------------------------------------------------------------


@dataclass
class SweepResult:
    escalated: int = 0
    notified: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"escalated": self.escalated, "notified": self.notified}


def sweep(now: datetime | None = None, pause: Callable[[], None] | None = None) -> int:
    """Escalate every open bottleneck whose response time passed without a response and that has a
    higher level, once per level, in one transaction and SWEEP_QUERIES queries. ``pause`` (tests
    only) runs before the commit. Returns how many were escalated."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        rows = list(
            Bottleneck.objects.to_escalate(today)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "body_id", "body__escalates_to_id", "chain_id")
        )
        if not rows:
            return 0
        chains = {chain for *_, chain in rows}
        bottleneck_revision.bump(chains)  # the statements below send no signals
        governance_revision.bump(chains)
        targets = Body.objects.filter(pk__in={target for _, _, target, _ in rows}).only("pk", "response_days")
        due = {body.pk: add_working_days(today, body.response_days) for body in targets}
        target_of = {source: target for _, source, target, _ in rows}
        Escalation.objects.bulk_create(
            [
                Escalation(
                    bottleneck_id=pk, from_body_id=source, to_body_id=target, at=now, automatic=True, due_on=due[target]
                )
                for pk, source, target, _ in rows
            ]
        )
        Bottleneck.objects.filter(pk__in=[pk for pk, *_ in rows]).update(
            body_id=Case(*(When(body_id=s, then=Value(t)) for s, t in target_of.items()), output_field=IntegerField()),
            due_on=Case(*(When(body_id=s, then=Value(due[t])) for s, t in target_of.items()), output_field=DateField()),
            level_since=now,
            responded_at=None,
            response="",
        )
        if pause is not None:
            pause()
    return len(rows)


def _notify_later() -> None:
    from governance.tasks import send_escalation_notices  # the tasks import this module

    send_escalation_notices.delay_on_commit()


# --- Telling the receiving body ----------------------------------------------------------------


def send_notices(now: datetime | None = None, pause: Callable[[], None] | None = None) -> int:
    """Mail each receiving body's chair and secretary (the chain's programme managers for a body with
    neither) about every recent escalation they were not told about yet, one mail per person and
    run; returns how many people were mailed. ``pause`` (tests only) runs after claiming, before mailing."""
    now = now or timezone.now()
    escalations = list(
        Escalation.objects.filter(at__gte=now - NOTICE_WINDOW)
        .select_related("bottleneck__chain", "from_body", "to_body")
        .order_by("at", "pk")
    )
    if not escalations:
        return 0
    told = set(EscalationNotice.objects.filter(escalation__in=escalations).values_list("escalation_id", "person_id"))
    receivers = chairs_and_secretaries({escalation.to_body for escalation in escalations})
    waiting: dict[int, tuple[Person, list[Escalation]]] = {}
    for escalation in escalations:
        for person in receivers.get(escalation.to_body_id, []):
            if not person.is_active or person.is_system or (escalation.pk, person.pk) in told:
                continue
            waiting.setdefault(person.pk, (person, []))[1].append(escalation)
    mailed = 0
    for person, pending in waiting.values():
        mailed += _tell(person, pending, now, pause)
    return mailed


def _tell(person: Person, escalations: list[Escalation], now: datetime, pause: Callable[[], None] | None) -> int:
    try:
        with transaction.atomic():
            EscalationNotice.objects.bulk_create(
                [EscalationNotice(escalation=escalation, person=person, sent_at=now) for escalation in escalations]
            )
            if pause is not None:
                pause()
            _mail(person, escalations)
            Notification.objects.bulk_create(
                [
                    Notification(
                        person=person,
                        chain=escalation.bottleneck.chain,
                        text=_text(escalation)[:300],
                        url=escalation.bottleneck.get_absolute_url(),
                        key=f"escalation:{escalation.pk}",
                        mailed_at=now,
                    )
                    for escalation in escalations
                ],
                ignore_conflicts=True,
            )
    except IntegrityError:
        return 0  # another run told them (it committed first)
    except Exception as error:  # a refusing mail server: nothing kept, the next run retries
        logger.warning(
            "escalation notice to person %d failed (%s); the next run retries", person.pk, type(error).__name__
        )
        return 0
    return 1


def _text(escalation: Escalation) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Bottleneck “%(title)s” escalated from %(from)s to %(to)s: a response is due by %(due)s.") % {
            "title": escalation.bottleneck.title,
            "from": escalation.from_body,
            "to": escalation.to_body,
            "due": escalation.due_on.strftime("%d-%m-%Y"),
        }


def _mail(person: Person, escalations: list[Escalation]) -> None:
    items = [
        {
            "title": escalation.bottleneck.title,
            "from_body": escalation.from_body.name,
            "to_body": escalation.to_body.name,
            "why": escalation.why,
            "due": escalation.due_on,
            "url": absolute_url(escalation.bottleneck.get_absolute_url()),
        }
        for escalation in escalations
    ]
    send_templated_mail(
        "emails/escalation", [person.email], {"name": person.get_short_name(), "items": items, "count": len(items)}
    )
