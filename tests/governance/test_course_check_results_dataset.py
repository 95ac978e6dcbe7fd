"""The benchmark's course checks data set (manage.py build_course_checks_dataset): built on the
national set at a small size, it keeps the models' rules (scores 1-5, one respondent per person
and check), its latest check's relations drop, and the results page stays in its queries."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckScore
from governance.services import course_check_alerts
from governance.services.course_check_results import results_for
from stakeholders.models import Membership, Role
from tests.services import requires_services

pytestmark = requires_services(postgres=True)


@pytest.fixture
def dataset(db):
    out = io.StringIO()
    call_command("build_national_dataset", chains=1, units=2, indicators=4, periods=3, people=40, stdout=out)
    call_command("build_course_checks_dataset", checks=5, respondents=20, stdout=out)
    call_command("build_course_checks_dataset", checks=5, respondents=20, stdout=out)  # idempotent


def test_it_builds_closed_checks_with_answers(dataset):
    assert CourseCheck.objects.count() == 5
    assert set(CourseCheck.objects.values_list("status", flat=True)) == {"closed"}
    assert CourseCheckRespondent.objects.count() == 5 * 20
    answered = CourseCheckRespondent.objects.answered().count()
    assert 5 * 20 * 0.8 <= answered < 5 * 20
    assert CourseCheckScore.objects.count() == answered * 8
    assert not CourseCheckScore.objects.exclude(score__range=(1, 5)).exists()
    for check in CourseCheck.objects.all()[:2]:
        check.full_clean()


def test_the_latest_check_shows_relations_dropping(dataset):
    latest = CourseCheck.objects.order_by("-opens_on").first()
    results = results_for(latest)
    was = results.previous().scores["relations"]
    now = results.dimension("relations").chain_score
    assert was - now >= course_check_alerts.DROP


def test_the_results_page_stays_in_its_queries(dataset, client_for, max_page_queries):
    latest = CourseCheck.objects.order_by("-opens_on").select_related("chain").first()
    manager = Membership.objects.filter(chain=latest.chain, role=Role.PROGRAMME_MANAGER).first().person
    client = client_for(manager)
    with max_page_queries(14):
        response = client.get(reverse("governance:course_check_results", args=[latest.chain.slug, latest.pk]))
    assert response.status_code == 200
