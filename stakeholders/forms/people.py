"""People in a chain: changing someone's role, and the rule that a chain keeps a programme manager."""

from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _

from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalModelForm
from stakeholders.models import Membership, Role
from stakeholders.models.people import validate_partner_role

LAST_MANAGER_MESSAGE = _("This is the last programme manager of the chain. Make someone else programme manager first.")


def keeps_a_programme_manager(membership: Membership) -> bool:
    """Whether the chain still has a programme manager without this membership's role.

    Locks the chain's programme-manager rows, always in the same order, for the rest of the
    request's transaction: two managers demoting or removing each other at the same moment
    cannot both pass; the second waits, then sees the first one's change.
    """
    managers = Membership.objects.filter(chain_id=membership.chain_id, role=Role.PROGRAMME_MANAGER).order_by("pk")
    if transaction.get_connection(router.db_for_write(Membership)).in_atomic_block:
        managers = managers.select_for_update()
    return any(pk != membership.pk for pk in managers.values_list("pk", flat=True))


class MembershipRoleForm(VersionedFormMixin, PortalModelForm):
    """Someone's role in one chain; the person and the chain are fixed."""

    class Meta:
        model = Membership
        fields = ["role"]
        labels = {"role": _("Role in this chain")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As loaded: construct_instance() overwrites instance.role after clean().
        self.saved_role = self.instance.role

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        person = self.instance.person
        if role in Role.partner_roles() and person.organisation_id is None:
            # validate_partner_role would ask to choose an organisation, which this form cannot.
            raise ValidationError(
                _("%(person)s belongs to no organisation, so cannot have a role that acts for one.")
                % {"person": person}
            )
        try:
            validate_partner_role(self.instance.chain, role, person.organisation)
        except ValidationError as error:
            raise ValidationError(error.message_dict["role"]) from error
        # Checked here, before VersionedFormMixin.clean() locks this row, so every request takes
        # the chain's manager rows first and in one order (no deadlocks).
        if (
            self.saved_role == Role.PROGRAMME_MANAGER
            and role != Role.PROGRAMME_MANAGER
            and not keeps_a_programme_manager(self.instance)
        ):
            raise ValidationError(LAST_MANAGER_MESSAGE, code="last_manager")
        return role
