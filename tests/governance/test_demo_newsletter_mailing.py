"""The demo's newsletter mailing (governance/demo_newsletter_mailing.py): ZSM's subscribers, an
opted-out member, and every recipient of the two sent editions delivered once; loading twice
changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance.models.newsletters import Newsletter, NewsletterStatus
from governance.models.subscribers import DeliveryStatus, NewsletterDelivery, NewsletterOptOut, Subscriber
from governance.services import newsletter_send
from stakeholders.models import Chain, Membership, Role
from tests.conftest import sign_in


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("load_demo", stdout=io.StringIO())


def test_zsm_has_subscribers_an_opt_out_and_its_sent_editions_delivered(demo, client):
    zsm = Chain.objects.get(slug="zsm")
    assert Subscriber.objects.filter(chain=zsm).confirmed().count() == 3
    assert Subscriber.objects.filter(chain=zsm, confirmed_at__isnull=True).count() == 1
    assert NewsletterOptOut.objects.filter(chain=zsm).count() == 1
    sent = Newsletter.objects.filter(chain=zsm, status=NewsletterStatus.SENT)
    for edition in sent:
        progress = newsletter_send.progress(edition)
        assert progress.done and progress.sent == progress.total == len(newsletter_send.recipients(edition))
    draft = Newsletter.objects.get(chain=zsm, status=NewsletterStatus.DRAFT)
    assert not draft.deliveries.exists()

    manager = Membership.objects.filter(chain=zsm, role=Role.PROGRAMME_MANAGER).first().person
    page = sign_in(client, manager).get(reverse("mailing:newsletter_send", args=["zsm", sent[0].pk]))
    assert page.status_code == 200 and page.context["progress"].done

    call_command("load_demo", stdout=io.StringIO())  # again: the same
    assert NewsletterDelivery.objects.filter(newsletter__chain=zsm).count() == sum(
        newsletter_send.progress(e).total for e in sent
    )
    assert NewsletterDelivery.objects.exclude(status=DeliveryStatus.SENT).count() == 0
