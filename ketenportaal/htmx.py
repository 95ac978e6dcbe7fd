"""Responses shared by every form view, with and without htmx.

Without JavaScript a form posts and the server answers post/redirect/get; with htmx the
same view answers only the form partial ("<template>#form", a Django 6 partialdef),
and a successful save sends the redirect as an HX-Redirect header.
"""

from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect


def redirect_after_save(request: HttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get; htmx requests get the redirect as a header instead."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def render_form_page(request: HttpRequest, template: str, context: dict, form: BaseForm) -> HttpResponse:
    """The page, or only its ``form`` partial for an htmx POST; 422 whenever the form has errors."""
    if getattr(request, "htmx", False) and request.method == "POST":
        template = f"{template}#form"
    return render(request, template, context, status=422 if form.errors else 200)
