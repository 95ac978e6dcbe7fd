"""The admin shows a bottleneck's escalations as a record (never added, changed or deleted there),
and refuses to resolve one without resolution and cause, as the page does."""

import pytest
from django.urls import reverse

from governance.models import BottleneckStatus
from governance.services import bottlenecks as service
from tests.governance.bottleneck_fixtures import bottleneck, ladder

pytestmark = pytest.mark.django_db


def test_the_admin_shows_escalations_read_only_and_keeps_the_rules(world, english_client_for):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    service.escalate(item, world.lead_a, "Geen capaciteit.")
    client = english_client_for(world.admin)
    url = reverse("admin:governance_bottleneck_change", args=[item.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Geen capaciteit." in page.content.decode()
    assert 'name="escalations-0-reason"' not in page.content.decode()
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"status": BottleneckStatus.RESOLVED, "resolution": "", "cause": ""}
    data["partners"], data["indicators"] = "", ""
    for prefix in ("escalations", "comments"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data["escalations-TOTAL_FORMS"] = data["escalations-INITIAL_FORMS"] = "1"
    data["escalations-0-id"] = str(item.escalations.get().pk)
    data["escalations-0-bottleneck"] = str(item.pk)
    refused = client.post(url, data)
    assert refused.status_code == 200 and "Say how the bottleneck was resolved." in refused.content.decode()
    item.refresh_from_db()
    assert item.status == BottleneckStatus.REPORTED
