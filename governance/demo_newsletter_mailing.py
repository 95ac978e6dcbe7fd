"""The ZSM demo's newsletter mailing (issue 14): a few confirmed subscribers outside the portal and
one waiting for confirmation, one member who opted out, and the two sent editions' deliveries (one
row per recipient, sent when the edition was), so that their send pages show what went out. Runs
after the newsletters' demo (DEMO_LOADERS); safe to run again (the rows are unique)."""

from __future__ import annotations

from django.db import transaction

from governance.models.newsletters import Newsletter, NewsletterStatus
from governance.models.subscribers import DeliveryStatus, NewsletterDelivery, NewsletterOptOut, Subscriber
from governance.services import newsletter_send
from stakeholders.models import Chain, Membership, Role

# Made-up readers at the example domain: no real person's address.
READERS = ["wijkagent.noord@example.nl", "gemeente.veiligheid@example.nl", "lezer.zsm@example.nl"]
WAITING = "nog.bevestigen@example.nl"


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.filter(slug="zsm").first()
    if zsm is None:
        return
    sent = list(Newsletter.objects.filter(chain=zsm, status=NewsletterStatus.SENT).order_by("quarter"))
    first_sent = sent[0].sent_at if sent else None
    for address in READERS:
        Subscriber.objects.get_or_create(chain=zsm, email=address, defaults={"confirmed_at": first_sent})
    Subscriber.objects.get_or_create(chain=zsm, email=WAITING)
    viewer = Membership.objects.filter(chain=zsm, role=Role.VIEWER).order_by("pk").first()
    if viewer is not None:
        NewsletterOptOut.objects.get_or_create(chain=zsm, person_id=viewer.person_id)
    for edition in sent:
        if edition.deliveries.exists():
            continue
        NewsletterDelivery.objects.bulk_create(
            NewsletterDelivery(
                newsletter=edition,
                email=r.email,
                person_id=r.person_id,
                subscriber_id=r.subscriber_id,
                message_id=newsletter_send.message_id(),
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=edition.sent_at,
            )
            for r in newsletter_send.recipients(edition)
        )
