"""Written decisions that cannot stall (issue 15): reminders before and on the closing date, and
the chain's silence rule at closing.

- **Reminders** (``send_reminders``, beat ``send-written-decision-reminders``, each morning): for
  an open written decision (DecisionWay.WRITTEN), the chain's reminder lead time
  (``Chain.consent_reminder_days``, the same as for indicator proposals) in working days before its
  closing date one reminder, and on the closing date one more, to whoever may record the
  position of each represented partner that has not taken one in the current round
  (policy.speakers_for: members, alternates, stand-ins). A notification's key names the decision,
  the round and which reminder, so however often the sweep runs (or two at once) nobody is told
  twice; the daily digest mails them. No reminder before the day when the round was asked within
  those working days (being asked was the reminder).
- **Silence at closing** (``at_closing``, called by decisions.close for a written decision whose
  closing date has passed): where the chain's rule is "silence is consent"
  (stakeholders.models.SilenceRule.CONSENT), each represented core partner that did not answer the
  current round gets a position "consent by silence" (``DecisionPosition.by_silence``, recorded by
  who closes), shown as such and never as an active yes; the body's rule then counts it. Where
  silence is not consent (the default) nothing is added: the decision closes as before, and its
  outcome statement lists who stayed silent.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from governance.models import Decision, DecisionPosition, DecisionStatus, DecisionWay, PositionKind
from governance.policy import speakers_for
from stakeholders.models import Partnership, Person, SilenceRule
from stakeholders.notify import notify
from stakeholders.working_days import working_days_between


def _silent(decision: Decision) -> list[Partnership]:
    """The represented partners without a position in the decision's current round, by name."""
    from governance.services.decisions import represented

    answered = set(decision.positions.filter(round=decision.round).values_list("partnership_id", flat=True))
    return [partnership for partnership in represented(decision.body) if partnership.pk not in answered]


def reminder_key(decision: Decision, which: str) -> str:
    return f"decision-reminder:{decision.pk}:{decision.round}:{which}"


def due_reminder(decision: Decision, today: date) -> str | None:
    """Which reminder the written decision is due for today: "before", "day" or None."""
    if decision.way != DecisionWay.WRITTEN or decision.status != DecisionStatus.OPEN:
        return None
    if decision.closes_on == today:
        return "day"
    lead_time = decision.body.chain.consent_reminder_days
    if today < decision.closes_on and working_days_between(today, decision.closes_on) <= lead_time:
        asked = timezone.localdate(decision.created_at)
        if decision.round == 1 and working_days_between(asked, decision.closes_on) <= lead_time:
            return None  # asked within the reminder's window: that was the reminder
        return "before"
    return None


def send_reminders(today: date | None = None) -> int:
    """Remind who may still record a missing position on an open written decision (see the module's
    docstring). Returns how many notifications were created."""
    today = today or timezone.localdate()
    decisions = Decision.objects.filter(
        status=DecisionStatus.OPEN, way=DecisionWay.WRITTEN, closes_on__gte=today
    ).select_related("body__chain")
    sent = 0
    for decision in decisions:
        which = due_reminder(decision, today)
        if which is None:
            continue
        body = decision.body
        people: dict[int, Person] = {}
        for partnership in _silent(decision):
            people.update((person.pk, person) for person in speakers_for(body, partnership, today))
        if not people:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            values = {"title": decision.title, "body": body, "date": date_format(decision.closes_on, "DATE_FORMAT")}
            if which == "day":
                text = _("Today is the closing date of “%(title)s” in %(body)s: your partner's position is missing.")
            else:
                text = _("Your partner's position on “%(title)s” in %(body)s is still missing; it closes on %(date)s.")
            text %= values
        url = reverse("governance:decision_detail", args=[body.chain.slug, decision.pk])
        sent += len(notify(people.values(), body.chain, text, url, key=reminder_key(decision, which)))
    return sent


def silence_preview(decision: Decision, today: date) -> str:
    """What closing the decision now will add for its silent partners (the close page shows it
    before the outcome, which does not count them yet), or ""."""
    if decision.way != DecisionWay.WRITTEN or decision.closes_on >= today or not decision.is_open:
        return ""
    silent = _silent(decision)
    if decision.body.chain.silence_rule == SilenceRule.CONSENT:
        silent = [partnership for partnership in silent if partnership.is_bound]
        if silent:
            return _(
                "Silence is consent in this chain: closing records %(partners)s as consenting by silence, and the "
                "body's rule counts that."
            ) % {"partners": ", ".join(str(p.organisation) for p in silent)}
        return ""
    if silent:
        return _(
            "Silence is not consent in this chain: the outcome statement will list who stayed silent: %(partners)s."
        ) % {"partners": ", ".join(str(p.organisation) for p in silent)}
    return ""


def at_closing(decision: Decision, person: Person, today: date) -> str:
    """Apply the chain's silence rule to a written decision closed after its closing date (the
    decision's row locked by the caller, in its transaction). Returns a sentence for the outcome
    statement naming who stayed silent, or "" when nobody did (or it does not apply)."""
    if decision.way != DecisionWay.WRITTEN or decision.closes_on >= today:
        return ""
    silent = _silent(decision)
    if not silent:
        return ""
    names = ", ".join(str(partnership.organisation) for partnership in silent)
    with translation.override(settings.LANGUAGE_CODE):
        if decision.body.chain.silence_rule != SilenceRule.CONSENT:
            return _("Silent until the closing date (silence is not consent): %(partners)s.") % {"partners": names}
        core = [partnership for partnership in silent if partnership.is_bound]
        for partnership in core:  # one by one: the audit trail records each
            DecisionPosition.objects.create(
                decision=decision,
                round=decision.round,
                partnership=partnership,
                kind=PositionKind.CONSENT,
                by_silence=True,
                recorded_by=person,
            )
        if not core:
            return ""
        return _("Consent by silence (no answer by the closing date; the chain's rule): %(partners)s.") % {
            "partners": ", ".join(str(partnership.organisation) for partnership in core)
        }
