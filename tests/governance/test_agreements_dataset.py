"""The benchmark's agreements data set (manage.py build_agreements_dataset, docs/benchmarks.md):
built on the national set at a small size, it keeps the models' rules — every fingerprint is the
content's, a signature is only under a version of its own agreement by a party with a mandate,
the measured agreement's PDF is stored and verifies — and a second run adds nothing."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from governance.management.commands.build_agreements_dataset import BENCH_TITLE
from governance.models import Agreement, AgreementStatus, AgreementVersion, Signature
from governance.models.agreements import fingerprint_of
from governance.services import agreements as services
from tests.services import requires_services

pytestmark = requires_services(postgres=True)


@pytest.fixture
def dataset(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("build_national_dataset", chains=1, units=2, indicators=4, periods=3, people=30, stdout=out)
    call_command("build_agreements_dataset", agreements=40, versions=3, pdf_bytes=50_000, stdout=out)


def test_it_builds_agreements_with_versions_and_signatures_that_verify(dataset):
    assert Agreement.objects.count() == 40
    assert AgreementVersion.objects.count() == 120
    statuses = Counter(Agreement.objects.values_list("status", flat=True))
    assert statuses[AgreementStatus.IN_FORCE] > statuses[AgreementStatus.FOR_SIGNATURE] > 0
    for version in AgreementVersion.objects.exclude(attachment=""):
        assert services.verify(version).intact
    for version in AgreementVersion.objects.filter(attachment="")[:20]:
        assert version.fingerprint == fingerprint_of(version.text, None)
    measured = Agreement.objects.get(title=BENCH_TITLE)
    current = services.current_version(measured)
    assert current.attachment and current.attachment_size >= 50_000
    assert measured.status == AgreementStatus.FOR_SIGNATURE
    for signature in Signature.objects.select_related("version", "mandate")[:200]:
        assert signature.version.agreement_id == signature.agreement_id
        assert signature.fingerprint == signature.version.fingerprint
        assert signature.mandate.partnership_id == signature.partnership_id


def test_a_second_run_adds_nothing(dataset):
    before = (Agreement.objects.count(), Signature.objects.count())
    call_command("build_agreements_dataset", agreements=40, stdout=io.StringIO())
    assert (Agreement.objects.count(), Signature.objects.count()) == before
