"""A dashboard tile as HTML, written here rather than by a template.

The dashboard shows twenty tiles and each says a lot (value, status, target, change, trend,
forecast, what is still coming in, a table of partners): as a template include that took some
thousand function calls per tile, more than working out what the tile says. So the words are made
once (services/dashboard.py and display.show_progress: ``Tile.shown``), and ``TileWriter`` puts
them in the tile's markup with f-strings, escaping every text it did not write itself. The
markup is that of the page around it (``ambitions/dashboard.html``): Utrecht classes, a status
as text with its symbol (display.status_badge), the sparkline with its text alternative.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ambitions.services.display import status_badge
from ambitions.services.progress import Status

if TYPE_CHECKING:
    from ambitions.services.dashboard import PartnerProgress, Tile
    from ambitions.services.display import ProgressText


class TileWriter:
    """Writes the tiles of one page: what every tile says alike (headings, fixed sentences, the
    partners' names) is translated and escaped once."""

    def __init__(self) -> None:
        self.target = escape(_("Target"))
        self.reported = escape(_("Reported"))
        self.no_definition = escape(_("No adopted definition is in force yet."))
        self.nothing_due = escape(_("No figures yet for a period whose deadline has passed."))
        self.nothing_recent = escape(_("No figures reported in the recent periods."))
        self.provisional = escape(_("A total is judged against its target once every unit has reported."))
        self.incomplete = f' <span class="kp-flag">{escape(_("incomplete"))}</span>'
        self.target_is = _("Target: %(target)s")
        self.in_progress = _("In progress: %(period)s")
        self.so_far = _("So far: %(value)s")
        self.so_far_detail = _("%(reported)s of %(count)s units so far; deadline %(deadline)s")
        self.partners_head = (
            f"<summary>{escape(_('Completeness and timeliness per partner'))}</summary>\n"
            '        <table class="utrecht-table kp-table--compact">\n'
            '          <caption class="utrecht-table__caption kp-visually-hidden">{caption}</caption>\n'
            '          <thead class="utrecht-table__header"><tr class="utrecht-table__row">\n'
            f'            <th class="utrecht-table__header-cell" scope="col">{escape(_("Partner"))}</th>\n'
            f'            <th class="utrecht-table__header-cell" scope="col">{self.reported}</th>\n'
            f'            <th class="utrecht-table__header-cell" scope="col">{escape(_("Late"))}</th>\n'
            "          </tr></thead>\n"
        )
        self._escaped: dict[str, str] = {}  # partners' names and "18 of 20": the same in many tiles

    def __call__(self, tile: Tile) -> SafeString:
        shown = tile.shown
        heading = (
            f'<h3 class="utrecht-heading-3 kp-tile__name" id="{tile.dom_id}"><a class="utrecht-link" '
            f'href="{escape(tile.url)}">{escape(tile.indicator.name)}</a></h3>'
        )
        status = f'<p class="utrecht-paragraph">{shown.badge}</p>'
        if tile.version is None:
            parts = [heading, status, f'<p class="utrecht-paragraph">{self.no_definition}</p>']
        elif not shown.period_label:
            why = self.nothing_due if shown.in_progress_period else self.nothing_recent
            target = escape(self.target_is % {"target": tile.final_target})
            parts = [heading, status, f'<p class="utrecht-paragraph">{why}</p>']
            parts.append(f'<p class="utrecht-paragraph kp-muted">{target}</p>')
        else:
            value = (
                f'<p class="kp-tile__value"><span class="kp-tile__number">{escape(shown.value)}</span> '
                f'<span class="kp-tile__period">{escape(shown.period_label)}</span></p>'
            )
            parts = [heading, value, status, *self._headline(tile, shown)]
        if shown.in_progress_period:
            parts.append(self._in_progress(shown))
        return mark_safe("\n      ".join(parts))  # noqa: S308 (every text escaped above or safe already)

    def _headline(self, tile: Tile, shown: ProgressText) -> list[str]:
        parts = []
        if shown.status == Status.PROVISIONAL:
            parts.append(f'<p class="utrecht-paragraph kp-muted">{self.provisional}</p>')
        facts = []
        if shown.target:
            facts.append(f"<dt>{escape(shown.target_label)}</dt><dd>{escape(shown.target)}</dd>")
        facts.append(f"<dt>{self.target}</dt><dd>{escape(tile.final_target)}</dd>")
        if shown.change:
            facts.append(f"<dt>{escape(shown.change_label)}</dt><dd>{escape(shown.change)}</dd>")
        facts.append(f"<dt>{self.reported}</dt><dd>{escape(shown.reported_text)}</dd>")
        parts.append('<dl class="kp-tile__facts">\n        ' + "\n        ".join(facts) + "\n      </dl>")
        if tile.sparkline is not None:
            parts.append(f'<p class="kp-tile__spark">{tile.sparkline.svg(f"{tile.dom_id}-trend")}</p>')
        if shown.forecast:
            parts.append(f'<p class="utrecht-paragraph kp-tile__forecast">{escape(shown.forecast)}</p>')
        if tile.partners:
            parts.append(self._partners(tile))
        return parts

    def _partners(self, tile: Tile) -> str:
        """The units reported per partner for the headline period, as a table under a disclosure."""
        rows = "\n".join(self._partner_row(p) for p in tile.partners)
        head = self.partners_head.format(caption=escape(tile.partners_caption))
        return (
            f'<details class="kp-tile__partners">\n        {head}'
            f'          <tbody class="utrecht-table__body">\n          {rows}\n          </tbody>\n'
            "        </table>\n      </details>"
        )

    def _partner_row(self, p: PartnerProgress) -> str:
        name, reported = self._escape(p.organisation), self._escape(p.reported_text)
        return (
            f'<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row">{name}</th>'
            f'<td class="utrecht-table__cell">{reported}{"" if p.complete else self.incomplete}</td>'
            f'<td class="utrecht-table__cell">{p.late}</td></tr>'
        )

    def _escape(self, text: str) -> str:
        escaped = self._escaped.get(text)
        if escaped is None:
            escaped = self._escaped[text] = escape(text)
        return escaped

    def _in_progress(self, shown: ProgressText) -> str:
        """A later period still coming in: what has come in so far and until when."""
        heading = status_badge(Status.IN_PROGRESS, self.in_progress % {"period": shown.in_progress_period})
        so_far = escape(self.so_far % {"value": shown.in_progress_value})
        detail = escape(
            self.so_far_detail
            % {
                "reported": shown.in_progress_reported,
                "count": shown.in_progress_expected,
                "deadline": shown.in_progress_deadline,
            }
        )
        return (
            '<div class="kp-tile__in-progress">\n'
            f'        <p class="utrecht-paragraph">{heading}</p>\n'
            f'        <p class="utrecht-paragraph">{so_far} <span class="kp-muted">({detail})</span></p>\n'
            "      </div>"
        )
