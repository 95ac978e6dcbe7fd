"""What the audit trail records for governance: every change to bodies, seats, meetings, minutes,
decisions, positions (a change of position: who, when, from what to what) and actions."""

from auditlog.registry import auditlog

from .models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Attendance,
    Body,
    BodyMember,
    Bottleneck,
    BottleneckComment,
    Decision,
    DecisionPosition,
    Escalation,
    Meeting,
    MeetingSeries,
    MinutesReopening,
    Signature,
)
from .models.course_checks import CourseCheck, CourseCheckStatement
from .models.early_warnings import EarlyWarning
from .models.public_page import PublicPage

auditlog.register(Body)
auditlog.register(BodyMember)
auditlog.register(MeetingSeries)
auditlog.register(Meeting)
auditlog.register(AgendaItem)
auditlog.register(Attendance)
auditlog.register(MinutesReopening)
# chain and filed_on follow from body and dates: no change of their own.
auditlog.register(Decision, exclude_fields=["chain", "filed_on"])
# recorded_at is the entry's own time: as a change of its own it would only repeat it.
auditlog.register(DecisionPosition, exclude_fields=["recorded_at"])
auditlog.register(ActionItem)

# Bottlenecks (models/bottlenecks.py): every change, the partners and indicators they concern
# included; escalations and comments as they are made. The sweep's automatic escalations are
# written set-based (no per-row signal): their Escalation rows are the record of those steps.
auditlog.register(Bottleneck, m2m_fields={"partners", "indicators"})
auditlog.register(Escalation)
auditlog.register(BottleneckComment)

# Agreements (models/agreements.py): every change to an agreement and its parties; versions and
# signatures as they are made (a signature is never changed, a signed version's content neither).
auditlog.register(Agreement)
auditlog.register(AgreementParty)
auditlog.register(AgreementVersion)
# The mandate stays on the signature itself (shown with it); naming it in the history would cost a
# query per mandate (its organisation), so the page's queries would grow with its signatures. The
# IP address and browser are evidence kept on the signature, not for everyone who reads the history.
auditlog.register(Signature, exclude_fields=["mandate", "ip_address", "user_agent"])

# Course checks (models/course_checks.py): the check and its statements. NOT the respondents and
# their scores: the audit trail is shown on pages and would tell who answered what, and nobody's
# individual answer is ever shown (docs/partner-health.md, "Course checks").
auditlog.register(CourseCheck)
auditlog.register(CourseCheckStatement)

# The public page (models/public_page.py): switching it on or off, its decision, its indicators and
# whether units show — who published what, and on which decision. updated_at is the cache stamp.
auditlog.register(PublicPage, exclude_fields=["updated_at"], m2m_fields={"indicators"})

# Early warnings (models/early_warnings.py): who accepted or dismissed one, when and why. The
# lagging units are a snapshot made when it was raised (in bulk, so not recorded) and never change.
auditlog.register(EarlyWarning, exclude_fields=["lagging"])
