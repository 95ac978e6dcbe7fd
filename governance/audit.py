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
    Decision,
    DecisionPosition,
    Meeting,
    MeetingSeries,
    MinutesReopening,
    Signature,
)

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

# Agreements (models/agreements.py): every change to an agreement and its parties; versions and
# signatures as they are made (a signature is never changed, a signed version's content neither).
auditlog.register(Agreement)
auditlog.register(AgreementParty)
auditlog.register(AgreementVersion)
# The mandate stays on the signature itself (shown with it); naming it in the history would cost a
# query per mandate (its organisation), so the page's queries would grow with its signatures.
auditlog.register(Signature, exclude_fields=["mandate"])
