"""What the chain's self-checks put on its steering group's agenda (issue 13).

Capacity (governance/services/capacity_flags.py) and course checks
(governance/services/course_check_alerts.py) each say, for a meeting of a *strategic* body, which of
their findings deserve an agenda item. They answer with ``AgendaFlag``s — plain values, no words
made yet — and governance/services/suggestions.py turns them into suggestions, so the suggestion
machinery (keys, accept, dismiss, never twice) stays in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgendaFlag:
    object_id: int  # the flagged object's id (a capacity assessment, a course check): the suggestion's key
    subject: str  # the agenda item's title when accepted
    reason: str  # why it is suggested, in words (already translated: made only for strategic bodies' few flags)
