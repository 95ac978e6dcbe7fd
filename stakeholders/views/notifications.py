"""A person's own notifications: the list (newest first, unread marked), marking them read, and the
choice between a daily digest e-mail and no e-mail. Personal pages: every query is scoped to
``request.user``, so someone else's notification is simply not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.notifications import NotificationSettingsForm
from stakeholders.models import Notification

PER_PAGE = 50


def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.filter(person=request.user).select_related("chain").order_by("-created_at", "-pk")
    )
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "stakeholders/notification_list.html", {"page": page})


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read; with ``open`` in the form, go on to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, person=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = notification.url if request.POST.get("open") else ""
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("stakeholders:notification_list")
    return redirect(target)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = Notification.objects.unread().filter(person=request.user).update(read_at=timezone.now())
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("stakeholders:notification_list")


def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect_after_save(request, reverse("stakeholders:notification_settings"))
    return render_form_page(request, "stakeholders/notification_settings.html", {"form": form}, form)
