from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from stakeholders.registry import (
            ChainHomeFragment,
            IndicatorPageFragment,
            MyWorkFragment,
            NavGroup,
            NavSection,
            register_chain_home,
            register_dashboard,
            register_indicator_page,
            register_my_work,
            register_nav_group,
            register_nav_section,
        )

        from . import audit, my_work, my_work_agreements  # noqa: F401  (registers the models with the audit trail)
        from .services import bottleneck_revision, governance_revision

        bottleneck_revision.connect()  # the dashboard's and chain home's kept bottleneck counts
        governance_revision.connect()  # the meeting page's and decision register's kept parts

        # The chain menu's groups of governance's sections (stakeholders/registry.py NavGroup).
        register_nav_group(NavGroup("steering", pgettext_lazy("chain menu", "Steering"), 30))
        register_nav_group(NavGroup("together", pgettext_lazy("chain menu", "Meet and celebrate"), 50))

        # Bodies and their meetings (views/bodies.py, meetings.py, agenda.py): the chain menu's "Overleg".
        register_nav_section(
            NavSection(
                "governance",
                pgettext_lazy("chain menu", "Governance"),
                "governance:body_list",
                ("body_", "meeting_", "series_", "agenda_", "minutes_", "attendance_", "suggestion_", "calendar_"),
                55,
                home_link=_("Governance: the chain's bodies, who sits in them and when they meet"),
                group="steering",
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
                group="steering",
            )
        )
        # Actions: a chain-menu section, a My work fragment and a chain-home fragment (stakeholders/registry.py).
        register_nav_section(
            NavSection(
                "actions",
                pgettext_lazy("governance", "Actions"),
                "governance:action_list",
                ("action_",),
                57,
                group="steering",
            )
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
                group="steering",
            )
        )
        register_my_work(
            MyWorkFragment("agreements", "governance/_my_work_agreements.html", my_work_agreements.items, 31)
        )
        register_chain_home(ChainHomeFragment("governance", "governance/_chain_home.html", my_work.chain_home, 30))
        # Bottlenecks (views/bottlenecks.py, bottleneck_parts.py): the chain menu's "Knelpunten", My
        # work, the chain home, the dashboard's counts and the offer on an off-track indicator's page.
        from . import bottleneck_parts

        register_nav_section(
            NavSection(
                "bottlenecks",
                pgettext_lazy("chain menu", "Bottlenecks"),
                "governance:bottleneck_list",
                ("bottleneck_",),
                58,
                home_link=_("Bottlenecks: what stands in the chain's way, and how far up the ladder it went"),
                group="steering",
            )
        )
        register_my_work(
            MyWorkFragment("bottlenecks", "governance/bottlenecks/_my_work.html", bottleneck_parts.my_work, 31)
        )
        register_chain_home(
            ChainHomeFragment("bottlenecks", "governance/bottlenecks/_chain_home.html", bottleneck_parts.chain_home, 31)
        )
        register_dashboard(
            ChainHomeFragment("bottlenecks", "governance/bottlenecks/_dashboard.html", bottleneck_parts.dashboard, 10)
        )
        register_indicator_page(
            IndicatorPageFragment(
                "bottlenecks", "governance/bottlenecks/_indicator.html", bottleneck_parts.indicator_page, 10
            )
        )
        # Early warnings (views/early_warnings.py): the chain menu, My work and the chain home.
        from . import early_warning_parts

        early_warning_parts.register()
        # Course checks (views/course_checks.py): a chain-menu section and the checks waiting for my answer.
        from . import my_work_course_checks

        register_nav_section(
            NavSection(
                "course_checks",
                pgettext_lazy("chain menu", "Course checks"),
                "governance:course_check_list",
                ("course_check_",),
                59,
                home_link=_("Course checks: is the chain still on course on content, procedure, relations and culture"),
                group="steering",
            )
        )
        register_my_work(
            MyWorkFragment("course_checks", "governance/course_checks/_my_work.html", my_work_course_checks.items, 32)
        )
        # Participation health (views/participation.py, participation_parts.py): a chain-menu section
        # and the partners that need attention on the chain home.
        from . import participation_parts

        register_nav_section(
            NavSection(
                "participation",
                pgettext_lazy("chain menu", "Participation"),
                "governance:participation_detail",
                ("participation_",),
                59,
                home_link=_("Participation health: where each partner's part in the chain's work is slipping"),
                group="steering",
            )
        )
        register_chain_home(
            ChainHomeFragment(
                "participation", "governance/participation/_chain_home.html", participation_parts.chain_home, 32
            )
        )
        # Relationship events (views/meetups.py, under /ketens/<slug>/ontmoetingen/): the chain menu's "Ontmoetingen".
        register_nav_section(
            NavSection(
                "meetups",
                pgettext_lazy("chain menu", "Meetups"),
                "governance-meetups:meetup_list",
                ("meetup_",),
                60,
                home_link=_("Meetups: drinks and working visits, hosted by the partners in turn"),
                group="together",
            )
        )
        # Success stories (views/stories.py, story_parts.py): the chain menu's "Verhalen" and the
        # published stories linked to an indicator, on its page.
        from . import story_parts

        register_nav_section(
            NavSection(
                "stories",
                pgettext_lazy("chain menu", "Stories"),
                "governance-stories:story_list",
                ("story_",),
                60,
                home_link=_("Success stories: what went well in the chain, approved by the partners involved"),
                group="together",
            )
        )
        register_indicator_page(
            IndicatorPageFragment("stories", "governance/stories/_indicator.html", story_parts.indicator_page, 20)
        )
        # My work: the success stories waiting for my organisation's approval (my_work_stories.py).
        from . import my_work_stories

        register_my_work(MyWorkFragment("stories", "governance/stories/_my_work.html", my_work_stories.items, 33))
        # The quarterly newsletter (views/newsletters.py): the archive, and the programme manager's drafts.
        register_nav_section(
            NavSection(
                "newsletters",
                pgettext_lazy("chain menu", "Newsletter"),
                "governance-newsletters:newsletter_list",
                ("newsletter_",),
                61,
                home_link=_("Newsletter: every quarter what the partners achieved together, and the archive"),
                group="together",
            )
        )
        # The chain's public page (views/public_page.py): its settings are the programme manager's, under
        # Administration; the page itself is at /openbaar/<slug>/ for anyone once switched on.
        from stakeholders.permissions import Action

        register_nav_section(
            NavSection(
                "public_page",
                _("Public page"),
                "governance:public_page_edit",
                ("public_page_",),
                101,
                Action.MANAGE_CHAIN,
                group="admin",
            )
        )
        # A stalled indicator proposal: "put it on the agenda of the body that decides" on its page
        # (ambitions/proposal_parts.py; governance/proposal_parts.py, views/proposal_agenda.py).
        from ambitions.proposal_parts import register_proposal_part

        from . import proposal_parts

        register_proposal_part(proposal_parts.TEMPLATE, proposal_parts.agenda_part)
