"""Periodic housekeeping for the stakeholders app (Celery beat entry ``run-housekeeping``).

Safe to run twice at once: every change is claimed with a conditional UPDATE on the
row, so only the run whose UPDATE matched acts on it (and sends its e-mail).
"""

import logging

from auditlog.models import LogEntry
from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from .mail import absolute_url
from .models import IdempotentRequest, Invitation, Mandate
from .models.people import InvitationStatus

logger = logging.getLogger(__name__)


@shared_task
def run_housekeeping() -> dict[str, int]:
    """Expire overdue invitations and warn holders of mandates that end soon."""
    counts = {
        "invitations_expired": expire_overdue_invitations(),
        **flag_expiring_mandates(),
        "idempotency_keys_deleted": delete_expired_idempotency_keys(),
    }
    # Counts only: no names or e-mail addresses in the logs.
    logger.info(
        "housekeeping: %(invitations_expired)d invitation(s) expired, %(mandates_flagged)d mandate(s) flagged, "
        "%(mails_failed)d warning mail(s) failed, %(idempotency_keys_deleted)d idempotency key(s) deleted",
        counts,
    )
    return counts


def delete_expired_idempotency_keys() -> int:
    """The API's Idempotency-Key rows older than their 24 hours (stakeholders/idempotency.py): each
    account's own next request deletes its old ones too, but an account that stops calling would
    keep its answers forever. Deleting twice at once is harmless."""
    deleted, _by_model = IdempotentRequest.expired().delete()
    return deleted


def expire_overdue_invitations() -> int:
    """Mark pending invitations past their expiry moment as expired; returns how many this run changed."""
    expired = 0
    for pk in list(Invitation.objects.overdue().values_list("pk", flat=True)):
        with transaction.atomic():
            # The status filter is the claim: a concurrent run (or an invitee accepting just now)
            # makes this match nothing, and then this run leaves the row alone.
            if not Invitation.objects.overdue().filter(pk=pk).update(status=InvitationStatus.EXPIRED):
                continue
            # A queryset update bypasses the audit trail's signals; record the change ourselves.
            invitation = Invitation.objects.get(pk=pk)
            LogEntry.objects.log_create(
                invitation,
                action=LogEntry.Action.UPDATE,
                changes={"status": [InvitationStatus.PENDING.value, InvitationStatus.EXPIRED.value]},
            )
        expired += 1
        logger.info("housekeeping: invitation %d expired", pk)
    return expired


def flag_expiring_mandates() -> dict[str, int]:
    """Flag mandates that end within MANDATE_EXPIRY_WARNING_DAYS and e-mail each holder once."""
    today = timezone.localdate()
    candidates = (
        Mandate.objects.expiring_within(settings.MANDATE_EXPIRY_WARNING_DAYS, today)
        # A system account has no mailbox (a mandate it held before is_system existed).
        .filter(expiry_flagged_on__isnull=True, person__is_active=True, person__is_system=False)
        # A stand-in's mandate ends with the stand-in, which its holder was told of when named.
        .filter(stand_in__isnull=True)
        .values_list("pk", flat=True)
    )
    flagged = failed = 0
    for pk in list(candidates):
        try:
            with transaction.atomic():
                # Claim first: a concurrent run blocks on this row and then matches nothing.
                if not Mandate.objects.filter(pk=pk, expiry_flagged_on__isnull=True).update(expiry_flagged_on=today):
                    continue
                mandate = Mandate.objects.select_related(
                    "person", "partnership__organisation", "partnership__chain"
                ).get(pk=pk)
                # Sending inside the transaction: if the mail fails, the flag rolls back and
                # the next run tries again, so the holder is neither skipped nor mailed twice.
                _mail_expiry_warning(mandate)
        except Exception:
            failed += 1
            logger.exception("housekeeping: expiry warning for mandate %d failed; will retry next run", pk)
            continue
        flagged += 1
        logger.info("housekeeping: mandate %d flagged as expiring", pk)
    return {"mandates_flagged": flagged, "mails_failed": failed}


def _mail_expiry_warning(mandate: Mandate) -> None:
    chain = mandate.partnership.chain
    # People have no language preference yet: write in the portal's default language.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": mandate.person.get_short_name(),
            "scope": mandate.get_scope_display(),
            "organisation": mandate.partnership.organisation.name,
            "chain": chain.name,
            "until": date_format(mandate.valid_until, "DATE_FORMAT"),
            "url": absolute_url(reverse("stakeholders:mandate_list", args=[chain.slug])),
        }
        subject = gettext("Your mandate for %(organisation)s in %(chain)s ends on %(until)s") % context
        body = (
            gettext(
                "Dear %(name)s,\n\n"
                "Your mandate to act for %(organisation)s in the chain %(chain)s (%(scope)s) "
                "ends on %(until)s.\n\n"
                "If you should keep acting for %(organisation)s after that date, ask your programme manager "
                "to extend the mandate. You can see your mandates here:\n%(url)s\n\n"
                "Ketenportaal"
            )
            % context
        )
    EmailMessage(subject=subject, body=body, to=[mandate.person.email]).send()


@shared_task
def send_daily_digests() -> dict[str, int]:
    """Celery beat entry ``send-daily-digests``: each person's digest e-mail, at most once a day.

    Runs every hour: the first run of the day mails, later runs retry failed digests and catch
    people whose first notification of the day came later (see stakeholders/digest.py).
    """
    from .digest import send_daily_digests as send

    counts = send()
    logger.info("digest: %(digests_sent)d sent, %(digests_failed)d failed, %(digests_skipped)d skipped", counts)
    return counts
