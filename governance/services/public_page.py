"""The public page's read model (governance/views/public_page.py): what anyone may see of a chain
that switched its public page on.

Built from the same read models as the members' pages, so a figure reads the same everywhere: per
chosen indicator the indicator page's chart and chain rows (``indicator_page.build``, without the
partner and unit tables unless the chain chose to show them) and the dashboard's status rule
(``dashboard.progresses``, shown by ``display.show_progress``). Then the published success stories
and the sent newsletters. Nothing here names a person: no authors, no approvers, no senders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.models import Indicator
from ambitions.periods import Period
from ambitions.services import dashboard, indicator_page
from ambitions.services.display import ProgressText, Wording, show_progress
from ambitions.services.indicator_page import IndicatorPage
from governance.models.newsletters import Newsletter
from governance.models.public_page import PublicPage
from governance.models.stories import Story
from ketenportaal.markdown import render_markdown

# The newest this many stories and editions; the page stays short and its cost bounded.
STORIES_SHOWN = 6
NEWSLETTERS_SHOWN = 8


@dataclass
class PublicIndicator:
    indicator: Indicator
    page: IndicatorPage
    shown: ProgressText | None = None  # None: no adopted definition yet
    final_target: str = ""
    dom_id: str = ""


@dataclass
class PublicEdition:
    label: str
    url: str


@dataclass
class PublicView:
    page: PublicPage
    indicators: list[PublicIndicator] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    newsletters: list[PublicEdition] = field(default_factory=list)

    @property
    def chain(self):
        return self.page.chain


def build(page: PublicPage, embed: bool = False) -> PublicView:
    """``embed``: only what the embedded version shows (the indicators)."""
    chain = page.chain
    today = timezone.localdate()
    view = PublicView(page)
    chosen = list(
        Indicator.objects.filter(pk__in=page.indicators.values("pk"))
        .select_related("ambition")
        .order_by("ambition__position", "ambition__pk", "position", "pk")
    )
    progresses = dashboard.progresses(chosen, today)  # the tiles' rule, for the chosen ones only
    words = Wording()
    for indicator in chosen:
        built = indicator_page.build(indicator, today=today, parts=page.show_units and not embed)
        item = PublicIndicator(indicator, built, dom_id=f"indicator-{indicator.pk}")
        current = built.current
        if current is not None:
            found = progresses.get(indicator.pk)
            if found is not None:
                item.shown = show_progress(found, words)
            item.final_target = _("%(value)s in %(period)s") % {
                "value": words.fmt.with_unit(current.target_value, current),
                "period": words.period(Period.containing(current.target_period, current.frequency)),
            }
        view.indicators.append(item)
    if embed:
        return view
    view.stories = list(
        Story.objects.published()
        .filter(chain=chain)
        .prefetch_related("partners__organisation")
        .order_by("-published_at", "-pk")[:STORIES_SHOWN]
    )
    for story in view.stories:
        story.body_html = render_markdown(story.body)
    view.newsletters = _editions(chain)
    return view


def _editions(chain) -> list[PublicEdition]:
    """The sent editions, each linking to its own public web page."""
    editions = []
    for newsletter in Newsletter.objects.sent().filter(chain=chain).order_by("-quarter")[:NEWSLETTERS_SHOWN]:
        try:
            url = newsletter.get_public_url()
        except NoReverseMatch:  # the newsletter's public pages are not wired (yet): list nothing
            return []
        editions.append(PublicEdition(str(newsletter.quarter_label), url))
    return editions
