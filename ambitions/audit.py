"""What the audit trail records for this app. Figures keep their own cell history (FigureChange),
written by the save paths in bulk as well, which auditlog's per-row signals could not keep up with."""

from auditlog.registry import auditlog

from .models import Ambition, Consent, ImportJob, Indicator, IndicatorVersion, PeriodSubmission

auditlog.register(Ambition)
auditlog.register(Indicator)
auditlog.register(IndicatorVersion, m2m_fields={"reporting_units"})
auditlog.register(Consent)
auditlog.register(PeriodSubmission)
# A file import: who uploaded which file (name and SHA-256), its steps and counts; not the file
# itself, its preview or its progress counter.
auditlog.register(ImportJob, exclude_fields=["content", "preview", "errors", "notes", "rows_done", "rows_total"])
# Benefits (models/benefits.py): each partner's start and end picture and their assessments.
from .models.benefits import Benefit, BenefitAssessment  # noqa: E402

auditlog.register(Benefit)
auditlog.register(BenefitAssessment)
# The chain map (models/chain_map.py): who saved which steps, their partners, indicators and norms.
from .models.chain_map import ChainMap, MapStep  # noqa: E402

auditlog.register(ChainMap, exclude_fields=["updated_at"])
auditlog.register(MapStep, m2m_fields={"partners"})
