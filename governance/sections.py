"""What other parts of governance add to a body's page (views/bodies.py: body_detail).

The body page shows the body and its seats; its upcoming meetings, its decisions and its actions
belong to the modules that own those. Each such part is a ``BodySection``: a template rendered
below the members with the page's context (``chain``, ``body``, ``can_manage``,
``can_run_meetings``, ``request``) plus whatever its ``context(request, body)`` returns. A
section whose template does not exist (yet) is left out, so the page works whichever parts are
there. Register (or, under the same key, replace) a section with ``register_body_section`` from
the owning module, e.g. at the bottom of views/meetings.py::

    register_body_section(BodySection("meetings", "governance/meetings/_body_meetings.html", 10, upcoming))

The three below are registered without a context, so that a template at that place shows even
before its module registers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class BodySection:
    key: str
    template: str
    order: int
    context: Callable[[HttpRequest, Any], dict] | None = None


_sections: dict[str, BodySection] = {}


def register_body_section(section: BodySection) -> None:
    _sections[section.key] = section


def body_sections() -> list[BodySection]:
    return sorted(_sections.values(), key=lambda section: section.order)


def render_body_sections(request: HttpRequest, body, base: dict) -> list[SafeString]:
    """Each registered section whose template exists, rendered with ``base`` and its own context."""
    rendered = []
    for section in body_sections():
        try:
            template = get_template(section.template)
        except TemplateDoesNotExist:
            continue
        context = {**base, **(section.context(request, body) if section.context else {})}
        rendered.append(mark_safe(template.render(context, request)))  # noqa: S308 (our own template's output)
    return rendered


for _default in (
    BodySection("meetings", "governance/meetings/_body_meetings.html", 10),
    BodySection("decisions", "governance/decisions/_body_decisions.html", 20),
    BodySection("actions", "governance/actions/_body_actions.html", 30),
):
    _sections.setdefault(_default.key, _default)
