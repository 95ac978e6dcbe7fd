"""Add agreements to the benchmark data set (docs/benchmarks.md, "Agreements (issue 11)").

Runs on a database that ``build_national_dataset`` filled (its chains ``bench-*``, ten core
partners each). Over the chains, ``--agreements`` agreements (2,000 by default) of every kind,
each with every core partner of its chain as a party required to sign, ``--versions`` versions
(3) of about 2 KB of Markdown each, and signatures: every party under each earlier version (void
now, kept) and under the current one as its status says (in force, expired and ended: all; for
signature: half; draft: none). Per chain one signer per partner holds a mandate to sign
agreements. The first agreement of each chain, ``BENCH_TITLE``, is for signature with a 1 MB PDF
attached to its current version (stored through the default storage): the page the benchmark
opens and verifies. Fingerprints are the real ones (``fingerprint_of``).

Rows go in with ``bulk_create`` in batches (the signatures' database guard only refuses updates
and deletions). Idempotent: a chain that has agreements is left alone.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from governance.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    PartyRole,
    Signature,
)
from governance.models.agreements import fingerprint_of
from stakeholders.models import Chain, Mandate, MandateScope, Membership, Partnership, Person, Role

AGREEMENTS = 2_000
VERSIONS = 3
BENCH_TITLE = "Benchconvenant met bijlage"
PDF_BYTES = 1024 * 1024
# Per 20 agreements: 12 in force, 4 for signature, 2 expired, 1 ended, 1 draft.
STATUSES = (
    [AgreementStatus.IN_FORCE] * 12
    + [AgreementStatus.FOR_SIGNATURE] * 4
    + [AgreementStatus.EXPIRED] * 2
    + [AgreementStatus.ENDED, AgreementStatus.DRAFT]
)
PARAGRAPH = (
    "De partners stemmen hun werkprocessen af, delen geaggregeerde cijfers per periode en bespreken de "
    "voortgang in het tactisch ketenoverleg. "
)


def pdf_of_size(size: int) -> bytes:
    """A valid one-page PDF padded (in its metadata) to ``size`` bytes."""

    def written(padding: int) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Title": BENCH_TITLE, "/Padding": "x" * padding})
        stream = io.BytesIO()
        writer.write(stream)
        return stream.getvalue()

    bare = len(written(0))
    return written(max(size - bare, 0))


def text_of(number: int, version: int) -> str:
    body = "\n\n".join(f"{index}. {PARAGRAPH * 3}" for index in range(1, 6))
    return f"# Afspraak {number}, versie {version}\n\n{body}\n"


class Command(BaseCommand):
    help = "Add agreements with versions and signatures to the benchmark data set (PostgreSQL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--agreements", type=int, default=AGREEMENTS, help="agreements over all chains")
        parser.add_argument("--versions", type=int, default=VERSIONS, help="versions per agreement")
        parser.add_argument("--pdf-bytes", type=int, default=PDF_BYTES, help="the measured agreement's PDF")

    def handle(self, *args, agreements: int, versions: int, pdf_bytes: int, **options) -> None:
        chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
        if not chains:
            raise CommandError("No benchmark chains: run build_national_dataset first.")
        pdf = pdf_of_size(pdf_bytes)
        per_chain = max(agreements // len(chains), 1)
        password = make_password(None)
        for chain in chains:
            if Agreement.objects.filter(chain=chain).exists():
                self.stdout.write(f"{chain.slug}: has agreements already")
                continue
            with transaction.atomic():
                made = self._chain(chain, per_chain, versions, pdf, password)
            self.stdout.write(f"{chain.slug}: {made}")

    def _chain(self, chain: Chain, count: int, versions: int, pdf: bytes, password: str) -> str:
        partners = list(Partnership.objects.filter(chain=chain).bound().select_related("organisation").order_by("pk"))
        manager = Membership.objects.filter(chain=chain, role=Role.PROGRAMME_MANAGER).first().person
        mandates = self._signers(chain, partners, password)
        today = timezone.localdate()
        made = Agreement.objects.bulk_create(
            [
                Agreement(
                    chain=chain,
                    kind=AgreementKind.values[n % len(AgreementKind.values)],
                    title=BENCH_TITLE if n == 0 else f"Afspraak {n + 1}",
                    valid_from=date(2020, 1, 1) + timedelta(days=n % 1500),
                    valid_until=(today - timedelta(days=30))
                    if self._status(n) == AgreementStatus.EXPIRED
                    else date(2030, 12, 31),
                    evaluate_on=date(2028, 1, 1),
                    status=self._status(n),
                    created_by=manager,
                )
                for n in range(count)
            ],
            batch_size=1000,
        )
        AgreementParty.objects.bulk_create(
            [AgreementParty(agreement=a, partnership=p, role=PartyRole.SIGNS) for a in made for p in partners],
            batch_size=5000,
        )
        all_versions = []
        for n, agreement in enumerate(made):
            for number in range(1, versions + 1):
                text = text_of(n + 1, number)
                all_versions.append(
                    AgreementVersion(
                        agreement=agreement,
                        number=number,
                        text=text,
                        fingerprint=fingerprint_of(text, None),
                        created_by=manager,
                    )
                )
        AgreementVersion.objects.bulk_create(all_versions, batch_size=2000)
        measured = all_versions[versions - 1]  # the first agreement's current version
        measured.attachment.save("bench.pdf", ContentFile(pdf), save=False)
        measured.attachment_name, measured.attachment_size = "benchconvenant.pdf", len(pdf)
        with measured.attachment.storage.open(measured.attachment.name, "rb") as stored:
            measured.fingerprint = fingerprint_of(measured.text, stored.read())
        measured.save(update_fields=["attachment", "attachment_name", "attachment_size", "fingerprint"])
        signatures = []
        now = timezone.now()
        for index, version in enumerate(all_versions):
            n, number = divmod(index, versions)
            status = made[n].status
            current = number == versions - 1
            if not current:
                signing = partners
            elif status == AgreementStatus.DRAFT:
                signing = []
            elif status == AgreementStatus.FOR_SIGNATURE:
                signing = partners[: len(partners) // 2]
            else:
                signing = partners
            for partner in signing:
                mandate = mandates[partner.pk]
                signatures.append(
                    Signature(
                        agreement_id=version.agreement_id,
                        version=version,
                        partnership=partner,
                        organisation_id=partner.organisation_id,
                        person_id=mandate.person_id,
                        mandate=mandate,
                        mandate_valid_from=mandate.valid_from,
                        mandate_valid_until=mandate.valid_until,
                        fingerprint=version.fingerprint,
                        signed_at=now - timedelta(days=(versions - number) * 30),
                        ip_address="192.0.2.1",
                        user_agent="bench",
                    )
                )
        Signature.objects.bulk_create(signatures, batch_size=5000)
        return f"{len(made)} agreements, {len(all_versions)} versions, {len(signatures)} signatures"

    @staticmethod
    def _status(n: int) -> str:
        return AgreementStatus.FOR_SIGNATURE if n == 0 else STATUSES[n % len(STATUSES)]

    def _signers(self, chain: Chain, partners: list[Partnership], password: str) -> dict[int, Mandate]:
        """One partner lead per partner with a mandate to sign agreements (made once)."""
        result = {}
        for partner in partners:
            email = f"signer-{chain.slug}-{partner.pk}@bench.example"
            person, _ = Person.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": f"Ondertekenaar {partner.organisation}",
                    "organisation": partner.organisation,
                    "password": password,
                },
            )
            Membership.objects.get_or_create(person=person, chain=chain, defaults={"role": Role.PARTNER_LEAD})
            result[partner.pk], _ = Mandate.objects.get_or_create(
                person=person,
                partnership=partner,
                scope=MandateScope.SIGN_AGREEMENTS,
                defaults={"valid_from": date(2019, 1, 1)},
            )
        return result
