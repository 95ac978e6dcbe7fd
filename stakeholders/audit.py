"""Which stakeholder models the audit trail records, and which fields it leaves out."""

from auditlog.registry import auditlog

from .models import Chain, Invitation, Mandate, Membership, Organisation, Partnership, Person, Unit
from .models.capacity import CapacityAssessment

auditlog.register(Chain)
auditlog.register(Organisation)
auditlog.register(Unit)
auditlog.register(Partnership)
auditlog.register(Membership)
auditlog.register(Mandate)
auditlog.register(Invitation, exclude_fields=["token_hash"])
auditlog.register(CapacityAssessment)
# Never log password hashes or login times.
auditlog.register(Person, exclude_fields=["password", "last_login"])
# The stakeholder register (models/register.py) and its contact log.
from .models.register import Stakeholder, StakeholderContact  # noqa: E402

auditlog.register(Stakeholder)
auditlog.register(StakeholderContact)
# Contributions (models/contributions.py): commitments and their quarterly deliveries.
from .models.contributions import Contribution, Delivery  # noqa: E402

auditlog.register(Contribution)
auditlog.register(Delivery)
# Stand-ins (models/stand_ins.py): who stands in for whom, when; the mandates they receive are Mandate rows.
from .models.stand_ins import StandIn  # noqa: E402

auditlog.register(StandIn)
