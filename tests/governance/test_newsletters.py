"""Drafting the quarterly newsletter (governance/services/newsletters.py): what the quarter brought,
one edition per chain and quarter however often the task runs, and the programme manager's edits
(reorder, leave out, put back, the introduction), refused on a stale page or once sending began."""

from __future__ import annotations

from datetime import date

import pytest

from governance.models.newsletters import (
    ItemKind,
    Newsletter,
    NewsletterItem,
    NewsletterStatus,
    previous_quarter,
    quarter_end,
    quarter_start,
)
from governance.services import newsletters as services
from governance.tasks_newsletters import draft_newsletters
from tests.governance.newsletter_fixtures import Q1, build_quarter

pytestmark = pytest.mark.django_db


def test_quarters():
    assert quarter_start(date(2026, 5, 31)) == date(2026, 4, 1)
    assert quarter_end(date(2026, 10, 1)) == date(2026, 12, 31)
    assert quarter_end(date(2026, 1, 1)) == date(2026, 3, 31)
    assert previous_quarter(date(2026, 1, 15)) == date(2025, 10, 1)
    assert previous_quarter(date(2026, 7, 1)) == date(2026, 4, 1)


def test_it_gathers_what_the_quarter_brought_in_order(measures):
    build_quarter(measures)
    drafts = services.gather(measures.world.chain, Q1, today=date(2026, 4, 2))
    assert [(d.kind, d.title) for d in drafts] == [
        (ItemKind.STORY, "Snelrecht in Amsterdam"),
        (ItemKind.INDICATOR, "Zaken in voorraad"),  # 450 → 300 of the way 500 → 200: half
        (ItemKind.INDICATOR, "Binnen 24 uur afgedaan"),  # 50 → 55 of 24 → 80: a tenth
        (ItemKind.MILESTONE, "Binnen 24 uur afgedaan"),
        (ItemKind.DECISION, "Extra reclasseringswerkers"),
        (ItemKind.AGREEMENT, "Convenant ZSM"),
        (ItemKind.PARTNER, "Slachtofferhulp"),
        (ItemKind.EVENT, "Borrel bij de politie"),
    ]
    assert drafts[-1].text == "12 mei 2026 16:00, Amsterdam"
    assert drafts[0].text == "Het werkte."  # Markdown as plain text
    assert drafts[1].text == "Van 450 zaken naar 300 zaken (lager is beter)."  # in Dutch: stored text
    assert drafts[0].link.startswith("/ketens/zsm/")


def test_an_indicator_that_worsened_is_not_news(measures):
    from tests.governance.newsletter_fixtures import aggregate

    aggregate(measures.count, date(2025, 12, 1), "300")
    aggregate(measures.count, date(2026, 3, 1), "450")
    assert [d for d in services.gather(measures.world.chain, Q1) if d.kind == ItemKind.INDICATOR] == []


def test_drafting_is_once_per_chain_and_quarter(measures, django_assert_max_num_queries):
    build_quarter(measures)
    chain = measures.world.chain
    with django_assert_max_num_queries(16):  # the same however big the chain (bench/newsletters.py)
        first, made = services.draft(chain, Q1)
    again, made_again = services.draft(chain, Q1)
    assert made and not made_again and again.pk == first.pk
    assert first.status == NewsletterStatus.DRAFT and first.introduction
    assert first.items.count() == 7  # drafted today: the May borrel has passed
    assert list(first.items.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_the_beat_task_drafts_the_last_quarter_for_every_chain_once(measures):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 4, 2)):
        assert draft_newsletters() == 2  # zsm and jeugd
        assert draft_newsletters() == 0
    assert set(Newsletter.objects.values_list("quarter", flat=True)) == {Q1}


@pytest.fixture
def edition(measures):
    build_quarter(measures)
    return services.draft(measures.world.chain, Q1)[0]


def titles(newsletter):
    return list(newsletter.items.order_by("position").values_list("title", "included"))


def test_moving_up_and_down_renumbers(edition):
    items = list(edition.items.order_by("position"))
    services.move(edition, items[1].pk, True, edition.version)
    assert titles(edition)[0][0] == items[1].title
    services.move(edition, items[1].pk, True, edition.version)  # already first: stays
    services.move(edition, items[-1].pk, False, edition.version)  # already last: stays
    assert titles(edition)[0][0] == items[1].title
    assert sorted(edition.items.values_list("position", flat=True)) == list(range(1, 8))


def test_leaving_out_and_putting_back(edition):
    item = edition.items.order_by("position").first()
    services.set_included(edition, item.pk, False, edition.version)
    assert not NewsletterItem.objects.get(pk=item.pk).included
    services.set_included(edition, item.pk, True, edition.version)
    assert NewsletterItem.objects.get(pk=item.pk).included


def test_a_stale_page_is_refused_and_nothing_changes(edition):
    stale = edition.version
    services.save_introduction(edition, "Nieuw.", stale)
    before = titles(edition)
    item = edition.items.order_by("position").last()
    with pytest.raises(services.NewsletterRefused, match="intussen gewijzigd"):
        services.move(edition, item.pk, True, stale)
    with pytest.raises(services.NewsletterRefused):
        services.save_introduction(edition, "Overschreven.", stale)
    assert titles(edition) == before
    assert Newsletter.objects.get(pk=edition.pk).introduction == "Nieuw."


def test_an_item_of_another_edition_is_refused(edition, measures):
    other = services.draft(measures.world.other_chain, Q1)[0]
    foreign = NewsletterItem.objects.create(newsletter=other, kind=ItemKind.STORY, position=9, title="Elders")
    version = edition.version
    with pytest.raises(services.NewsletterRefused):
        services.set_included(edition, foreign.pk, False, version)
    assert NewsletterItem.objects.get(pk=foreign.pk).included
    assert Newsletter.objects.get(pk=edition.pk).version == version


def test_nothing_changes_once_sending_began(edition):
    Newsletter.objects.filter(pk=edition.pk).update(status=NewsletterStatus.SENDING)
    with pytest.raises(services.NewsletterRefused, match="geen concept meer"):
        services.save_introduction(edition, "Te laat.", edition.version)
