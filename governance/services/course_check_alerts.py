"""Course checks whose alert belongs on the strategic body's agenda (a dimension's chain score
dropped by 0.5 or more since the last check, or a partner scores a dimension 2 or lower): see
governance/services/agenda_flags.py."""

from __future__ import annotations

from datetime import date

from governance.models import Meeting
from governance.services.agenda_flags import AgendaFlag

# Queries agenda_flags() runs, whatever the number of checks and answers.
QUERIES = 0


def agenda_flags(meeting: Meeting, today: date) -> list[AgendaFlag]:
    """For a meeting of a strategic body (``meeting.body`` loaded, with its chain)."""
    return []
