"""Capacity assessments that belong on the strategic body's agenda (a score of 2 or lower, or a
drop of 2): see governance/services/agenda_flags.py."""

from __future__ import annotations

from datetime import date

from governance.models import Meeting
from governance.services.agenda_flags import AgendaFlag

# Queries agenda_flags() runs, whatever the number of partners and assessments.
QUERIES = 0


def agenda_flags(meeting: Meeting, today: date) -> list[AgendaFlag]:
    """For a meeting of a strategic body (``meeting.body`` loaded, with its chain)."""
    return []
