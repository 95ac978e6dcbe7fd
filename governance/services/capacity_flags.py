"""Capacity assessments that belong on the strategic body's agenda (a score of 2 or lower, or a
drop of 2): see governance/services/agenda_flags.py.

For each current core partner of the meeting's chain, its latest assessment is judged against the
one before it by the model's rule (stakeholders.models.capacity.flags). A flagged assessment is
suggested once per body: after the body answered it at one of its meetings (accepted onto an agenda
or dismissed), it is not suggested again until a newer assessment is flagged. One query: the latest
two assessments per partner by a window function, with whether the body answered them.
"""

from __future__ import annotations

from datetime import date

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from governance.models import AgendaItem, Meeting, SuggestionChoice
from governance.services.agenda_flags import AgendaFlag
from stakeholders.models import Partnership
from stakeholders.models.capacity import CapacityAssessment, flags

# Queries agenda_flags() runs, whatever the number of partners and assessments.
QUERIES = 1

KIND = "capacity"  # governance.services.suggestions.SuggestionKind.CAPACITY (its keys: "capacity:<id>")


def agenda_flags(meeting: Meeting, today: date) -> list[AgendaFlag]:
    """For a meeting of a strategic body (``meeting.body`` loaded, with its chain)."""
    body = meeting.body
    key = Concat(Value(f"{KIND}:"), Cast(OuterRef("pk"), CharField()))
    answered = Exists(
        SuggestionChoice.objects.filter(meeting__body=body.pk, key=key).exclude(meeting=meeting.pk)
    ) | Exists(AgendaItem.objects.filter(meeting__body=body.pk, suggestion_key=key).exclude(meeting=meeting.pk))
    partners = Partnership.objects.filter(chain=body.chain_id).bound().current()
    rows = (
        CapacityAssessment.objects.filter(partnership__in=partners)
        .latest_per_partner(2)
        .annotate(answered=answered)
        .select_related("partnership__organisation")
        .order_by("partnership__organisation__name", "-period_start")
    )
    recent: dict[int, list[CapacityAssessment]] = {}
    for assessment in rows:
        recent.setdefault(assessment.partnership_id, []).append(assessment)
    found = []
    for latest, *before in recent.values():
        if latest.answered:
            continue
        flagged = flags(latest.scores, before[0].scores if before else None)
        if not flagged:
            continue
        organisation = latest.partnership.organisation
        parts = [
            _("%(dimension)s %(score)s (was %(previous)s)")
            % {"dimension": _lower_first(f.label), "score": f.score, "previous": f.previous}
            if f.previous is not None and f.previous != f.score
            else f"{_lower_first(f.label)} {f.score}"
            for f in flagged
        ]
        found.append(
            AgendaFlag(
                latest.pk,
                _("Capacity %(partner)s: %(scores)s") % {"partner": organisation.name, "scores": ", ".join(parts)},
                _("%(partner)s's latest capacity assessment: %(flags)s.")
                % {"partner": organisation.name, "flags": "; ".join(f.words for f in flagged)},
            )
        )
    return found


def _lower_first(label: str) -> str:
    """ "Data en IT" → "data en IT" (a label inside a sentence)."""
    return label[:1].lower() + label[1:]
