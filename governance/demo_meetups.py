"""The demo's relationship events (settings.DEMO_LOADERS, after governance.demo): ZSM's borrel went
round its core partners, each hosting once in turn (alphabetically, as the rotation says), every
two months into the past, each with a short report (the latest with a photo) and the members'
answers; and one borrel is planned three weeks ahead at the partner whose turn it is now.

Loading it again changes nothing: a chain that has meetups gets none from the demo. Only organisational
data: no citizens or cases.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from stakeholders.models import Chain, Membership, Partnership

from .models.meetups import Meetup, MeetupKind, MeetupRsvp, RsvpAnswer
from .services.meetings import rotation
from .services.series import aware

EVERY_DAYS = 61  # about every two months
REPORTS = [
    "Zo'n dertig mensen uit de hele keten. Veel gesprekken over de overdracht na de ZSM-beslissing; "
    "twee nieuwe collega's kenden elkaar alleen van de telefoon.",
    "Rondleiding over de werkvloer en daarna een borrel. De vraag hoe we elkaars piekdrukte eerder zien "
    "kwam steeds terug; er komt een gezamenlijk overzicht.",
    "Kleiner gezelschap dan vorige keer, maar goede gesprekken over slachtofferinformatie en over "
    "de adviezen die soms te laat komen.",
    "Een warme avond: de host vertelde over hun nieuwe werkwijze en iedereen bleef langer dan gepland.",
    "Gezellig en nuttig. Afgesproken om bij de volgende borrel ook de operationele teams uit te nodigen.",
    "De eerste borrel in deze opzet: kennismaken buiten de vergaderzaal. Iedereen wil dit vaker.",
]


def _photo() -> ContentFile:
    """A plain drawn picture (no real photo, so no metadata and no people)."""
    image = Image.new("RGB", (1200, 800), "#154273")
    draw = ImageDraw.Draw(image)
    for n in range(8):
        draw.ellipse((80 + n * 130, 420, 180 + n * 130, 520), fill="#f6d04d")
        draw.rectangle((110 + n * 130, 520, 150 + n * 130, 700), fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name="demo-borrel.jpg")


def load_demo() -> None:
    zsm = Chain.objects.get(slug="zsm")
    turns = rotation(zsm.pk)
    if not turns or Meetup.objects.filter(chain=zsm).exists():
        return
    members = list(Membership.objects.filter(chain=zsm).order_by("person__email").values_list("person_id", flat=True))
    today = timezone.localdate()
    # Oldest first: the first partner in turn hosted the earliest borrel.
    for index, host in enumerate(turns):
        day = today - timedelta(days=EVERY_DAYS * (len(turns) - index))
        _borrel(zsm, host, day, members, report=REPORTS[index % len(REPORTS)], photo=index == len(turns) - 1)
    _borrel(zsm, turns[0], today + timedelta(days=21), members, report="", photo=False)


def _place(host: Partnership) -> str:
    return f"{host.organisation.name}, Amsterdam"


@transaction.atomic
def _borrel(zsm: Chain, host: Partnership, day, members: list[int], *, report: str, photo: bool) -> None:
    title = f"Ketenborrel bij {host.organisation.short_name or host.organisation.name} ({day:%m-%Y})"
    starts = aware(datetime.combine(day, time(16, 30)))
    past = day < timezone.localdate()
    meetup = Meetup.objects.create(
        chain=zsm,
        kind=MeetupKind.BORREL,
        title=title,
        host=host,
        place=_place(host),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        description="Informeel samenzijn van de ketenpartners, met een hapje en een drankje.",
        report=report,
        report_photo_alt="Getekende partners proosten samen onder een blauwe lucht." if photo else "",
        reported_at=starts + timedelta(days=1) if past and report else None,
    )
    if photo:
        meetup.report_photo.save("demo-borrel.jpg", _photo())
    chance = random.Random(title)  # noqa: S311 (demo data, not security)
    answers = [RsvpAnswer.YES] * 6 + [RsvpAnswer.MAYBE] * 2 + [RsvpAnswer.NO] * 2
    MeetupRsvp.objects.bulk_create(
        MeetupRsvp(meetup=meetup, person_id=person, answer=chance.choice(answers))
        for person in members
        if chance.random() < (0.7 if past else 0.4)
    )
