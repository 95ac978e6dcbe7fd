"""Agreements (afspraken): the chain's list, drawing one up, its page (parties and signatures, the
current version's text and PDF, the verification of every fingerprint, earlier versions, history),
changing a draft, a new version, sending it for signature, signing by mandate, ending it, the
attached PDF and the agreement as PDF with its signature page.

Who may take a step is governance/policy.py's (``may_manage_agreements``, ``sign_refusal``); the
rules are governance/services/agreements.py's. Agreements are found inside the URL's chain only
(another chain's id: 404). Someone who is no party's person posting a signature gets 403; a party's
person whose signature is refused (no valid mandate, another version, already signed) gets the page
again with the message (422), and nothing is saved.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambitions.models import DeliveryTerms
from governance.forms.agreements import AgreementForm, EndForm, NewAgreementForm, SignForm, VersionForm
from governance.models import Agreement, AgreementStatus, AgreementVersion, Signature
from governance.policy import may_manage_agreements, sign_refusal
from governance.services import agreements as services
from governance.services import delivery
from governance.services.agreement_content import render_markdown
from governance.views.meeting_parts import _logo as pdf_logo  # the chain's logo for a PDF, as the minutes'
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import readable_history
from stakeholders.models import Chain
from stakeholders.permissions import Action, get_chain_or_404, require

DETAIL = "governance/agreements/agreement_detail.html"


def _agreement(request: HttpRequest, chain: Chain, pk: int) -> Agreement:
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user).filter(chain=chain), pk=pk)
    agreement.chain = chain
    return agreement


def _detail_url(chain: Chain, agreement: Agreement) -> str:
    return reverse("governance:agreement_detail", args=[chain.slug, agreement.pk])


def _require_manager(request: HttpRequest, chain: Chain) -> None:
    if not may_manage_agreements(request.user, chain):
        raise PermissionDenied


def agreement_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's agreements, by status, with their current version and signatures counted."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    agreements = services.listed(chain)
    context = {
        "chain": chain,
        "agreements": agreements,
        "can_manage": may_manage_agreements(request.user, chain),
        "waiting": [p for p in services.waiting_for_signature(request.user) if p.agreement.chain_id == chain.pk],
    }
    return render(request, "governance/agreements/agreement_list.html", context)


def agreement_create(request: HttpRequest, slug: str) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    _require_manager(request, chain)
    form = NewAgreementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=Agreement(chain=chain),
        chain=chain,
    )
    if request.method == "POST" and form.is_valid():
        pdf, name = form.cleaned_data["attachment"] or (None, "")
        try:
            agreement = services.draw_up(
                request.user,
                form.save(commit=False),
                form.roles(),
                text=form.cleaned_data["text"],
                pdf=pdf,
                pdf_name=name,
            )
        except services.AgreementRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, _("The agreement has been drawn up as a draft."))
            return redirect_after_save(request, _detail_url(chain, agreement))
    return render_form_page(
        request, "governance/agreements/agreement_create.html", {"chain": chain, "form": form}, form
    )


def _detail_context(request: HttpRequest, chain: Chain, agreement: Agreement, **forms) -> dict:
    user = request.user
    versions = list(agreement.versions.select_related("created_by").order_by("-number"))
    version = versions[0] if versions else None
    signatures = list(
        # Matched to their version by id (the versions are read above), so no version row per signature.
        Signature.objects.filter(agreement=agreement)
        .select_related("person", "organisation", "mandate")
        .order_by("organisation__name", "pk")
    )
    verification = services.verify(version) if version is not None else None
    standings = services.standings(agreement, version, signatures, verification.recomputed if verification else None)
    party = services.party_of(user, agreement) if agreement.status == AgreementStatus.FOR_SIGNATURE else None
    signed_already = party is not None and any(
        s.partnership_id == party.partnership_id and s.version_id == version.pk for s in signatures
    )
    refusal = sign_refusal(user, party) if party is not None and not signed_already else None
    posted = forms.get("sign_form")
    may_sign = party is not None and not signed_already and refusal is None
    sign_form = (
        (posted or SignForm(initial={"version": version.pk, "fingerprint": version.fingerprint})) if may_sign else None
    )
    # A refused signature whose form is no longer offered (signed meanwhile, mandate gone): its message.
    sign_error = " ".join(posted.non_field_errors()) if posted is not None and not may_sign else ""
    manager = may_manage_agreements(user, chain)
    return {
        "chain": chain,
        "agreement": agreement,
        "version": version,
        "text_html": render_markdown(version.text) if version is not None else "",
        "earlier": [(v, [s for s in signatures if s.version_id == v.pk]) for v in versions[1:]],
        "standings": standings,
        "verification": verification,
        "party": party,
        "signed_already": signed_already,
        "sign_refusal": refusal,
        "sign_form": sign_form,
        "sign_error": sign_error,
        "can_manage": manager,
        "can_edit": manager and agreement.status == AgreementStatus.DRAFT,
        "can_send": manager and agreement.status == AgreementStatus.DRAFT,
        "can_add_version": manager and agreement.is_open_for_changes,
        "can_end": manager and agreement.status in (AgreementStatus.FOR_SIGNATURE, AgreementStatus.IN_FORCE),
        "history": readable_history(services.history_entries(agreement), 200, chain=chain),
        # A service agreement's delivery terms (views/delivery_terms.py), shown with their indicators.
        "delivery_terms": _terms_of(agreement),
        "can_edit_terms": manager and delivery.may_change_terms(agreement),
        "may_have_terms": delivery.may_have_terms(agreement),
    }


def _terms_of(agreement: Agreement):
    if agreement.delivery_terms_id is None:
        return None
    return (
        DeliveryTerms.objects.select_related("partnership__organisation", "deliverer")
        .prefetch_related("indicators")
        .get(pk=agreement.delivery_terms_id)
    )


def agreement_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    agreement = _agreement(request, chain, pk)
    return render(request, DETAIL, _detail_context(request, chain, agreement))


def agreement_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The details and parties of a draft (once sent for signature, a new version is the way)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    _require_manager(request, chain)  # before the lookup: a forged id tells a non-manager nothing
    agreement = _agreement(request, chain, pk)
    if agreement.status != AgreementStatus.DRAFT:
        messages.error(request, _("Only a draft's details and parties can be changed; make a new version instead."))
        return redirect_after_save(request, _detail_url(chain, agreement))
    form = AgreementForm(request.POST if request.method == "POST" else None, instance=agreement, chain=chain)
    if request.method == "POST":
        with transaction.atomic():
            if form.is_valid():
                saved = form.save()
                services.set_parties(saved, form.roles())
                messages.success(request, _("The agreement has been saved."))
                return redirect_after_save(request, _detail_url(chain, agreement))
    context = {"chain": chain, "agreement": agreement, "form": form}
    return render_form_page(request, "governance/agreements/agreement_edit.html", context, form)


def agreement_version_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    _require_manager(request, chain)  # before the lookup: a forged id tells a non-manager nothing
    agreement = _agreement(request, chain, pk)
    current = services.current_version(agreement)
    form = VersionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"text": current.text if current else ""},
    )
    if request.method == "POST" and form.is_valid():
        pdf, name = form.cleaned_data["attachment"] or (None, "")
        try:
            version = services.add_version(
                request.user,
                agreement,
                text=form.cleaned_data["text"],
                pdf=pdf,
                pdf_name=name,
                note=form.cleaned_data["note"],
            )
        except services.AgreementRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, _("Version %(number)s has been made.") % {"number": version.number})
            return redirect_after_save(request, _detail_url(chain, agreement))
    context = {"chain": chain, "agreement": agreement, "current": current, "form": form}
    return render_form_page(request, "governance/agreements/agreement_version_create.html", context, form)


@require_POST
def agreement_send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    _require_manager(request, chain)  # before the lookup: a forged id tells a non-manager nothing
    agreement = _agreement(request, chain, pk)
    try:
        services.send_for_signature(request.user, agreement)
    except services.AgreementRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The agreement has been sent for signature; the signers are notified."))
    return redirect_after_save(request, _detail_url(chain, agreement))


@require_POST
def agreement_sign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Sign the version for signature for the user's own party, by their mandate."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    agreement = _agreement(request, chain, pk)
    party = services.party_of(request.user, agreement)
    if party is None:
        raise PermissionDenied  # works for no party of this agreement
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.sign(
                request.user,
                agreement,
                version_id=form.cleaned_data["version"],
                fingerprint=form.cleaned_data["fingerprint"],
                ip_address=get_client_ip_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except services.AgreementRefused as refused:
            form.add_error(None, str(refused))
        else:
            agreement.refresh_from_db(fields=["status"])
            if agreement.status == AgreementStatus.IN_FORCE:
                messages.success(request, _("Signed. Every party has signed: the agreement is in force."))
            else:
                messages.success(request, _("Signed for %(org)s.") % {"org": party.partnership.organisation})
            return redirect_after_save(request, _detail_url(chain, agreement) + "#signatures")
    agreement.refresh_from_db()
    return render(request, DETAIL, _detail_context(request, chain, agreement, sign_form=form), status=422)


def agreement_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    _require_manager(request, chain)  # before the lookup: a forged id tells a non-manager nothing
    agreement = _agreement(request, chain, pk)
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end(request.user, agreement, form.cleaned_data["reason"])
        except services.AgreementRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        else:
            messages.success(request, _("The agreement has ended."))
            return redirect_after_save(request, _detail_url(chain, agreement))
    context = {"chain": chain, "agreement": agreement, "form": form}
    return render_form_page(request, "governance/agreements/agreement_end.html", context, form)


def agreement_attachment(request: HttpRequest, slug: str, pk: int, number: int) -> FileResponse:
    """A version's attached PDF as stored, as a download that can never run in the portal's origin."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    agreement = _agreement(request, chain, pk)
    version = get_object_or_404(AgreementVersion.objects.filter(agreement=agreement), number=number)
    if not version.attachment:
        raise Http404
    stream = version.attachment.storage.open(version.attachment.name, "rb")
    name = f"{slugify(agreement.title)[:60] or 'afspraak'}-v{version.number}.pdf"
    response = FileResponse(stream, content_type="application/pdf", as_attachment=True, filename=name)
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def agreement_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The agreement (details, parties, the current version's text) as PDF, ending with a signature
    page: each party's signature under the current version, or "not yet signed"."""
    from weasyprint import CSS, HTML  # heavy: only when a PDF is asked for

    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    agreement = _agreement(request, chain, pk)
    context = _detail_context(request, chain, agreement)
    context["logo"] = pdf_logo(chain)
    html = render_to_string("governance/agreements/agreement_pdf.html", context, request=request)
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find("css/report-pdf.css"))])
    response = HttpResponse(pdf, content_type="application/pdf")
    number = context["version"].number if context["version"] else 0
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(agreement.title)[:60] or "afspraak"}-v{number}.pdf"'
    )
    return response


routes = [
    path("afspraken/", agreement_list, name="agreement_list"),
    path("afspraken/nieuw/", agreement_create, name="agreement_create"),
    path("afspraken/<int:pk>/", agreement_detail, name="agreement_detail"),
    path("afspraken/<int:pk>/wijzigen/", agreement_edit, name="agreement_edit"),
    path("afspraken/<int:pk>/versies/nieuw/", agreement_version_create, name="agreement_version_create"),
    path("afspraken/<int:pk>/versies/<int:number>/bijlage.pdf", agreement_attachment, name="agreement_attachment"),
    path("afspraken/<int:pk>/ter-ondertekening/", agreement_send, name="agreement_send"),
    path("afspraken/<int:pk>/ondertekenen/", agreement_sign, name="agreement_sign"),
    path("afspraken/<int:pk>/beeindigen/", agreement_end, name="agreement_end"),
    path("afspraken/<int:pk>/afspraak.pdf", agreement_pdf, name="agreement_pdf"),
]
