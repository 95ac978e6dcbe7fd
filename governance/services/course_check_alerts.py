"""Course checks whose alert belongs on the strategic body's agenda (a dimension's chain score
dropped by 0.5 or more since the last check, or a partner scores a dimension 2 or lower): see
governance/services/agenda_flags.py.

``compute_alert(check)`` runs when a check closes (the close step of the course checks' task):
it works out the alert from the results (governance/services/course_check_results.py: the same
privacy rules as the page, so a partner the page hides is never named in an alert), stores it on
``check.alert`` with ``alert_notified_at`` (the mark that it is done, also without an alert) and
notifies the chain's programme managers once (key ``course-check-alert:<pk>``). Calling it again
changes nothing: the alert is written once, by a conditional UPDATE, and notify is idempotent.

``agenda_flags(meeting, today)`` gives a strategic body's meeting one flag for the chain's latest
closed check when that check's alert went off, unless a meeting of the body answered that
suggestion before (accepted or dismissed): the steering group hears of each alert once.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from governance.models import Meeting, SuggestionChoice
from governance.models.course_checks import CourseCheck, CourseCheckStatus, Dimension
from governance.services.agenda_flags import AgendaFlag
from governance.services.course_check_results import Results, with_trend
from stakeholders.models import Membership, Role
from stakeholders.notify import notify

# Queries agenda_flags() runs, whatever the number of checks and answers.
QUERIES = 1

DROP = Fraction(1, 2)  # a chain score this much lower than at the previous closed check alerts
LOW = 2  # a partner's score at or below this alerts

SUGGESTION_KIND = "course_check"  # governance.services.suggestions.SuggestionKind.COURSE_CHECK


def findings(results: Results) -> dict:
    """The alert of a closed check's results: ``{"drops": [...], "low": [...]}``, or ``{}``.

    A drop compares the chain score per dimension with the previous closed check's (both shown,
    so both answered by enough people); a low score is a *shown* partner's (privacy rules)."""
    previous = results.previous()
    drops = []
    for result in results.dimensions:
        was = previous.scores.get(result.dimension) if previous else None
        now = result.chain_score
        if was is not None and now is not None and was - now >= DROP:
            drops.append({"dimension": result.dimension, "was": _plain(was), "now": _plain(now)})
    low = [
        {
            "partnership": partner.partnership_id,
            "partner": partner.name,
            "dimension": dimension,
            "score": _plain(partner.scores[dimension]),
        }
        for partner in results.shown_partners
        for dimension in Dimension.values
        if dimension in partner.scores and partner.scores[dimension] <= LOW
    ]
    if not drops and not low:
        return {}
    return {"drops": drops, "low": low}


def _plain(value: Fraction) -> float:
    return round(float(value), 2)


def compute_alert(check: CourseCheck) -> dict:
    """Work out and store a closed check's alert and tell the programme managers; idempotent.

    ``alert_notified_at`` marks it done (also when no alert went off), set by a conditional UPDATE
    in the same transaction as the notification: two workers never both tell."""
    with transaction.atomic():
        check = CourseCheck.objects.select_related("chain").get(pk=check.pk)
        if check.status != CourseCheckStatus.CLOSED:
            return {}
        if check.alert_notified_at is not None:
            return check.alert  # worked out once, when it closed
        alert = findings(with_trend(check))
        done = CourseCheck.objects.filter(pk=check.pk, alert_notified_at__isnull=True).update(
            alert=alert, alert_notified_at=timezone.now()
        )
        if done and alert:
            _notify(check, alert)
    return alert


def _notify(check: CourseCheck, alert: dict) -> None:
    managers = [
        m.person
        for m in Membership.objects.filter(chain=check.chain, role=Role.PROGRAMME_MANAGER).select_related("person")
    ]
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Course check alert: %(subject)s. It is suggested for the steering group's agenda.") % {
            "subject": subject(check.opens_on, alert)
        }
    url = reverse("governance:course_check_results", args=[check.chain.slug, check.pk])
    notify(managers, check.chain, text, url, key=f"course-check-alert:{check.pk}")


# --- Words ---------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return number_format(value, 1)


def _dimension(key: str) -> str:
    return str(Dimension(key).label).lower()


def subject(opens_on: date, alert: dict) -> str:
    """E.g. "Koerscheck juni 2026: relaties 3,1 (was 3,8)"."""
    parts = [
        _("%(dimension)s %(now)s (was %(was)s)")
        % {"dimension": _dimension(d["dimension"]), "now": _number(d["now"]), "was": _number(d["was"])}
        for d in alert.get("drops", [])
    ]
    parts += [
        _("%(partner)s %(dimension)s %(score)s")
        % {"partner": low["partner"], "dimension": _dimension(low["dimension"]), "score": _number(low["score"])}
        for low in alert.get("low", [])
    ]
    return _("Course check %(month)s: %(findings)s") % {
        "month": date_format(opens_on, "YEAR_MONTH_FORMAT"),
        "findings": ", ".join(parts),
    }


def reason(alert: dict) -> str:
    """Why the check is on the agenda, in words."""
    sentences = [
        _("The chain's score on %(dimension)s dropped from %(was)s to %(now)s since the previous course check.")
        % {"dimension": _dimension(d["dimension"]), "was": _number(d["was"]), "now": _number(d["now"])}
        for d in alert.get("drops", [])
    ]
    sentences += [
        _("%(partner)s scores %(dimension)s %(score)s (2 or lower).")
        % {"partner": low["partner"], "dimension": _dimension(low["dimension"]), "score": _number(low["score"])}
        for low in alert.get("low", [])
    ]
    return " ".join(sentences)


# --- The agenda ----------------------------------------------------------------------------------


def agenda_flags(meeting: Meeting, today: date) -> list[AgendaFlag]:
    """For a meeting of a strategic body (``meeting.body`` loaded, with its chain): the chain's
    latest closed check, when its alert went off and no other meeting of the body answered the
    suggestion yet. One query."""
    key = Concat(Value(f"{SUGGESTION_KIND}:"), Cast(OuterRef("pk"), CharField()))
    answered = SuggestionChoice.objects.filter(meeting__body_id=meeting.body_id, key=key).exclude(meeting_id=meeting.pk)
    latest = (
        CourseCheck.objects.filter(chain_id=meeting.body.chain_id, status=CourseCheckStatus.CLOSED)
        .annotate(answered=Exists(answered))
        .order_by("-opens_on")
        .values_list("pk", "opens_on", "alert", "answered")
        .first()
    )
    if latest is None:
        return []
    pk, opens_on, alert, was_answered = latest
    if not alert or was_answered:
        return []
    return [AgendaFlag(pk, subject(opens_on, alert), reason(alert))]
