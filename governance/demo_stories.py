"""The demo's success stories (settings.DEMO_LOADERS, after governance.demo and the decisions): six
ZSM stories published over the last two years, each approved by the leads of the partners it
involves, some linked to an indicator or a decision, the latest with a (drawn) photo; and one story
awaiting approval, approved by one of its two partners so far, the other's lead finds it waiting.

Loading it again changes nothing: a chain that has stories gets none from the demo. Only
organisational data: no citizens, no cases, no real photos.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from ambitions.models import Indicator
from stakeholders.models import Chain, Partnership, Person, Role

from .models import Decision, DecisionStatus
from .models.stories import Story, StoryApproval, StoryStatus

# (days ago published or None while awaiting, title, author's e-mail, partners (short names),
#  approved by (short names; all of them once published), indicator name or "", link a decision, text)
STORIES = [
    (
        700,
        "Eén tafel, één beslissing",
        "lead.om@zsm.demo",
        ["OM", "Politie"],
        "Zaken binnen 24 uur afgedaan",
        False,
        "Sinds politie en OM op de ZSM-locatie **aan één tafel** zitten, valt de beslissing over een "
        "eenvoudige zaak vaak nog dezelfde dag.\n\n- geen heen-en-weer meer per mail\n- de hulpofficier "
        "hoort direct wat het OM nodig heeft",
    ),
    (
        560,
        "Slachtoffers sneller aan de lijn",
        "lead.slachtofferhulp@zsm.demo",
        ["SHN", "Politie"],
        "Slachtoffers binnen 48 uur geïnformeerd",
        False,
        "Slachtofferhulp krijgt de gegevens nu **binnen een dag** van de politie. Daardoor belden we "
        "dit kwartaal bijna alle slachtoffers binnen 48 uur.",
    ),
    (
        420,
        "Vroeghulp op de ZSM-locatie",
        "lead.reclassering@zsm.demo",
        ["RN", "OM"],
        "Reclasseringsadviezen binnen 24 uur",
        True,
        "De reclassering is nu elke werkdag op de locatie. Het OM vraagt een advies aan en heeft het "
        "*dezelfde dag* terug.",
    ),
    (
        300,
        "Jeugdzaken: de Raad schuift aan",
        "lead.rvdk@zsm.demo",
        ["RvdK", "OM", "Politie"],
        "",
        False,
        "Bij jeugdzaken zit de Raad voor de Kinderbescherming nu aan tafel voordat het OM beslist. "
        "Zo komt de situatie thuis mee in de afweging.",
    ),
    (
        150,
        "Een gezamenlijk beeld van de piekdrukte",
        "rapporteur.politie@zsm.demo",
        ["Politie", "OM", "RN", "SHN"],
        "ZSM-zaken ingestroomd",
        True,
        "Na de ketenborrel maakten we één overzicht van de drukte per dag. Op maandag schalen nu **alle partners** op.",
    ),
    (
        40,
        "Minder zaken die blijven liggen",
        "ketenregisseur@zsm.demo",
        ["OM"],
        "Zaken ouder dan 7 dagen in behandeling",
        False,
        "De voorraad zaken ouder dan een week is gehalveerd. Het OM bespreekt die zaken nu elke "
        "ochtend kort met de politie.",
    ),
    (
        None,
        "Schadevergoeding sneller betaald",
        "lead.slachtofferhulp@zsm.demo",
        ["SHN", "OM"],
        "",
        False,
        "Slachtofferhulp en het OM spraken af wie het slachtoffer over de schadevergoeding informeert. "
        "Dat scheelt weken.",
    ),
]
AWAITING_APPROVED_BY = ["SHN"]  # the story awaiting approval: the OM's lead has yet to approve it


def _photo() -> ContentFile:
    """A plain drawn picture (no real photo: no metadata and no people)."""
    image = Image.new("RGB", (1200, 800), "#154273")
    draw = ImageDraw.Draw(image)
    for n in range(5):
        draw.rectangle((100 + n * 210, 500 - n * 70, 260 + n * 210, 700), fill="#f6d04d")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name="demo-verhaal.jpg")


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.filter(slug="zsm").first()
    if zsm is None or Story.objects.filter(chain=zsm).exists():
        return
    partners = {
        p.organisation.short_name: p for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
    }
    leads = {
        person.organisation_id: person
        for person in Person.objects.filter(memberships__chain=zsm, memberships__role=Role.PARTNER_LEAD)
    }
    people = {person.email: person for person in Person.objects.filter(memberships__chain=zsm)}
    indicators = {indicator.name: indicator for indicator in Indicator.objects.filter(ambition__chain=zsm)}
    decision = Decision.objects.filter(chain=zsm, status=DecisionStatus.ADOPTED).order_by("-filed_on", "-pk").first()
    now = timezone.now()
    for days_ago, title, author, involved, indicator, with_decision, body in STORIES:
        chosen = [partners[name] for name in involved if name in partners]
        if not chosen:
            continue
        published_at = now - timedelta(days=days_ago) if days_ago is not None else None
        story = Story(
            chain=zsm,
            title=title,
            body=body,
            author=people.get(author),
            created_at=(published_at or now) - timedelta(days=4),
            updated_at=(published_at or now) - timedelta(days=3),
            published_at=published_at,
            status=StoryStatus.PUBLISHED if published_at else StoryStatus.AWAITING,
        )
        if days_ago == 40:
            story.photo = _photo()
            story.photo_alt = "Getekende staafjes die van links naar rechts kleiner worden: de voorraad daalt."
        story.save()
        story.partners.set(chosen)
        if indicator in indicators:
            story.indicators.set([indicators[indicator]])
        if with_decision and decision is not None:
            story.decisions.set([decision])
        approving = chosen if published_at else [partners[n] for n in AWAITING_APPROVED_BY if n in partners]
        StoryApproval.objects.bulk_create(
            StoryApproval(
                story=story,
                partnership=partner,
                approved_by=leads.get(partner.organisation_id),
                approved_at=(published_at or now) - timedelta(days=1),
            )
            for partner in approving
        )
