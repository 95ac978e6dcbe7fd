"""Success stories (governance/views/stories.py, governance/services/stories.py): writing one,
the partners' one-click approval and publication, approvals withdrawn by a content edit, who
reads what, the safe Markdown, the photo's rules and the indicator page's list."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from governance.models.stories import Story, StoryApproval, StoryStatus
from governance.services import stories as rules
from stakeholders.models import Notification
from tests.conftest import in_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name: str, story: Story | None = None, slug: str = "zsm") -> str:
    args = [slug] if story is None else [slug, story.pk]
    return reverse(f"governance-stories:story_{name}", args=args)


def a_story(w, *partners, author=None, **fields) -> Story:
    story = Story.objects.create(
        chain=w.chain,
        title=fields.pop("title", "Sneller recht"),
        body="Het **werkt**.",
        author=author or w.contributor_a,
    )
    story.partners.set(partners or [w.partner_a, w.partner_b])
    return story


def jpeg_with_exif(size=(2400, 1200)) -> bytes:
    image = Image.new("RGB", size, "#154273")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x010E] = "Thuisadres van de fotograaf"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"geheim")
    return out.getvalue()


def form_data(w, **changes) -> dict:
    data = {
        "title": "Binnen 24 uur afgedaan",
        "body": "Dankzij de **ketenafspraak** gaat het sneller.",
        "photo_alt": "",
        "partners": [w.partner_a.pk, w.partner_b.pk],
    }
    data.update(changes)
    return data


def approve(client, story, partner, token=None):
    token = token if token is not None else rules.approval_token(Story.objects.get(pk=story.pk))
    return client.post(url("approve", story), {"partner": partner.pk, "token": token})


def test_it_writes_a_story_that_awaits_approval_and_tells_the_leads(world, client_for):
    w = world
    client = client_for(w.contributor_a)
    response = client.post(url("create"), form_data(w))
    story = Story.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", story)
    assert story.author == w.contributor_a and story.status == StoryStatus.AWAITING and story.published_at is None
    assert set(story.partners.all()) == {w.partner_a, w.partner_b}
    # Both leads are asked; the author is not told about their own story.
    assert set(Notification.objects.values_list("person__email", flat=True)) == {
        "lead-a@example.nl",
        "lead-b@example.nl",
    }


def test_it_publishes_when_every_partner_involved_approved(world, client_for):
    w = world
    story = a_story(w)
    response = approve(client_for(w.lead_a), story, w.partner_a)
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.is_published
    approve(client_for(w.lead_b), story, w.partner_b)
    story.refresh_from_db()
    assert story.is_published and story.status == StoryStatus.PUBLISHED
    assert list(Story.objects.published().filter(chain=w.chain)) == [story]
    assert Notification.objects.filter(person=w.contributor_a, key=f"story-published:{story.pk}").exists()
    assert StoryApproval.objects.filter(story=story).count() == 2


def test_it_refuses_a_second_approval_a_stale_one_and_one_for_another_partner(world, client_for):
    w = world
    story = a_story(w)
    lead_a = client_for(w.lead_a)
    assert approve(lead_a, story, w.partner_a, token="stale").status_code == 422
    assert not StoryApproval.objects.exists()
    assert approve(lead_a, story, w.partner_a).status_code == 302
    assert approve(lead_a, story, w.partner_a).status_code == 422  # already approved
    assert approve(lead_a, story, w.partner_b).status_code == 403  # not lead A's organisation
    assert approve(client_for(w.manager), story, w.partner_b).status_code == 403  # a manager is no partner's lead
    assert approve(client_for(w.contributor_a), story, w.partner_a).status_code == 403
    assert StoryApproval.objects.count() == 1


def test_a_content_edit_withdraws_the_approvals_and_unpublishes(world, client_for):
    w = world
    story = a_story(w)
    approve(client_for(w.lead_a), story, w.partner_a)
    approve(client_for(w.lead_b), story, w.partner_b)
    story.refresh_from_db()
    assert story.is_published
    author = in_english(client_for(w.contributor_a))
    page = author.get(url("edit", story))
    token = page.context["form"]["version_token"].value()
    response = author.post(
        url("edit", story), {**form_data(w, title="Sneller recht, nu nog sneller"), "version_token": token}
    )
    assert response.status_code == 302, response.context["form"].errors
    shown = author.get(response["Location"]).content.decode()
    assert "asked to approve it again" in shown
    story.refresh_from_db()
    assert not story.is_published and story.status == StoryStatus.AWAITING
    assert not StoryApproval.objects.filter(story=story).exists()


def test_linking_an_indicator_keeps_the_approvals(world, measures, client_for):
    w = world
    story = a_story(w, title="Binnen 24 uur afgedaan")
    story.body = "Dankzij de **ketenafspraak** gaat het sneller."
    story.save()
    approve(client_for(w.lead_a), story, w.partner_a)
    author = client_for(w.contributor_a)
    token = author.get(url("edit", story)).context["form"]["version_token"].value()
    indicator = measures.share
    author.post(url("edit", story), {**form_data(w, indicators=[indicator.pk]), "version_token": token})
    assert list(story.indicators.all()) == [indicator]
    assert StoryApproval.objects.filter(story=story).count() == 1


def test_a_stale_edit_is_refused_and_changes_nothing(world, client_for):
    w = world
    story = a_story(w)
    author = client_for(w.contributor_a)
    token = author.get(url("edit", story)).context["form"]["version_token"].value()
    client_for(w.manager).post(
        url("edit", story),
        {**form_data(w, title="Van de regisseur"), "version_token": token},
    )
    response = author.post(url("edit", story), {**form_data(w, title="Van de auteur"), "version_token": token})
    assert response.status_code == 422
    story.refresh_from_db()
    assert story.title == "Van de regisseur"


def test_who_edits_and_who_writes(world, client_for):
    w = world
    story = a_story(w)
    assert client_for(w.lead_a).get(url("edit", story)).status_code == 403  # not the author
    assert client_for(w.manager).get(url("edit", story)).status_code == 200
    assert client_for(w.viewer).get(url("create")).status_code == 403  # a reader only
    assert client_for(w.lead_b).get(url("create")).status_code == 200


def test_a_story_awaiting_approval_is_hidden_from_who_is_not_involved(world, client_for):
    w = world
    story = a_story(w, w.partner_b, author=w.lead_b)
    assert client_for(w.viewer).get(url("detail", story)).status_code == 404
    assert client_for(w.contributor_a).get(url("detail", story)).status_code == 404  # partner A is not involved
    assert client_for(w.lead_b).get(url("detail", story)).status_code == 200
    assert client_for(w.manager).get(url("detail", story)).status_code == 200
    listed = client_for(w.viewer).get(url("list"))
    assert story.title not in listed.content.decode()
    approve(client_for(w.lead_b), story, w.partner_b)
    assert client_for(w.viewer).get(url("detail", story)).status_code == 200


def test_markdown_is_rendered_and_html_never_runs(world, client_for):
    w = world
    story = a_story(w, w.partner_a)
    story.body = (
        "# Kop\n\nEen **vet** woord. <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "[klik](javascript:alert(3)) en [goed](https://example.nl)"
    )
    story.save()
    html = client_for(w.lead_a).get(url("detail", story)).content.decode()
    text = html.split('id="story-text">', 1)[1].split("</div>", 1)[0]
    assert "<strong>vet</strong>" in text and "<h2>Kop</h2>" in text
    assert "<script>" not in text and "<img" not in text and 'href="javascript' not in text
    assert "&lt;script&gt;" in text
    assert 'href="https://example.nl"' in text


def test_the_form_takes_title_body_and_indicator_from_the_address(world, measures, client_for):
    w = world
    response = client_for(w.contributor_a).get(
        url("create"), {"title": "Borrel bij de politie", "body": "Een *mooie* middag.", "indicator": measures.share.pk}
    )
    form = response.context["form"]
    assert form["title"].value() == "Borrel bij de politie"
    assert form["body"].value() == "Een *mooie* middag."
    assert [int(pk) for pk in form["indicators"].value()] == [measures.share.pk]


def test_the_photo_is_resized_and_stripped_of_its_metadata(world, client_for):
    w = world
    upload = SimpleUploadedFile("vakantie.png", jpeg_with_exif(), content_type="image/png")
    client = client_for(w.contributor_a)
    response = client.post(
        url("create"), {**form_data(w, photo_alt="Agenten en officieren op het bureau"), "photo": upload}
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.photo.name.endswith(".jpg") and "vakantie" not in story.photo.name
    with story.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
        assert not image.getexif() and "exif" not in image.info
    photo = client.get(url("photo", story))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "alt", "field", "message"),
    [
        (b"%PDF-1.4 not an image", "Een foto", "photo", "Upload a valid image"),
        ("big", "Een foto", "photo", "5.0\xa0MB"),
        ("fine", "", "photo_alt", "Describe what the photo shows"),
    ],
)
def test_a_bad_photo_is_refused_at_its_field_and_nothing_is_saved(world, client_for, content, alt, field, message):
    w = world
    if content == "big":
        content = b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1)
    elif content == "fine":
        content = jpeg_with_exif((40, 40))
    upload = SimpleUploadedFile("foto.jpg", content, content_type="image/jpeg")
    client = in_english(client_for(w.contributor_a))
    response = client.post(url("create"), {**form_data(w, photo_alt=alt), "photo": upload})
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not Story.objects.exists()


def test_a_story_needs_a_partner(world, client_for):
    w = world
    response = client_for(w.contributor_a).post(url("create"), form_data(w, partners=[]))
    assert response.status_code == 422 and "partners" in response.context["form"].errors
    assert not Story.objects.exists()


def test_an_indicators_page_lists_its_published_stories(world, measures, client_for):
    w = world
    published = a_story(w, w.partner_a, title="Gepubliceerd verhaal")
    published.indicators.set([measures.share])
    awaiting = a_story(w, w.partner_a, title="Nog niet goedgekeurd")
    awaiting.indicators.set([measures.share])
    approve(client_for(w.lead_a), published, w.partner_a)
    page = client_for(w.viewer).get(reverse("ambitions:indicator_detail", args=["zsm", measures.share.pk]))
    html = page.content.decode()
    assert "Gepubliceerd verhaal" in html and "Nog niet goedgekeurd" not in html
    assert 'id="indicator-story-create"' not in html  # a viewer writes none


def test_the_list_costs_a_fixed_number_of_queries(world, client_for, max_page_queries):
    w = world
    for n in range(8):
        story = a_story(w, title=f"Verhaal {n}")
        if n % 2:
            StoryApproval.objects.create(story=story, partnership=w.partner_a)
    client = client_for(w.manager)
    client.get(url("list"))
    with max_page_queries(12):
        response = client.get(url("list"))
    assert response.status_code == 200 and "Verhaal 7" in response.content.decode()


def test_awaiting_my_approval(world):
    w = world
    story = a_story(w)
    assert list(rules.awaiting_my_approval(w.lead_a)) == [story]
    StoryApproval.objects.create(story=story, partnership=w.partner_a)
    assert list(rules.awaiting_my_approval(w.lead_a)) == []
    assert list(rules.awaiting_my_approval(w.lead_b)) == [story]
    assert list(rules.awaiting_my_approval(w.contributor_a)) == []


def test_my_work_lists_the_stories_waiting_for_my_approval(world, client_for):
    w = world
    story = a_story(w, title="Wacht op de politie")
    page = client_for(w.lead_a).get(reverse("stakeholders:my_work")).content.decode()
    assert 'id="my-work-stories"' in page and url("detail", story) in page
    StoryApproval.objects.create(story=story, partnership=w.partner_a)
    assert "Wacht op de politie" not in client_for(w.lead_a).get(reverse("stakeholders:my_work")).content.decode()


def test_my_works_item_costs_one_query(world, django_assert_num_queries):
    from governance import my_work_stories

    w = world
    for n in range(3):
        a_story(w, title=f"Verhaal {n}")
    with django_assert_num_queries(1):
        items = my_work_stories.items(w.lead_b)
        assert [s.chain.slug for s in items["stories_to_approve"]] == ["zsm"] * 3
