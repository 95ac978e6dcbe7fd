"""The demo's newsletters (governance/demo_newsletters.py): ZSM has two sent editions and the last
quarter's draft, drafted from the demo's own happenings; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.models.newsletters import Newsletter, NewsletterStatus, previous_quarter
from stakeholders.models import Chain


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("load_demo", stdout=io.StringIO())


def test_zsm_has_two_sent_editions_and_a_draft(demo, client):
    zsm = Chain.objects.get(slug="zsm")
    editions = list(Newsletter.objects.filter(chain=zsm).order_by("quarter"))
    assert [e.status for e in editions] == [NewsletterStatus.SENT, NewsletterStatus.SENT, NewsletterStatus.DRAFT]
    assert editions[-1].quarter == previous_quarter(timezone.localdate())
    assert all(e.items.exists() for e in editions)
    assert client.get(editions[0].get_public_url()).status_code == 200
    call_command("load_demo", stdout=io.StringIO())  # again: the same
    assert Newsletter.objects.filter(chain=zsm).count() == 3
