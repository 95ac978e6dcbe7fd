"""Ambitions, indicators (with immutable versions), figures and their roll-ups."""

from . import (
    benefits,  # noqa: F401  (model module; import its classes from ambitions.models.benefits)
    chain_map,  # noqa: F401  (model module; import its classes from ambitions.models.chain_map)
)
from .aggregates import ChainAggregate, OrganisationAggregate
from .definitions import (
    Ambition,
    Consent,
    ConsentPosition,
    Direction,
    EntryDates,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    LockedVersionError,
    Trajectory,
    VersionComment,
    VersionStatus,
)
from .delivery import AgreedDays, Channel, DeliveryTerms, ReopenBy, TermsState
from .figures import Figure, FigureChange, FigureSource, PeriodSubmission, SubmissionStatus
from .imports import ImportJob, ImportStatus
from .proposals import EventKind, ProposalEvent, ProposalRound
from .reports import ProgressReport, ReportCommentary, ReportStatus

__all__ = [
    "AgreedDays",
    "Ambition",
    "Channel",
    "DeliveryTerms",
    "ReopenBy",
    "TermsState",
    "ChainAggregate",
    "Consent",
    "ConsentPosition",
    "Direction",
    "EntryDates",
    "EventKind",
    "Figure",
    "FigureChange",
    "FigureSource",
    "Indicator",
    "IndicatorKind",
    "ImportJob",
    "ImportStatus",
    "IndicatorVersion",
    "LockedVersionError",
    "OrganisationAggregate",
    "PeriodSubmission",
    "ProposalEvent",
    "ProposalRound",
    "ProgressReport",
    "ReportCommentary",
    "ReportStatus",
    "SubmissionStatus",
    "Trajectory",
    "VersionComment",
    "VersionStatus",
]
