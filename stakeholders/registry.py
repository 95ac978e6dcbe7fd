"""What apps built on stakeholders contribute to its pages, so stakeholders names no other app.

Apps depend one way (docs/architecture.md), so an app built on stakeholders
registers its chain navigation sections, its *My work* fragment, its chain-home fragment and its
parts of the chain dashboard and of an indicator's page (both ambitions' pages, which must not
import governance) in its ``AppConfig.ready()``, and those pages show whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from stakeholders.permissions import Action


@dataclass(frozen=True)
class NavSection:
    """One entry of a chain's menu.

    ``url_name`` is namespaced (``"<app>:<model>_list"``) and takes the chain's slug;
    the section is marked current on pages of the same namespace whose URL name starts with one
    of ``prefixes``; it shows only to people the policy allows ``action`` (for ENTER_FIGURES: for
    their own organisation). Sections are shown by ``order``. A section with a ``home_link`` is
    also offered on the chain's home page with that sentence.
    """

    key: str
    label: str | Promise
    url_name: str
    prefixes: tuple[str, ...]
    order: int
    action: Action = Action.VIEW
    home_link: str | Promise = ""
    group: str = ""  # a NavGroup's key; a section without one is listed under "More"

    @property
    def namespace(self) -> str:
        return self.url_name.partition(":")[0]


@dataclass(frozen=True)
class NavGroup:
    """A heading of the chain menu that gathers related sections (the menu has grown past twenty
    entries, more than anyone scans in a row). Pages show the groups in a row and the current
    group's sections under it; the chain home, the chain's map of itself, shows every group with
    its sections. Groups are shown by ``order``; a group none of whose sections the user may open
    is left out."""

    key: str
    label: str | Promise
    order: int


@dataclass(frozen=True)
class MyWorkFragment:
    """A part of the *My work* page: ``items(user)`` returns the template's context; a fragment
    whose context holds nothing (every value empty) is not rendered."""

    key: str
    template: str
    items: Callable[[Any], dict]
    order: int


@dataclass(frozen=True)
class ChainHomeFragment:
    """A part of a chain's home page: ``items(user, chain)`` returns the template's context, which
    the template reads as ``items``; a fragment whose context holds nothing (every value empty) is
    not rendered. ``items`` must cost a fixed number of queries: the chain home's budget is asserted."""

    key: str
    template: str
    items: Callable[[Any, Any], dict]
    order: int


@dataclass(frozen=True)
class IndicatorPageFragment:
    """A part of an indicator's page (ambitions), e.g. governance's "report a bottleneck" offer on
    an off-track indicator: ``items(user, indicator, page)`` returns the template's context, read
    as ``items``; a fragment whose context holds nothing is not rendered."""

    key: str
    template: str
    items: Callable[[Any, Any, Any], dict]
    order: int


_nav: dict[str, NavSection] = {}
_nav_groups: dict[str, NavGroup] = {}
_my_work: dict[str, MyWorkFragment] = {}
_chain_home: dict[str, ChainHomeFragment] = {}
# The chain dashboard (ambitions) takes fragments of the chain home's shape: items(user, chain).
_dashboard: dict[str, ChainHomeFragment] = {}
_indicator_page: dict[str, IndicatorPageFragment] = {}


def register_nav_section(section: NavSection) -> None:
    """Register (or, under the same key, replace: ready() may run twice in tests) a section."""
    _nav[section.key] = section


def register_nav_group(group: NavGroup) -> None:
    _nav_groups[group.key] = group


def nav_groups() -> list[NavGroup]:
    return sorted(_nav_groups.values(), key=lambda group: group.order)


def register_my_work(fragment: MyWorkFragment) -> None:
    _my_work[fragment.key] = fragment


def register_chain_home(fragment: ChainHomeFragment) -> None:
    _chain_home[fragment.key] = fragment


def register_dashboard(fragment: ChainHomeFragment) -> None:
    _dashboard[fragment.key] = fragment


def register_indicator_page(fragment: IndicatorPageFragment) -> None:
    _indicator_page[fragment.key] = fragment


def nav_sections() -> list[NavSection]:
    return sorted(_nav.values(), key=lambda section: section.order)


def my_work_fragments() -> list[MyWorkFragment]:
    return sorted(_my_work.values(), key=lambda fragment: fragment.order)


def chain_home_fragments() -> list[ChainHomeFragment]:
    return sorted(_chain_home.values(), key=lambda fragment: fragment.order)


def dashboard_fragments() -> list[ChainHomeFragment]:
    return sorted(_dashboard.values(), key=lambda fragment: fragment.order)


def indicator_page_fragments() -> list[IndicatorPageFragment]:
    return sorted(_indicator_page.values(), key=lambda fragment: fragment.order)


@dataclass(frozen=True)
class RenderedFragment:
    template: str
    items: dict


def filled(fragments, *args) -> list[RenderedFragment]:
    """Each fragment with its context for ``args`` (user, chain…), leaving out those that hold nothing."""
    found = []
    for fragment in fragments:
        items = fragment.items(*args)
        if any(items.values()):
            found.append(RenderedFragment(fragment.template, items))
    return found
