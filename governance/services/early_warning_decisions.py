"""The programme manager's answer to an early warning, and what an accepted one puts on the agenda.

- ``accept``: files the bottleneck the warning proposed (at the chain's lowest active body, where a
  bottleneck is first dealt with, owned by who accepted; for the partners of the units that lag
  most and the indicator, with the forecast in its description) and lets the warning be suggested
  for the agenda of the chain's strategic bodies (``agenda_flags``). Ambitions have no body of
  their own: the steering group owns the chain's ambitions.
- ``dismiss``: needs a reason; records how far the forecast falls short now, so the sweep keeps
  the indicator quiet until it falls shorter still.

Both lock the warning's row and refuse a warning that is no longer proposed (a double click, or
another programme manager a moment earlier) with ``DecisionRefused``, changing nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Body, BodyLevel, Bottleneck, Meeting, SuggestionChoice
from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from governance.services.agenda_flags import AgendaFlag
from governance.services.early_warning import current_gap, forecast_text, lagging_partners, lagging_text
from stakeholders.models import Partnership, Person

SUGGESTION_KIND = "early_warning"  # governance.services.suggestions.SuggestionKind.EARLY_WARNING

# Queries agenda_flags() runs, whatever the number of warnings and answers.
QUERIES = 1


class DecisionRefused(Exception):
    """Why the warning cannot be accepted or dismissed now, in words for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locked(warning: EarlyWarning) -> EarlyWarning:
    rows = EarlyWarning.objects.select_for_update(of=("self",)).select_related(
        "chain", "indicator__ambition", "version", "decided_by"
    )
    current = rows.get(pk=warning.pk)
    if current.status != EarlyWarningStatus.PROPOSED:
        raise DecisionRefused(
            _("This early warning was %(status)s already by %(person)s; nothing was changed.")
            % {
                "status": current.get_status_display().lower(),
                "person": current.decided_by or _("someone else"),
            }
        )
    return current


def first_body(chain_id: int) -> Body | None:
    """The chain's lowest active body (operational before tactical before strategic)."""
    bodies = list(Body.objects.filter(chain_id=chain_id, is_active=True).select_related("chain"))
    return min(bodies, key=lambda b: (BodyLevel.rank(b.level), b.name.lower(), b.pk), default=None)


def accept(warning: EarlyWarning, by: Person, note: str = "", now: datetime | None = None) -> Bottleneck:
    """File the proposed bottleneck; the warning becomes accepted and goes on the strategic agenda."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _locked(warning)
        body = first_body(current.chain_id)
        if body is None:
            raise DecisionRefused(
                _("The chain has no active body to report the bottleneck to. Set up a body first (Governance).")
            )
        indicator = current.indicator
        description = "\n\n".join(
            part
            for part in (
                _("Early warning from the forecast for %(period)s.") % {"period": current.period_obj.label()},
                forecast_text(current) + ".",
                lagging_text(current),
                note.strip(),
            )
            if part
        )
        bottleneck = Bottleneck(
            chain=current.chain,
            title=_("%(indicator)s is heading off target") % {"indicator": indicator.name},
            description=description,
            body=body,
            owner=by,
            reported_by=by,
            reported_at=now,
            level_since=now,
        )
        bottleneck.save()
        bottleneck.indicators.set([indicator])
        partners = Partnership.objects.filter(chain_id=current.chain_id, organisation_id__in=lagging_partners(current))
        bottleneck.partners.set(partners)
        current.status = EarlyWarningStatus.ACCEPTED
        current.reason = note.strip()
        current.decided_by, current.decided_at = by, now
        current.bottleneck = bottleneck
        current.save(update_fields=["status", "reason", "decided_by", "decided_at", "bottleneck"])
    warning.refresh_from_db()
    return bottleneck


def dismiss(warning: EarlyWarning, by: Person, reason: str, now: datetime | None = None) -> None:
    """Dismiss with a reason; the sweep stays quiet until the forecast falls shorter than now."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you dismiss this early warning.")})
    with transaction.atomic():
        current = _locked(warning)
        gap = current_gap(current.indicator, timezone.localdate(now))
        current.status = EarlyWarningStatus.DISMISSED
        current.reason = reason.strip()
        current.decided_by, current.decided_at = by, now
        current.gap_at_dismissal = max(current.gap, gap) if gap is not None else current.gap
        current.save(update_fields=["status", "reason", "decided_by", "decided_at", "gap_at_dismissal"])
    warning.refresh_from_db()


# --- The agenda ----------------------------------------------------------------------------------


def agenda_flags(meeting: Meeting, today: date) -> list[AgendaFlag]:
    """For a meeting of a strategic body (``meeting.body`` loaded): the chain's accepted warnings
    still at work (their bottleneck open) that no other meeting of the body answered yet. One query."""
    if meeting.body.level != BodyLevel.STRATEGIC:
        return []
    key = Concat(Value(f"{SUGGESTION_KIND}:"), Cast(OuterRef("pk"), CharField()))
    answered = SuggestionChoice.objects.filter(meeting__body_id=meeting.body_id, key=key).exclude(meeting_id=meeting.pk)
    warnings = (
        EarlyWarning.objects.filter(chain_id=meeting.body.chain_id, status=EarlyWarningStatus.ACCEPTED)
        .active()
        .exclude(Exists(answered))
        .select_related("indicator", "version")
        .order_by("-period", "pk")
    )
    return [
        AgendaFlag(
            warning.pk,
            _("Early warning: %(indicator)s is heading off target") % {"indicator": warning.indicator.name},
            " ".join(part for part in (forecast_text(warning) + ".", lagging_text(warning)) if part),
        )
        for warning in warnings
    ]
