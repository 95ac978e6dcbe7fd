"""What apps built on ambitions add to a proposal's page, so ambitions names no app to its left.

Governance (helper of issue 15) offers "put on the agenda of the deciding body" for a stopped or
stalled proposal; it cannot be linked from ambitions' template directly (governance → ambitions is
the only allowed direction), so it registers a part in its ``AppConfig.ready()``:

    register_proposal_part("governance/_proposal_agenda.html", agenda_part)

``context(user, version)`` returns the part's template context, or ``None`` when the part has
nothing to show for this user and version (then nothing is rendered). The part's template is
rendered with that context as its own (plus the request, so ``{% csrf_token %}`` works) and shown
in the page's "Next step" section. The version comes with
``indicator.ambition.chain`` loaded. A part must cost a fixed number of queries: the proposal
page's query count is asserted not to grow with partners or rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string


@dataclass(frozen=True)
class ProposalPart:
    template: str
    context: Callable[[Any, Any], dict | None]


@dataclass(frozen=True)
class RenderedPart:
    template: str
    html: str


# Keyed by template: registering the same part twice (ready() may run twice in tests) replaces it.
_parts: dict[str, ProposalPart] = {}


def register_proposal_part(template: str, context: Callable[[Any, Any], dict | None]) -> None:
    """Show ``template`` on every proposal page, with ``context(user, version)`` (None: not shown)."""
    _parts[template] = ProposalPart(template, context)


def proposal_parts() -> list[ProposalPart]:
    return list(_parts.values())


def rendered_parts(request, version) -> list[RenderedPart]:
    """The parts that have something to show for the request's user on ``version``, in
    registration order, rendered."""
    found = []
    for part in _parts.values():
        context = part.context(request.user, version)
        if context is not None:
            found.append(RenderedPart(part.template, render_to_string(part.template, context, request)))
    return found
