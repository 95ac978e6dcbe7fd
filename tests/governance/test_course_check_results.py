"""A course check's results (governance/services/course_check_results.py): exact averages per
partner and for the chain, the privacy thresholds, the spread, the trend, the texts, and a fixed
number of queries; the results page."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.services import course_check_results as service
from tests.governance.course_check_result_fixtures import answer, ask, make_check, partner

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)


def url(check) -> str:
    return f"/ketens/{check.chain.slug}/overleg/koerschecks/{check.pk}/resultaten/"


@pytest.fixture
def three(world):
    """Partner A (Politie) with two respondents, B (OM) and C (Reclassering) with one each."""
    check = make_check(world.chain, JUNE)
    reclassering = partner(world.chain, "Reclassering")
    answer(check, world.partner_a, {"relations": (4, 5), "content": 4}, comment="Goed overleg")
    answer(check, world.partner_a, {"relations": (2, 3), "content": 5})
    answer(check, world.partner_b, {"relations": (1, 2), "culture": 1})
    answer(check, reclassering, {"relations": (5, 5)}, open_answer="Vaker samen evalueren")
    ask(check, world.partner_b)
    return check, reclassering


def test_partner_and_chain_scores_are_exact_averages(world, three):
    check, reclassering = three
    results = service.results_for(check)
    by_name = {p.name: p for p in results.partners}
    assert by_name["Politie"].score("relations") == Fraction(14, 4)
    assert by_name["Openbaar Ministerie"].score("relations") == Fraction(3, 2)
    assert by_name["Reclassering"].score("relations") == 5
    assert by_name["Politie"].score("content") == Fraction(9, 2)
    # The chain score weighs every answer the same: (14 + 3 + 10) / 8.
    assert results.dimension("relations").chain_score == Fraction(27, 8)
    assert results.dimension("culture").chain_score == Fraction(3 + 3 + 3 + 3 + 1 + 1 + 3 + 3, 8)
    assert [p.shown for p in results.partners] == [True, True, True]


def test_the_response_counts_the_asked_and_who_answered(world, three):
    check, _ = three
    results = service.results_for(check)
    assert (results.asked, results.answered, results.responding_partners) == (5, 4, 3)
    om = next(p for p in results.partners if p.name == "Openbaar Ministerie")
    assert (om.asked, om.answered, om.rate) == (2, 1, 50)


def test_the_spread_puts_the_widest_disagreement_first(world, three):
    check, _ = three
    results = service.results_for(check)
    relations = results.dimension("relations")
    assert relations.spread == Fraction(7, 2)
    assert (relations.lowest.name, relations.highest.name) == ("Openbaar Ministerie", "Reclassering")
    assert relations.deviation == pytest.approx(1.4337, abs=1e-3)
    assert results.by_disagreement[0].dimension == "relations"
    assert [d.dimension for d in results.by_disagreement][1] == "culture"  # 3 - 1 = 2 apart


def test_below_three_partners_a_lone_respondent_hides_every_partner(world):
    check = make_check(world.chain, JUNE)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_b, 1)
    results = service.results_for(check)
    assert results.shown_partners == []
    assert all(p.scores == {} for p in results.partners)
    assert results.dimension("content").chain_score == 3  # three people: the chain score shows
    assert results.dimension("content").spread is None


def test_below_three_partners_pairs_are_shown(world):
    check = make_check(world.chain, JUNE)
    for _ in range(2):
        answer(check, world.partner_a, 4)
        answer(check, world.partner_b, 2)
    results = service.results_for(check)
    assert [p.score("content") for p in results.partners] == [2, 4]  # OM, Politie
    assert results.dimension("content").spread == 2


def test_with_fewer_than_three_people_nothing_is_scored(world):
    check = make_check(world.chain, JUNE)
    answer(check, world.partner_a, 4, comment="Alleen ik")
    answer(check, world.partner_a, 2, open_answer="Niets")
    results = service.results_for(check)
    assert not results.chain_shown and results.shown_partners == []
    assert not results.texts_shown and results.open_answers == []
    assert all(not d.comments for d in results.dimensions)
    assert results.answered == 2  # the counts still show


def test_an_open_check_shows_only_the_response(world):
    check = make_check(world.chain, JUNE, closed=False)
    reclassering = partner(world.chain, "Reclassering")
    for p in (world.partner_a, world.partner_b, reclassering):
        answer(check, p, 2, comment="Tussentijds")
    results = service.results_for(check)
    assert results.answered == 3
    assert not results.chain_shown and results.shown_partners == [] and not results.texts_shown


def test_comments_are_per_dimension_unattributed_and_sorted(world, three):
    check, _ = three
    results = service.results_for(check)
    assert results.texts_shown
    assert results.dimension("relations").comments == [service.Text("Goed overleg", 2)]  # its two statements
    assert results.open_answers == [service.Text("Vaker samen evalueren")]


def test_the_trend_gives_the_chain_score_per_check(world):
    reclassering = partner(world.chain, "Reclassering")
    scores = {date(2025, 6, 1): 4, date(2025, 12, 1): 3, JUNE: 2}
    for day, score in scores.items():
        check = make_check(world.chain, day)
        for p in (world.partner_a, world.partner_b, reclassering):
            answer(check, p, {"relations": score})
    thin = make_check(world.chain, date(2025, 3, 1))
    answer(thin, world.partner_a, 1)  # one person: no chain score in the trend
    later_open = make_check(world.chain, date(2026, 12, 1), closed=False)
    results = service.results_for(check)
    assert [p.opens_on for p in results.trend] == [date(2025, 3, 1), *scores]
    assert [p.scores.get("relations") for p in results.trend] == [None, 4, 3, 2]
    assert results.previous().opens_on == date(2025, 12, 1)
    assert later_open.pk not in {p.check_id for p in results.trend}


def test_a_deleted_person_stays_in_the_aggregates(world, three):
    check, _ = three
    first = check.respondents.filter(partnership=world.partner_a).order_by("pk").first()
    first.person.delete()
    results = service.results_for(check)
    assert results.dimension("relations").chain_score == Fraction(27, 8)
    assert results.answered == 4


def _count(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_a_fixed_number_of_queries(world, three):
    check, reclassering = three
    cache.clear()
    assert _count(lambda: service.results_for(check)) == service.PAGE_QUERIES
    checks = [check]
    for n in range(6):
        more = make_check(world.chain, date(2020 + n, 1, 1))
        checks.append(more)
        for p in (world.partner_a, world.partner_b, reclassering, partner(world.chain, f"Gemeente {n}")):
            answer(more, p, 1 + n % 5, comment=f"Opmerking {n}")
    cache.clear()
    assert _count(lambda: service.results_for(check)) == service.PAGE_QUERIES
    cache.clear()
    assert _count(lambda: service.results_for_many(checks)) == service.QUERIES


def test_a_closed_checks_figures_come_from_the_cache(world, three):
    """They never change after the close: read once, then only the earlier checks are asked for."""
    check, _ = three
    cache.clear()
    first = service.results_for(check)
    assert _count(lambda: service.results_for(check)) == 1
    again = service.results_for(check)
    assert [(p.name, p.asked, p.answered, p.scores) for p in again.partners] == [
        (p.name, p.asked, p.answered, p.scores) for p in first.partners
    ]
    assert again.dimension("relations").chain_score == Fraction(27, 8)
    assert again.dimension("relations").comments == first.dimension("relations").comments
    assert again.open_answers == [service.Text("Vaker samen evalueren")]


def test_the_page_shows_scores_per_partner_in_dutch(world, three, client_for, max_page_queries):
    check, _ = three
    client = client_for(world.viewer)
    with max_page_queries(13):
        response = client.get(url(check))
    assert response.status_code == 200
    text = response.content.decode()
    assert "3,5" in text and "1,5" in text and "3,4" in text  # Politie, OM, the chain (27/8)
    assert "Vaker samen evalueren" in text
    assert "Relaties" in text


def test_the_page_explains_what_it_hides(world, client_for):
    check = make_check(world.chain, JUNE)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_b, 1)
    response = client_for(world.manager).get(url(check))
    assert response.status_code == 200
    assert 'id="cc-privacy"' in response.text
    assert 'id="cc-scores"' in response.text  # the chain score row
    assert "Politie</th>" not in response.text.split('id="cc-scores"')[1].split("</table>")[0]


def test_another_chain_cannot_see_it(world, three, client_for):
    check, _ = three
    assert client_for(world.outsider).get(url(check)).status_code == 404


def test_the_page_takes_the_most_given_texts_and_counts_the_rest(world, three, monkeypatch):
    check, reclassering = three
    monkeypatch.setattr(service, "TEXTS_SHOWN", 1)
    answer(check, reclassering, 3, comment="Nog een opmerking", open_answer="Vaker samen evalueren")
    answer(check, reclassering, 3, open_answer="Anders")
    results = service.results_for(check)
    assert results.dimension("content").comments == [service.Text("Goed overleg", 2)]
    assert results.dimension("content").more_comments == 2
    assert results.open_answers == [service.Text("Vaker samen evalueren", 2)]
    assert results.more_answers == 1
