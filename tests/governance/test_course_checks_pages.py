"""The course checks' list and a check's page cost a fixed number of queries, however many checks,
respondents and answers there are (governance/views/course_checks.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import recount_unread
from tests.governance.course_check_fixtures import answerable, form_data, opened, seated, url

pytestmark = pytest.mark.django_db

LIST_QUERIES = 9
DETAIL_QUERIES = 20


def count(client, address: str, max_page_queries, limit: int) -> int:
    recount_unread()
    with max_page_queries(limit) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


def test_the_list_and_the_page_cost_the_same_with_more_checks_and_answers(world, client_for, max_page_queries):
    seated(world)
    check = answerable(world)
    client = client_for(world.manager)
    listing = f"/ketens/{world.chain.slug}/overleg/koerschecks/"
    few_list = count(client, listing, max_page_queries, LIST_QUERIES)
    few_page = count(client, url(check), max_page_queries, DETAIL_QUERIES)

    for day in (date(2024, 1, 5), date(2024, 7, 5), date(2025, 1, 5)):
        opened(world, day)
    for person in (world.lead_a, world.lead_b, world.contributor_a):
        client_for(person).post(url(check, "antwoorden/"), form_data(check, 3))
    assert count(client, listing, max_page_queries, LIST_QUERIES) == few_list
    assert count(client, url(check), max_page_queries, DETAIL_QUERIES) <= few_page + 2  # + the results once answered
