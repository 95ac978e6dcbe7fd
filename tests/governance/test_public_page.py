"""The chain's public page (governance/views/public_page.py): anyone may read it once the programme
manager switched it on with the steering group's decision; never a person's name, units only when
chosen; the same 404 when off as for no chain at all; cached a minute with the same nonce CSP;
only the embedded version may be framed."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from governance.models.public_page import PublicPage
from governance.models.stories import Story, StoryStatus
from tests.governance.public_page_fixtures import switched_on
from tests.measures import enter_count, enter_share

URL = "/openbaar/zsm/"
EMBED = "/openbaar/zsm/embed/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def with_figures(m):
    w = m.world
    for back in range(3):
        period = m.period.shifted(-back)
        enter_share(m, w.unit_a, period, "40", "50")
        enter_share(m, w.unit_b, period, "30", "50")
        enter_count(m, w.unit_a, period, "12")


def without_nonce(response, path: str) -> str:
    """The page without what differs per response anyway: its nonce, its masked CSRF tokens and
    its own address (the language switch's way back)."""
    text = response.text.replace(nonce_of(response), "NONCE").replace(path, "PATH")
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN", text)


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_it_answers_404_when_the_chain_has_not_switched_it_on_the_same_as_for_no_chain(measures):
    m = measures
    anonymous = Client()
    never = anonymous.get(URL)
    unknown = anonymous.get("/openbaar/no-such-chain/")
    assert never.status_code == unknown.status_code == 404
    assert without_nonce(never, URL) == without_nonce(unknown, "/openbaar/no-such-chain/")

    page = switched_on(m)
    assert anonymous.get(URL).status_code == 200
    page.enabled = False
    page.save()
    switched_off = anonymous.get(URL)
    assert switched_off.status_code == 404
    assert without_nonce(switched_off, URL) == without_nonce(unknown, "/openbaar/no-such-chain/")
    assert anonymous.get(EMBED).status_code == 404
    assert anonymous.get("/openbaar/zsm/logo/").status_code == 404
    # The other chain never switched its page on.
    assert anonymous.get("/openbaar/jeugd/").status_code == 404


def test_it_shows_name_mission_indicators_and_status_to_anyone_without_naming_people(measures):
    m, w = measures, measures.world
    w.chain.mission = "Samen sneller recht doen."
    w.chain.save()
    with_figures(m)
    page = switched_on(m)
    page.indicators.set([m.share])

    response = Client().get(URL)

    assert response.status_code == 200
    text = response.text
    assert "ZSM" in text and "Samen sneller recht doen." in text
    assert m.share.name in text
    assert m.count.name not in text  # not chosen
    assert 'role="img"' in text  # the chart, with its text equivalent
    assert "kp-status" in text  # the status, in words and symbol
    assert "70,0%" in text  # the chain's value, (40 + 30) / (50 + 50), in Dutch
    for person in (w.manager, w.lead_a, w.lead_b, w.contributor_a, w.viewer):
        assert person.full_name not in text
        assert person.email not in text
    # No figures per partner or unit unless chosen.
    assert w.unit_a.name not in text and w.unit_b.name not in text
    assert "Per partner and unit" not in text


def test_it_shows_partners_and_units_only_when_chosen(measures):
    m, w = measures, measures.world
    with_figures(m)
    switched_on(m, show_units=True)
    text = Client().get(URL).text
    assert w.unit_a.name in text and w.unit_b.name in text
    assert w.manager.full_name not in text


def test_it_lists_published_stories_and_not_the_others_or_their_authors(measures):
    m, w = measures, measures.world
    switched_on(m)
    published = Story.objects.create(
        chain=w.chain,
        title="Sneller recht na winkeldiefstal",
        body="Binnen **24 uur** een afdoening. <script>alert(1)</script>",
        author=w.contributor_a,
        status=StoryStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    published.partners.set([w.partner_a, w.partner_b])
    Story.objects.create(chain=w.chain, title="Nog niet goedgekeurd", body="Concept", author=w.contributor_a)

    text = Client().get(URL).text

    assert "Sneller recht na winkeldiefstal" in text
    assert "<strong>24 uur</strong>" in text
    assert "<script>alert(1)</script>" not in text
    assert "Politie" in text and "Openbaar Ministerie" in text  # organisations, not people
    assert "Nog niet goedgekeurd" not in text
    assert w.contributor_a.full_name not in text


def test_it_sends_the_portals_nonce_csp_and_refuses_framing_except_on_the_embed(measures):
    switched_on(measures)
    anonymous = Client()
    page = anonymous.get(URL)
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert f'nonce="{nonce_of(page)}"' in page.text

    embed = anonymous.get(EMBED)
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    assert f'nonce="{nonce_of(embed)}"' in embed.text
    assert measures.share.name in embed.text


def test_it_serves_anonymous_callers_from_the_cache_with_a_fresh_nonce(measures, django_assert_max_num_queries):
    m = measures
    page = switched_on(m)
    anonymous = Client()
    first = anonymous.get(URL)
    assert first["Cache-Control"] == "public, max-age=60"
    with django_assert_max_num_queries(1):  # only: is the page switched on, and its stamp
        second = anonymous.get(URL)
    assert second.status_code == 200
    assert nonce_of(second) != nonce_of(first)
    assert f'nonce="{nonce_of(second)}"' in second.text
    assert "kp-nonce-placeholder" not in second.text

    # A change to the settings shows at once (the cache key carries their stamp).
    page.indicators.set([m.count])
    page.save()
    third = anonymous.get(URL).text
    assert m.count.name in third and m.share.name not in third
    # So does a change of the chain's name.
    m.world.chain.name = "ZSM Meer Maatwerk"
    m.world.chain.save()
    assert "ZSM Meer Maatwerk" in anonymous.get(URL).text


def test_it_keeps_a_signed_in_callers_copy_private_and_out_of_the_cache(measures, client_for):
    m = measures
    switched_on(m)
    response = client_for(m.world.manager).get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert not any(key for key in _cache_keys())


def _cache_keys():
    backend = getattr(cache, "_cache", None)
    if isinstance(backend, dict):  # locmem
        return [key for key in backend if "public-page" in key]
    return [key for key in cache._cache.get_client().scan_iter("*public-page*")] if hasattr(cache, "_cache") else []


def test_it_costs_a_bounded_number_of_queries_cold(measures, django_assert_max_num_queries):
    m = measures
    with_figures(m)
    switched_on(m, show_units=True)
    with django_assert_max_num_queries(30):
        assert Client().get(URL).status_code == 200


def test_it_serves_the_logo_only_of_a_switched_on_chain(measures, tmp_path, settings):
    from django.core.files.base import ContentFile

    from tests.stakeholders.test_chain_settings import image_bytes

    settings.MEDIA_ROOT = tmp_path
    m = measures
    m.world.chain.logo.save("zsm.png", ContentFile(image_bytes()))
    assert Client().get("/openbaar/zsm/logo/").status_code == 404
    switched_on(m)
    logo = Client().get("/openbaar/zsm/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert 'src="/openbaar/zsm/logo/?v=' in Client().get(URL).text


def test_the_page_model_refuses_to_be_switched_on_without_the_decision(measures):
    from django.core.exceptions import ValidationError

    page = PublicPage(chain=measures.world.chain, enabled=True)
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "decision" in refused.value.message_dict


def test_it_lists_the_sent_newsletters_with_their_public_web_page_and_not_the_drafts(measures):
    from datetime import date

    from governance.models.newsletters import Newsletter, NewsletterStatus

    w = measures.world
    switched_on(measures)
    sent = Newsletter.objects.create(
        chain=w.chain, quarter=date(2026, 4, 1), status=NewsletterStatus.SENT, sent_at=timezone.now()
    )
    draft = Newsletter.objects.create(chain=w.chain, quarter=date(2026, 7, 1))
    Newsletter.objects.create(
        chain=w.other_chain, quarter=date(2026, 4, 1), status=NewsletterStatus.SENT, sent_at=timezone.now()
    )

    text = Client().get(URL).text

    assert f'href="{sent.get_public_url()}"' in text and "Q2 2026" in text
    assert str(draft.public_token) not in text and "Q3 2026" not in text
    assert text.count("/nieuwsbrief/") == 1


def test_it_answers_a_head_request_and_refuses_a_post(measures):
    switched_on(measures)
    anonymous = Client()
    assert anonymous.head(URL).status_code == 200
    assert anonymous.post(URL).status_code in (403, 405)  # CSRF or method: never a change
