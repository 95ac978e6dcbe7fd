"""What early warnings add to other pages, registered from governance/apps.py through
stakeholders/registry.py (``register``): the chain menu's "Vroegsignalen" (group *steering*), the
proposed warnings in a programme manager's *My work*, and "3 ambitions heading off target" on the
chain home for everyone with a role, counted from the warnings still at work (proposed, or
accepted with their bottleneck open), so it shows before any status turns red. One query each."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from stakeholders import my_work_roles
from stakeholders.models import Chain, Membership, Role
from stakeholders.permissions import role_in

MY_WORK_SHOWN = 10


def my_work(user) -> dict:
    """The proposed warnings of the chains where I am programme manager, newest first (one query)."""
    if not user.is_authenticated:
        return {"early_warnings_waiting": []}
    roles = my_work_roles.lent(user)  # inside My work: no query for someone who manages no chain
    if roles is not None and not roles.has_role(Role.PROGRAMME_MANAGER):
        return {"early_warnings_waiting": []}
    managed = Membership.objects.filter(person=user, role=Role.PROGRAMME_MANAGER).values("chain_id")
    rows = (
        EarlyWarning.objects.filter(chain_id__in=managed, status=EarlyWarningStatus.PROPOSED)
        .select_related("chain", "indicator")
        .order_by("-raised_at", "pk")[:MY_WORK_SHOWN]
    )
    return {"early_warnings_waiting": list(rows)}


def chain_home(user, chain: Chain) -> dict:
    """How many of the chain's ambitions have an indicator heading off target (one query)."""
    if role_in(user, chain) is None and not (user.is_superuser or user.is_staff):
        return {"ambitions_off_target": 0}
    counted = (
        EarlyWarning.objects.filter(chain=chain).active().aggregate(n=Count("indicator__ambition_id", distinct=True))
    )
    return {"ambitions_off_target": counted["n"]}


def register() -> None:
    from stakeholders.registry import (
        ChainHomeFragment,
        MyWorkFragment,
        NavSection,
        register_chain_home,
        register_my_work,
        register_nav_section,
    )

    register_nav_section(
        NavSection(
            "early_warnings",
            pgettext_lazy("chain menu", "Early warnings"),
            "governance:early_warning_list",
            ("early_warning_",),
            58,
            home_link=_("Early warnings: indicators whose forecast is heading off target, before they turn red"),
            group="steering",
        )
    )
    register_my_work(MyWorkFragment("early_warnings", "governance/early_warnings/_my_work.html", my_work, 32))
    register_chain_home(
        ChainHomeFragment("early_warnings", "governance/early_warnings/_chain_home.html", chain_home, 29)
    )
