"""Who collaborates in a chain, and how: organisations, units, chains, partners, people, mandates."""

# Issue 13's models are imported from their own modules (stakeholders.models.register, …).
from . import capacity, contributions, register  # noqa: F401  (model modules)
from .api_tokens import ApiToken, IdempotentRequest, TokenState
from .chains import BOUND_STATUSES, Chain, ChainKind, Partnership, PartnershipRole, PartnershipStatus, SilenceRule
from .mandates import Mandate, MandateGap, MandateScope
from .notifications import DigestRun, Notification
from .organisations import Organisation, Unit
from .people import Invitation, MailPreference, Membership, Person, Role
from .stand_ins import StandIn

__all__ = [
    "ApiToken",
    "IdempotentRequest",
    "TokenState",
    "BOUND_STATUSES",
    "Chain",
    "ChainKind",
    "DigestRun",
    "Invitation",
    "MailPreference",
    "Mandate",
    "MandateGap",
    "MandateScope",
    "Membership",
    "Notification",
    "Organisation",
    "Partnership",
    "PartnershipRole",
    "PartnershipStatus",
    "SilenceRule",
    "Person",
    "Role",
    "StandIn",
    "Unit",
]
