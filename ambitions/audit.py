"""What the audit trail records for this app. Figures keep their own cell history (FigureChange),
written by the save paths in bulk as well, which auditlog's per-row signals could not keep up with."""

from auditlog.registry import auditlog

from .models import Ambition, Consent, Indicator, IndicatorVersion, PeriodSubmission

auditlog.register(Ambition)
auditlog.register(Indicator)
auditlog.register(IndicatorVersion, m2m_fields={"reporting_units"})
auditlog.register(Consent)
auditlog.register(PeriodSubmission)
