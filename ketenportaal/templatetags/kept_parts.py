"""``{% kept tokens "name" vary… %}…{% endkept %}``: a part of a page kept rendered in the shared
cache (ketenportaal/kept.py explains how it stays true).

``tokens`` is the list of ketenportaal.kept.Token the view passes: the revisions of everything the
part shows. ``"name"`` and ``vary…`` make the key: the object shown and everything about the
reader that changes what they see (their rights: "may run this meeting"). Anything the part reads
that is in neither makes it wrong for someone, so a view keeps a part only when it can name all
of it. With no tokens (``None``: the view chose not to keep, e.g. a form with errors) the part is
rendered as usual.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token

from ketenportaal import kept

register = template.Library()


class KeptNode(Node):
    def __init__(self, nodelist: NodeList, tokens: FilterExpression, vary: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.tokens = tokens
        self.vary = vary

    def render(self, context) -> str:
        tokens = self.tokens.resolve(context)
        if not tokens:
            return self.nodelist.render(context)

        def build() -> str:
            # The marks stand in for what is this request's own; kept.personal puts it back.
            with context.push(csrf_token=kept.CSRF_MARK, csp_nonce=kept.NONCE_MARK):
                return str(self.nodelist.render(context))

        html = kept.fetch([value.resolve(context) for value in self.vary], tokens, build)
        return kept.personal(html, context.get("csrf_token"), context.get("csp_nonce"))


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% kept tokens 'name' [vary …] %} needs the tokens and a name")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])
