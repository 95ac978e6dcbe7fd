"""Course checks in the API (governance/api/course_checks.py), and the privacy guarantee: nobody —
not a programme manager, not an administrator, not the respondent's own partner lead — gets an
individual answer through any page, export or API endpoint of course checks."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckScore
from tests.governance.course_check_result_fixtures import answer, make_check, partner

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)
SENTINEL = "Zeer persoonlijk: alleen ik bij het OM vind dit"


def api_list(client) -> list[dict]:
    response = client.get("/api/course-checks/")
    assert response.status_code == 200
    return response.json()["results"]


def test_the_api_gives_results_per_partner_and_dimension(world, client_for):
    check = make_check(world.chain, JUNE)
    reclassering = partner(world.chain, "Reclassering")
    answer(check, world.partner_a, {"relations": (4, 5)})
    answer(check, world.partner_a, {"relations": (2, 3)})
    answer(check, world.partner_b, {"relations": (1, 2)})
    answer(check, reclassering, {"relations": (5, 5)}, comment="Niet in de API")
    make_check(world.other_chain, JUNE)
    [found] = api_list(client_for(world.viewer))
    assert found["id"] == check.pk and found["chain"] == "zsm"
    results = found["results"]
    assert (results["asked"], results["answered"], results["partners_responded"]) == (4, 4, 3)
    relations = next(d for d in results["dimensions"] if d["dimension"] == "relations")
    assert relations == {"dimension": "relations", "chain_score": 3.38, "spread": 3.5}
    by_name = {p["organisation"]: p for p in results["partners"]}
    assert by_name["Politie"]["scores"]["relations"] == 3.5
    assert by_name["Openbaar Ministerie"]["scores"]["relations"] == 1.5
    assert "Niet in de API" not in str(found)
    assert set(found) == {"id", "chain", "opens_on", "closes_on", "status", "closed_at", "question", "alert", "results"}


def test_the_api_hides_what_the_page_hides(world, client_for):
    check = make_check(world.chain, JUNE)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_a, 4)
    answer(check, world.partner_b, 1)
    found = client_for(world.manager).get(f"/api/course-checks/{check.pk}/").json()
    assert [p["scores"] for p in found["results"]["partners"]] == [None, None]
    assert {d["chain_score"] for d in found["results"]["dimensions"]} == {3.0}
    assert {d["spread"] for d in found["results"]["dimensions"]} == {None}


def test_another_chains_check_is_not_found(world, client_for):
    check = make_check(world.other_chain, JUNE)
    assert client_for(world.manager).get(f"/api/course-checks/{check.pk}/").status_code == 404


def test_a_page_of_checks_costs_the_same_queries(world, client_for, max_page_queries):
    client = client_for(world.viewer)
    for year in range(2020, 2026):
        check = make_check(world.chain, date(year, 6, 1))
        for p in (world.partner_a, world.partner_b, partner(world.chain, f"Gemeente {year}")):
            answer(check, p, 1 + year % 5)
    with max_page_queries(8):
        assert len(api_list(client)) == 6


# --- Privacy: no individual answer anywhere -----------------------------------------------------


def _course_check_urls(check: CourseCheck) -> list[str]:
    """Every page, export and API address of course checks that takes a chain and a check (or
    nothing), found in the URL configuration, plus the admin's course-check pages."""
    found = []

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and "course" in pattern.name.replace("-", "_"):
                name = f"{namespace}{pattern.name}"
                for kwargs in (
                    {"slug": check.chain.slug, "pk": check.pk},
                    {"pk": check.pk},
                    {"slug": check.chain.slug},
                    {},
                ):
                    try:
                        found.append(reverse(name, kwargs=kwargs))
                        break
                    except NoReverseMatch:
                        continue

    walk(get_resolver().url_patterns, "")
    for model in (CourseCheck, CourseCheckRespondent, CourseCheckScore):
        if model in admin.site._registry:
            opts = model._meta
            found.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    if CourseCheck in admin.site._registry:
        found.append(reverse("admin:governance_coursecheck_change", args=[check.pk]))
    return sorted(set(found))


@pytest.fixture
def lone_answer(world):
    """Two partners; OM's only respondent wrote the sentinel and scored a pattern nobody else did."""
    check = make_check(world.chain, JUNE)
    answer(check, world.partner_a, 4, comment="Politie-opmerking", open_answer="Politie-antwoord")
    answer(check, world.partner_a, 4, comment="Politie-opmerking", open_answer="Politie-antwoord")
    answer(
        check,
        world.partner_b,
        {"content": (1, 2), "procedure": (5, 4), "relations": (1, 1), "culture": (2, 1)},
        comment=SENTINEL,
        open_answer=SENTINEL,
        person=world.lead_b,
    )
    return check


@pytest.mark.parametrize("who", ["manager", "admin", "lead_b", "viewer"])
def test_nobody_gets_an_individual_answer_anywhere(world, lone_answer, client_for, who):
    client = client_for(getattr(world, who))
    urls = _course_check_urls(lone_answer)
    assert any("/api/course-checks/" in u for u in urls) and any("resultaten" in u for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        text = response.content.decode(errors="replace")
        assert SENTINEL not in text, url
        # OM's averages (1.5, 4.5, 1.0, 1.5) never show next to OM or anywhere as its figures.
        assert "1,5" not in text and '"relations": 1.0' not in text and "4,5" not in text, url
    api = client.get(f"/api/course-checks/{lone_answer.pk}/").json()
    om = next(p for p in api["results"]["partners"] if p["organisation"] == "Openbaar Ministerie")
    assert om["scores"] is None
