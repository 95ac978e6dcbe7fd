"""Links in e-mails lead to the portal by one rule (ketenportaal/links.py): SITE_URL when set,
else the host the request came in on (never a host the portal does not serve), else, for mails
without a request, the first allowed host name."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.utils import timezone

from ketenportaal.links import site_url
from stakeholders import tasks
from stakeholders.digest import send_daily_digests
from stakeholders.models import Invitation, Role
from stakeholders.notify import notify
from tests.conftest import World, sign_in
from tests.factories import MandateFactory

INVITE = "/ketens/zsm/mensen/uitnodigen/"
PORTAL = "portal.example.nl"


@pytest.fixture
def served_on_another_host(settings):
    """The portal reached by a host name of its own, without SITE_URL (as the demo on a LAN)."""
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, PORTAL, "testserver"]


def invite(client: Client, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            INVITE, {"email": "nieuw@example.nl", "full_name": "Nieuw", "role": Role.VIEWER}, headers=headers
        )


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_it_links_an_invitation_to_the_host_it_was_sent_from(
    world: World, client_for, mailoutbox, django_capture_on_commit_callbacks, served_on_another_host
):
    response = invite(client_for(world.manager), django_capture_on_commit_callbacks, host=PORTAL)
    assert response.status_code == 302
    (link,) = links_in(mailoutbox[0].body)
    assert link.startswith(f"http://{PORTAL}/uitnodiging/")


def test_it_links_an_invitation_to_site_url_when_set(
    world: World, client_for, mailoutbox, django_capture_on_commit_callbacks, served_on_another_host, settings
):
    settings.SITE_URL = "https://ketenportaal.example.nl/"
    invite(client_for(world.manager), django_capture_on_commit_callbacks, host=PORTAL)
    (link,) = links_in(mailoutbox[0].body)
    assert link.startswith("https://ketenportaal.example.nl/uitnodiging/")


def test_it_mails_no_link_to_a_host_it_does_not_serve(
    world: World, client_for, mailoutbox, django_capture_on_commit_callbacks, served_on_another_host
):
    response = invite(client_for(world.manager), django_capture_on_commit_callbacks, host="elders.example")
    assert response.status_code == 400
    assert mailoutbox == []
    assert not Invitation.objects.exists()


@pytest.fixture
def fresh_throttle_counts(settings):
    """Reset requests counted from zero (stakeholders/throttles.py keeps counts in the real cache)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


def test_it_links_a_password_reset_to_the_host_it_was_asked_on(
    world: World, mailoutbox, served_on_another_host, fresh_throttle_counts
):
    response = Client().post("/wachtwoord-vergeten/", {"email": world.viewer.email}, headers={"host": PORTAL})
    assert response.status_code == 302
    (link,) = links_in(mailoutbox[0].body)
    assert link.startswith(f"http://{PORTAL}/wachtwoord-instellen/")


def test_it_links_the_daily_digest_to_site_url(world: World, mailoutbox, settings):
    settings.SITE_URL = "https://ketenportaal.example.nl"
    notify([world.lead_a], world.chain, "Er wacht iets", "/ketens/zsm/", key="k")
    send_daily_digests()
    links = links_in(mailoutbox[0].body)
    assert links and all(link.startswith("https://ketenportaal.example.nl/") for link in links)


def test_it_links_a_mandate_warning_to_site_url(world: World, mailoutbox, settings):
    settings.SITE_URL = "https://ketenportaal.example.nl"
    MandateFactory(
        person=world.lead_a, partnership=world.partner_a, valid_until=timezone.localdate() + timedelta(days=10)
    )
    tasks.run_housekeeping()
    assert links_in(mailoutbox[0].body) == ["https://ketenportaal.example.nl/ketens/zsm/mandaten/"]


def test_it_takes_the_first_host_name_for_mails_without_a_request(settings):
    settings.SITE_URL = ""
    settings.PRODUCTION = True
    settings.ALLOWED_HOSTS = [".example.nl", "ketenportaal.example.nl", "*"]
    assert site_url() == "https://ketenportaal.example.nl"
    settings.PRODUCTION = False
    assert site_url() == "http://localhost:8000"


def test_it_refuses_production_without_an_address_for_mails(settings):
    settings.PRODUCTION = True
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = [".example.nl"]
    with pytest.raises(SystemCheckError, match="ketenportaal.E004"):
        call_command("check", "--deploy", "--tag", "security")


def test_it_signs_in_from_the_link_it_mailed(world: World, client_for, mailoutbox, django_capture_on_commit_callbacks):
    # SITE_URL is not set in the tests: the link leads back to the test server, and works there.
    invite(sign_in(Client(), world.manager), django_capture_on_commit_callbacks)
    (link,) = links_in(mailoutbox[0].body)
    assert link.startswith("http://testserver/uitnodiging/")
    assert Client().get(link).status_code == 200
