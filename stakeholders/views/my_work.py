from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from stakeholders.models import Chain, Invitation, Mandate


def my_work(request) -> HttpResponse:
    """The start page: my chains and what waits for me."""
    user = request.user
    chains = Chain.objects.visible_to(user)
    invitations = Invitation.objects.pending().filter(email__iexact=user.email).select_related("chain")
    expiring = (
        Mandate.objects.filter(person=user)
        .expiring_within(settings.MANDATE_EXPIRY_WARNING_DAYS)
        .select_related("partnership__chain", "partnership__organisation")
    )
    return render(
        request,
        "stakeholders/my_work.html",
        {"chains": chains, "invitations": invitations, "expiring_mandates": expiring},
    )
