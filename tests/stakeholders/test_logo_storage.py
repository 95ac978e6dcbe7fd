"""Chain logos go through Django's storage API only: any configured store works (an S3 bucket in
production, MEDIA_STORAGE=s3), and nothing is written to or read from a local media folder."""

import pytest
from django.core.files.storage import storages

from stakeholders.models import Chain
from tests.conftest import World
from tests.stakeholders.test_chain_settings import URL, form_data, image_bytes, upload


@pytest.fixture
def store_elsewhere(settings, tmp_path):
    """A store that is not a folder (as a bucket is not), and a media folder that must stay empty."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.MEDIA_ROOT = tmp_path
    return tmp_path  # (changing STORAGES resets Django's storage handler, also when it is undone)


def test_it_stores_and_serves_a_logo_from_any_configured_store(world: World, english_client_for, store_elsewhere):
    client = english_client_for(world.manager)
    content = image_bytes()
    response = client.post(URL, form_data(client, logo=upload("zsm.png", content)))
    assert response.status_code == 302

    chain = Chain.objects.get(pk=world.chain.pk)
    assert storages["default"].exists(chain.logo.name)
    assert list(store_elsewhere.iterdir()) == []
    logo = client.get("/ketens/zsm/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == content
