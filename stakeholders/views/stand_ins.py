"""Stand-ins: a lead (or the programme manager for them) names someone of the same partner to act
with the lead's mandates while the lead is away, and can end it early. The list of current and
coming stand-ins is on the partner's page (views/partners.py: stand_ins_of)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.stand_ins import StandInForm
from stakeholders.models import Chain, Partnership, Role, StandIn
from stakeholders.models.stand_ins import end_stand_in, name_stand_in
from stakeholders.notify import notify
from stakeholders.permissions import Action, allows, get_chain_or_404, may_name_stand_in, require, role_in


def _partnership(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, Partnership]:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partnership = get_object_or_404(Partnership.objects.select_related("organisation", "chain"), chain=chain, pk=pk)
    return chain, partnership


def _period(stand_in: StandIn) -> dict:
    return {
        "person": stand_in.stand_in,
        "lead": stand_in.lead,
        "org": stand_in.partnership.organisation,
        "start": date_format(stand_in.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(stand_in.ends_on, "SHORT_DATE_FORMAT"),
    }


def stand_in_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Name a stand-in: the lead for themselves, the programme manager for any lead of the partner."""
    chain, partnership = _partnership(request, slug, pk)
    if not may_name_stand_in(request.user, partnership):
        raise PermissionDenied
    choose_lead = request.user.is_platform_admin or role_in(request.user, chain) == Role.PROGRAMME_MANAGER
    form = StandInForm(
        request.POST if request.method == "POST" else None,
        partnership=partnership,
        user=request.user,
        choose_lead=choose_lead,
    )
    if request.method == "POST" and form.is_valid():
        try:
            stand_in = name_stand_in(form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            url = partnership.get_absolute_url()
            about = _period(stand_in)
            notify(
                [stand_in.stand_in],
                chain,
                _("You stand in for %(lead)s (%(org)s) from %(start)s to %(end)s, with the same mandate.") % about,
                url,
                key=f"stand_in:{stand_in.pk}:named",
            )
            if stand_in.lead_id != request.user.pk:
                notify(
                    [stand_in.lead],
                    chain,
                    _("%(person)s stands in for you (%(org)s) from %(start)s to %(end)s.") % about,
                    url,
                    key=f"stand_in:{stand_in.pk}:named",
                )
            messages.success(request, _("%(person)s stands in for %(lead)s from %(start)s to %(end)s.") % about)
            return redirect_after_save(request, url)
    return render_form_page(
        request,
        "stakeholders/stand_in_create.html",
        {"chain": chain, "partnership": partnership, "form": form},
        form,
    )


def stand_in_end(request: HttpRequest, slug: str, pk: int, stand_in_pk: int) -> HttpResponse:
    """End a stand-in early (a confirmation page, then POST): one not begun yet is removed, a
    current one ends yesterday, so from today the stand-in acts on their own mandates only."""
    chain, partnership = _partnership(request, slug, pk)
    stand_in = get_object_or_404(
        StandIn.objects.select_related("lead", "stand_in", "partnership__organisation").current_or_coming(),
        partnership=partnership,
        pk=stand_in_pk,
    )
    if not may_name_stand_in(request.user, partnership, stand_in.lead):
        raise PermissionDenied
    url = partnership.get_absolute_url()
    if request.method == "POST":
        about = _period(stand_in)
        end_stand_in(stand_in)
        text = _("The stand-in of %(person)s for %(lead)s (%(org)s) has ended.") % about
        notify(
            [p for p in (stand_in.stand_in, stand_in.lead) if p.pk != request.user.pk],
            chain,
            text,
            url,
            key=f"stand_in:{stand_in_pk}:ended",
        )
        messages.success(request, text)
        return redirect(url)
    return render(
        request,
        "stakeholders/stand_in_end.html",
        {"chain": chain, "partnership": partnership, "stand_in": stand_in},
    )


def stand_ins_of(user, partnership: Partnership) -> dict:
    """The partner page's part: current and coming stand-ins with what each received, and whether
    the user may name one or end each. Two queries, whatever the number of stand-ins."""
    stand_ins = list(
        StandIn.objects.filter(partnership=partnership)
        .current_or_coming()
        .select_related("lead", "stand_in")
        .prefetch_related("mandates")
    )
    may_name = allows(user, Action.NAME_STAND_IN, partnership.chain, partnership.organisation)
    return {
        "stand_ins": [(s, may_name_stand_in(user, partnership, s.lead)) for s in stand_ins]
        if may_name
        else [(s, False) for s in stand_ins],
        "can_name_stand_in": may_name,
    }


routes: list = [
    path("ketens/<slug:slug>/partners/<int:pk>/vervanging/nieuw/", stand_in_create, name="stand_in_create"),
    path(
        "ketens/<slug:slug>/partners/<int:pk>/vervanging/<int:stand_in_pk>/beeindigen/",
        stand_in_end,
        name="stand_in_end",
    ),
]
