"""``{% newsletter_progress newsletter as progress %}``: how far an edition's sending is, for the
send part of the newsletter's edit page (templates/governance/newsletters/_newsletter_send.html)."""

from django import template

from governance.services import newsletter_send

register = template.Library()


@register.simple_tag
def newsletter_progress(newsletter):
    """None for a draft; else the counts of its deliveries (one query)."""
    if newsletter.is_draft:
        return None
    return newsletter_send.progress(newsletter)
