"""A course check's results page: per partner and dimension, the chain score and spread, the trend,
the response and the chain's comments, never per person (governance/services/course_check_results.py
holds the rules). Every member of the chain reads it; the scores show once the check has closed.

Routes are joined in governance/urls.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from governance.models.course_checks import CourseCheck
from governance.services.course_check_results import results_for
from stakeholders.permissions import get_chain_or_404


def course_check_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    check = get_object_or_404(CourseCheck.objects.filter(chain=chain), pk=pk)
    check.chain = chain
    return render(
        request,
        "governance/course_checks/course_check_results.html",
        {"chain": chain, "check": check, "results": results_for(check)},
    )


routes = [
    path("koerschecks/<int:pk>/resultaten/", course_check_results, name="course_check_results"),
]
