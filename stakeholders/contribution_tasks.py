"""Overdue deliveries: a quarter of a contribution whose due date passed without a report is flagged
to the partner's lead (beat ``notify-overdue-deliveries``; registered through stakeholders/apps.py).

Idempotent: ``notify`` creates at most one notification per person and key, and the key is the
delivery's own, so two runs (or two beats at once) tell each lead once per delivery; the daily
digest mails it once.
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Person, Role
from .models.contributions import Delivery
from .notify import notify

logger = logging.getLogger(__name__)


def overdue_key(delivery: Delivery) -> str:
    return f"delivery-overdue:{delivery.pk}"


def leads_of(partnerships) -> dict[tuple[int, int], list[Person]]:
    """The partner leads per (chain, organisation): members with the partner-lead role who work for it."""
    leads: dict[tuple[int, int], list[Person]] = {}
    chains = {p.chain_id for p in partnerships}
    organisations = {p.organisation_id for p in partnerships}
    people = Person.objects.filter(
        is_active=True,
        organisation_id__in=organisations,
        memberships__chain_id__in=chains,
        memberships__role=Role.PARTNER_LEAD,
    ).values_list("memberships__chain_id", "organisation_id", "pk")
    by_pk = {person.pk: person for person in Person.objects.filter(pk__in={row[2] for row in people})}
    for chain_id, organisation_id, pk in people:
        leads.setdefault((chain_id, organisation_id), []).append(by_pk[pk])
    return leads


def notify_overdue(today: date | None = None) -> int:
    """Tell each overdue delivery's partner leads once; returns how many notifications were made."""
    overdue = list(
        Delivery.objects.overdue(today or timezone.localdate()).select_related(
            "contribution__partnership__organisation", "contribution__partnership__chain"
        )
    )
    leads = leads_of([d.contribution.partnership for d in overdue])
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        for delivery in overdue:
            partnership = delivery.contribution.partnership
            people = leads.get((partnership.chain_id, partnership.organisation_id), [])
            if not people:
                continue
            text = _("Delivery overdue: %(kind)s from %(org)s for %(period)s was due on %(date)s.") % {
                "kind": delivery.contribution.get_kind_display(),
                "org": partnership.organisation.name,
                "period": delivery.period,
                "date": date_format(delivery.due_on, "DATE_FORMAT"),
            }
            url = reverse("stakeholders:delivery_report", args=[partnership.chain.slug, delivery.contribution_id])
            url += f"?periode={delivery.slug}"
            told += len(notify(people, partnership.chain, text, url, overdue_key(delivery)))
    return told


@shared_task
def notify_overdue_deliveries() -> int:
    told = notify_overdue()
    logger.info("overdue deliveries: %d notification(s)", told)
    return told
