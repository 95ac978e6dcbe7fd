"""The newsletter's pages (governance/views/newsletters.py): the archive, the programme manager's
edit page and its no-JavaScript item steps, and each sent edition's login-free web page, PDF and
logo; and the e-mail that render_edition() makes for the send task."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from governance.models.newsletters import ItemKind, Newsletter, NewsletterItem
from governance.services import newsletters as services
from governance.services.newsletter_render import render_edition
from tests.governance.newsletter_fixtures import Q1, build_quarter, sent_edition

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def quarter(measures):
    return build_quarter(measures)


def edit_url(newsletter):
    return reverse("governance-newsletters:newsletter_edit", args=[newsletter.chain.slug, newsletter.pk])


def item_url(newsletter):
    return reverse("governance-newsletters:newsletter_item", args=[newsletter.chain.slug, newsletter.pk])


def test_the_archive_shows_members_the_sent_editions_and_the_manager_the_drafts_too(
    measures, quarter, client_for, max_page_queries
):
    w = measures.world
    sent = sent_edition(w.chain)
    draft = services.draft(w.chain, date_q2())[0]
    url = reverse("governance-newsletters:newsletter_list", args=["zsm"])
    viewer = client_for(w.viewer)
    with max_page_queries(12):
        page = viewer.get(url)
    assert page.status_code == 200
    assert sent.get_public_url() in page.text and edit_url(draft) not in page.text
    page = client_for(w.manager).get(url)
    assert edit_url(draft) in page.text and "Q2 2026" in page.text


def date_q2():
    from datetime import date

    return date(2026, 4, 1)


def test_only_the_programme_manager_edits(measures, quarter, client_for):
    w = measures.world
    newsletter = services.draft(w.chain, Q1)[0]
    assert client_for(w.lead_a).get(edit_url(newsletter)).status_code == 403
    assert client_for(w.outsider).get(edit_url(newsletter)).status_code == 404
    page = client_for(w.manager).get(edit_url(newsletter))
    assert page.status_code == 200
    assert "Snelrecht in Amsterdam" in page.text and 'name="step" value="down"' in page.text


def test_the_manager_saves_the_introduction_escaped_everywhere(measures, quarter, client_for):
    w = measures.world
    newsletter = services.draft(w.chain, Q1)[0]
    manager = client_for(w.manager)
    answer = manager.post(edit_url(newsletter), {"introduction": SCRIPT, "version": newsletter.version})
    assert answer.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.introduction == SCRIPT
    page = manager.get(edit_url(newsletter))
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text


def test_a_stale_introduction_is_refused_with_422_and_not_saved(measures, quarter, client_for):
    w = measures.world
    newsletter = services.draft(w.chain, Q1)[0]
    manager = client_for(w.manager)
    stale = newsletter.version
    manager.post(edit_url(newsletter), {"introduction": "Eerste.", "version": stale})
    answer = manager.post(edit_url(newsletter), {"introduction": "Tweede.", "version": stale})
    assert answer.status_code == 422
    assert "in the meantime" in answer.text
    assert Newsletter.objects.get(pk=newsletter.pk).introduction == "Eerste."


def test_too_long_an_introduction_is_refused_at_the_field(measures, quarter, client_for):
    w = measures.world
    newsletter = services.draft(w.chain, Q1)[0]
    answer = client_for(w.manager).post(
        edit_url(newsletter), {"introduction": "x" * 4001, "version": newsletter.version}
    )
    assert answer.status_code == 422
    assert Newsletter.objects.get(pk=newsletter.pk).introduction != "x" * 4001


def test_item_steps_without_javascript(measures, quarter, client_for):
    w = measures.world
    newsletter = services.draft(w.chain, Q1)[0]
    manager = client_for(w.manager)
    second = newsletter.items.order_by("position")[1]
    answer = manager.post(item_url(newsletter), {"item": second.pk, "step": "up", "version": newsletter.version})
    assert answer.status_code == 302 and answer["Location"].endswith(f"#item-{second.pk}")
    assert newsletter.items.order_by("position").first().pk == second.pk
    newsletter.refresh_from_db()
    manager.post(item_url(newsletter), {"item": second.pk, "step": "drop", "version": newsletter.version})
    assert not NewsletterItem.objects.get(pk=second.pk).included
    # A step from a stale page: 422 with the reason, nothing changed.
    answer = manager.post(item_url(newsletter), {"item": second.pk, "step": "restore", "version": newsletter.version})
    assert answer.status_code == 422 and "in the meantime" in answer.text
    assert not NewsletterItem.objects.get(pk=second.pk).included
    # Nonsense: 422, nothing changed.
    newsletter.refresh_from_db()
    answer = manager.post(item_url(newsletter), {"item": "x", "step": "sideways", "version": "-1"})
    assert answer.status_code == 422


def test_the_web_page_of_a_sent_edition_is_public_and_a_draft_is_not(measures, quarter, client):
    w = measures.world
    newsletter = sent_edition(w.chain)
    NewsletterItem.objects.create(newsletter=newsletter, kind=ItemKind.STORY, position=20, title=SCRIPT)
    page = client.get(newsletter.get_public_url())
    assert page.status_code == 200
    assert "Snelrecht in Amsterdam" in page.text and "Q1 2026" in page.text
    assert SCRIPT not in page.text
    assert "manager" not in page.text.lower()  # names no person
    draft = services.draft(w.chain, date_q2())[0]
    assert client.get(draft.get_public_url()).status_code == 404
    unknown = reverse("governance-newsletters-public:newsletter_public", args=[uuid.uuid4()])
    assert client.get(unknown).status_code == 404
    assert client.get(newsletter.get_public_url().rstrip("/") + "/logo").status_code == 404  # no logo


def test_the_pdf_of_a_sent_edition(measures, quarter, client):
    newsletter = sent_edition(measures.world.chain)
    answer = client.get(newsletter.get_pdf_url())
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert "nieuwsbrief-zsm-q1-2026.pdf" in answer["Content-Disposition"]


def test_render_edition_for_the_mail(measures, quarter):
    w = measures.world
    w.chain.colour = "#8b0000"
    w.chain.save()
    newsletter = sent_edition(w.chain)
    newsletter.introduction = f"Beste lezer,\n\n{SCRIPT}"
    newsletter.save()
    dropped = newsletter.items.get(kind=ItemKind.PARTNER)
    dropped.included = False
    dropped.save()
    subject, text, html = render_edition(newsletter, "https://portaal.example/afmelden/abc/")
    assert subject == "Nieuwsbrief ZSM, Q1 2026"
    assert "Snelrecht in Amsterdam" in text and "https://portaal.example/afmelden/abc/" in text
    assert "Slachtofferhulp" not in text and "Slachtofferhulp" not in html
    assert SCRIPT in text  # plain text is not HTML
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "background:#8b0000" in html and "<style" not in html
    assert "https://portaal.example/afmelden/abc/" in html
    assert newsletter.get_public_url() in html
