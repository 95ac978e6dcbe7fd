"""Governance: bodies, meetings (agenda, attendance, minutes), decisions by consent, actions and agreements."""

from . import (
    course_checks,  # noqa: F401  (model module; import its classes from governance.models.course_checks)
    early_warnings,  # noqa: F401  (model module; import its classes from governance.models.early_warnings)
    meetups,  # noqa: F401  (model module; import its classes from governance.models.meetups)
    newsletters,  # noqa: F401  (model module; import its classes from governance.models.newsletters)
    public_page,  # noqa: F401  (model module; import its classes from governance.models.public_page)
    stories,  # noqa: F401  (model module; import its classes from governance.models.stories)
    subscribers,  # noqa: F401  (model module; import its classes from governance.models.subscribers)
)
from .actions import ActionItem, ActionStatus
from .agreements import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    PartyRole,
    Signature,
    SignatureLockedError,
    VersionSignedError,
)
from .bodies import Body, BodyLevel, BodyMember, DecisionRule, MemberPosition
from .bottlenecks import (
    Bottleneck,
    BottleneckComment,
    BottleneckQuerySet,
    BottleneckStatus,
    Escalation,
    EscalationNotice,
    Severity,
)
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
    "Agreement",
    "AgreementKind",
    "AgreementParty",
    "AgreementStatus",
    "AgreementVersion",
    "PartyRole",
    "Signature",
    "SignatureLockedError",
    "VersionSignedError",
    "ActionItem",
    "ActionStatus",
    "AgendaItem",
    "AgendaItemStatus",
    "Attendance",
    "AttendanceStatus",
    "Body",
    "BodyLevel",
    "BodyMember",
    "Bottleneck",
    "BottleneckComment",
    "BottleneckQuerySet",
    "BottleneckStatus",
    "CalendarFeed",
    "Decision",
    "DecisionPosition",
    "DecisionRule",
    "DecisionStatus",
    "DecisionWay",
    "Escalation",
    "EscalationNotice",
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
    "Severity",
    "SuggestionChoice",
]
