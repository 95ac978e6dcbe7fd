"""Governance: bodies, meetings (agenda, attendance, minutes), decisions by consent and actions."""

from .actions import ActionItem, ActionStatus
from .bodies import Body, BodyLevel, BodyMember, DecisionRule, MemberPosition
from .decisions import Decision, DecisionPosition, DecisionStatus, DecisionWay, PositionKind
from .meetings import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Meeting,
    MeetingNotice,
    MeetingSeries,
    MeetingStatus,
    MinutesLockedError,
    MinutesReopening,
    NoticeKind,
    NoticeStatus,
    SeriesFrequency,
    SuggestionChoice,
)

__all__ = [
    "ActionItem",
    "ActionStatus",
    "AgendaItem",
    "AgendaItemStatus",
    "Attendance",
    "AttendanceStatus",
    "Body",
    "BodyLevel",
    "BodyMember",
    "CalendarFeed",
    "Decision",
    "DecisionPosition",
    "DecisionRule",
    "DecisionStatus",
    "DecisionWay",
    "Meeting",
    "MeetingNotice",
    "MeetingSeries",
    "MeetingStatus",
    "MemberPosition",
    "MinutesLockedError",
    "MinutesReopening",
    "NoticeKind",
    "NoticeStatus",
    "PositionKind",
    "SeriesFrequency",
    "SuggestionChoice",
]
