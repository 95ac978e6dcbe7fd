"""Markdown rendered safely, for every text a member writes in Markdown (agreements, success
stories, newsletters): markdown-it-py (CommonMark and tables, raw HTML off) to HTML, then nh3 keeps
only harmless tags and attributes and http(s)/mailto links, so a text can never carry script.

    from ketenportaal.markdown import render_markdown
    context["body_html"] = render_markdown(story.body)   # a SafeString, for {{ body_html }}
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


def render_markdown(text: str) -> SafeString:
    """The text as HTML that is safe to show: no raw HTML (it shows as text), no script, only
    http(s) and mailto links. A level-one heading becomes level two (the page's own title is the
    only h1)."""
    html = _markdown.render(text or "").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 — nh3 has just sanitised it
