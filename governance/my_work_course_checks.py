"""What course checks add to *My work* (registered in governance/apps.py): the open checks I am
asked to answer and have not (one query, governance/services/course_checks.py)."""

from __future__ import annotations

from governance.services.course_checks import waiting_for


def items(user) -> dict:
    return {"course_checks_waiting": waiting_for(user)}
