from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from stakeholders.registry import (
            ChainHomeFragment,
            MyWorkFragment,
            NavSection,
            register_chain_home,
            register_my_work,
            register_nav_section,
        )

        from . import audit, my_work, my_work_agreements  # noqa: F401  (registers the models with the audit trail)

        # Bodies and their meetings (views/bodies.py, meetings.py, agenda.py): the chain menu's "Overleg".
        register_nav_section(
            NavSection(
                "governance",
                pgettext_lazy("chain menu", "Governance"),
                "governance:body_list",
                ("body_", "meeting_", "series_", "agenda_", "minutes_", "attendance_", "suggestion_", "calendar_"),
                55,
                home_link=_("Governance: the chain's bodies, who sits in them and when they meet"),
            )
        )
        # Decisions (views/decisions.py): the decision register, proposals and positions.
        register_nav_section(
            NavSection(
                "decisions",
                pgettext_lazy("chain menu", "Decisions"),
                "governance:decision_list",
                ("decision_",),
                56,
                home_link=_("Decisions: the register of the bodies' decisions, with each partner's position"),
            )
        )
        # Actions: a chain-menu section, a My work fragment and a chain-home fragment (stakeholders/registry.py).
        register_nav_section(
            NavSection("actions", pgettext_lazy("governance", "Actions"), "governance:action_list", ("action_",), 57)
        )
        register_my_work(MyWorkFragment("governance", "governance/_my_work.html", my_work.items, 30))
        # Agreements (views/agreements.py): a chain-menu section and the signatures waiting for my mandate.
        register_nav_section(
            NavSection(
                "agreements",
                pgettext_lazy("chain menu", "Agreements"),
                "governance:agreement_list",
                ("agreement_",),
                58,
                home_link=_("Agreements: covenants and other agreements of the partners, and who signed them"),
            )
        )
        register_my_work(
            MyWorkFragment("agreements", "governance/_my_work_agreements.html", my_work_agreements.items, 31)
        )
        register_chain_home(ChainHomeFragment("governance", "governance/_chain_home.html", my_work.chain_home, 30))
