"""Early warnings (vroegsignalen): the chain's list (proposed first, then those decided), a
warning's page with the chart and the lagging units, and the programme manager's accept and dismiss.

Every member of the chain reads; only programme managers (governance/policy.py
``may_decide_early_warning``) accept or dismiss. A warning decided meanwhile (a double click, another
programme manager) is refused on the page with 409 and nothing changes; a dismissal without a reason
is refused at the field with 422.

Routes are joined in governance/urls.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from governance import policy
from governance.forms.early_warnings import AcceptForm, DismissForm
from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus
from governance.services import early_warning_decisions as decisions
from governance.services import early_warning_page
from governance.services.early_warning import forecast_text, lagging_text
from ketenportaal.htmx import redirect_after_save
from stakeholders.models import Chain
from stakeholders.permissions import get_chain_or_404

PER_PAGE = 25


def _rows(chain: Chain):
    return EarlyWarning.objects.filter(chain=chain).select_related("indicator__ambition", "version", "decided_by")


def early_warning_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The proposed warnings, then the decided ones by page (three queries besides the chain's)."""
    chain = get_chain_or_404(request.user, slug)
    proposed = list(_rows(chain).filter(status=EarlyWarningStatus.PROPOSED).order_by("indicator__name", "pk"))
    decided = Paginator(
        _rows(chain).exclude(status=EarlyWarningStatus.PROPOSED).order_by("-decided_at", "-pk"), PER_PAGE
    ).get_page(request.GET.get("pagina"))
    for warning in [*proposed, *decided.object_list]:
        warning.chain = chain
        warning.forecast_text = forecast_text(warning)
        warning.lagging_text = lagging_text(warning)
    return render(
        request,
        "governance/early_warnings/early_warning_list.html",
        {"chain": chain, "proposed": proposed, "page": decided},
    )


def _detail(chain: Chain, pk: int) -> EarlyWarning:
    warning = get_object_or_404(_rows(chain).select_related("bottleneck"), pk=pk)
    warning.chain = chain
    return warning


def _page(request: HttpRequest, warning: EarlyWarning, status: int = 200, **forms) -> HttpResponse:
    may_decide = warning.is_proposed and policy.may_decide_early_warning(request.user, warning.chain)
    context = {
        "chain": warning.chain,
        "warning": warning,
        "page": early_warning_page.build(warning),
        "forecast_text": forecast_text(warning),
        "accept_form": forms.get("accept_form") or (AcceptForm() if may_decide else None),
        "dismiss_form": forms.get("dismiss_form") or (DismissForm() if may_decide else None),
        "first_body": decisions.first_body(warning.chain_id) if may_decide else None,
    }
    return render(request, "governance/early_warnings/early_warning_detail.html", context, status=status)


def early_warning_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _page(request, _detail(get_chain_or_404(request.user, slug), pk))


def _step(request: HttpRequest, slug: str, pk: int, form_class, name: str, act, done: str) -> HttpResponse:
    """Accept or dismiss: the form's errors or the refusal on the page (422 / 409), else back to it."""
    chain = get_chain_or_404(request.user, slug)
    if not policy.may_decide_early_warning(request.user, chain):
        raise PermissionDenied
    warning = _detail(chain, pk)
    if request.method != "POST":
        return _page(request, warning)
    form = form_class(request.POST)
    status = 422
    if form.is_valid():
        try:
            act(warning, request.user, form.cleaned_data)
        except decisions.DecisionRefused as refused:
            form.add_error(None, refused.message)
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect_after_save(request, warning.get_absolute_url())
    return _page(request, warning, status, **{name: form})


def early_warning_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _step(
        request,
        slug,
        pk,
        AcceptForm,
        "accept_form",
        lambda warning, user, data: decisions.accept(warning, user, data["note"]),
        _("The bottleneck has been reported and the warning is suggested for the steering group's agenda."),
    )


def early_warning_dismiss(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _step(
        request,
        slug,
        pk,
        DismissForm,
        "dismiss_form",
        lambda warning, user, data: decisions.dismiss(warning, user, data["reason"]),
        _("The early warning has been dismissed; it stays quiet until the forecast gets worse."),
    )


routes = [
    path("vroegsignalen/", early_warning_list, name="early_warning_list"),
    path("vroegsignalen/<int:pk>/", early_warning_detail, name="early_warning_detail"),
    path("vroegsignalen/<int:pk>/accepteren/", early_warning_accept, name="early_warning_accept"),
    path("vroegsignalen/<int:pk>/afwijzen/", early_warning_dismiss, name="early_warning_dismiss"),
]
