import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stakeholders.models import Chain
from tests.conftest import World

URL = "/ketens/zsm/instellingen/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (40, 20), noise: bool = False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (21, 66, 115))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(client, **overrides) -> dict:
    """What the settings form submits when left as it is, with the version token it was served with."""
    form = client.get(URL).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name != "logo"}
    data["version_token"] = form["version_token"].value()
    data.update(overrides)
    return data


def snapshot(chain: Chain) -> dict:
    return Chain.objects.values().get(pk=chain.pk)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def test_it_shows_the_settings_form_to_the_programme_manager(world: World, client_for):
    response = client_for(world.manager).get(URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    for label in (
        "Tagline",
        "Societal question",
        "Chain colour",
        "Logo",
        "Reporting frequency",
        "Report on working day",
    ):
        assert label.lower() in response.text.lower()
    assert 'href="/ketens/zsm/instellingen/" aria-current="page"' in response.text
    assert "History" in response.text


def test_it_lets_the_platform_administrator_in(world: World, client_for):
    assert client_for(world.admin).get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["viewer", "contributor_a", "lead_a"])
def test_it_refuses_members_who_do_not_manage_the_chain(world: World, client_for, persona):
    client = client_for(getattr(world, persona))
    before = snapshot(world.chain)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Gekaapt", "colour": "#000000"}).status_code == 403
    assert snapshot(world.chain) == before


def test_it_hides_the_settings_from_outsiders(world: World, client_for):
    assert client_for(world.outsider).get(URL).status_code == 404
    assert client_for(world.outsider).post(URL, {"name": "Gekaapt"}).status_code == 404
    assert Chain.objects.get(pk=world.chain.pk).name == "ZSM"


def test_it_saves_the_settings_and_shows_the_new_logo_on_chain_home(world: World, client_for, media_root):
    client = client_for(world.manager)
    data = form_data(
        client,
        name="ZSM Meer Maatwerk",
        tagline="Recht doen binnen 24 uur",
        kind="network",
        societal_question="Hoe handelen we veelvoorkomende criminaliteit snel af?",
        mission="Samen sneller, betekenisvol afdoen.",
        shared_values="Snelheid\nZorgvuldigheid",
        colour="#AA3300",
        reporting_frequency="quarter",
        report_working_day="5",
        logo=upload("zsm.png", image_bytes()),
    )
    response = client.post(URL, data, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "The settings of ZSM Meer Maatwerk have been saved." in response.text

    chain = Chain.objects.get(pk=world.chain.pk)
    assert chain.name == "ZSM Meer Maatwerk"
    assert chain.kind == "network"
    assert chain.colour == "#AA3300"
    assert chain.reporting_frequency == "quarter"
    assert chain.report_working_day == 5
    assert chain.logo.name.startswith("chain-logos/")
    assert (media_root / chain.logo.name).is_file()

    home = client.get("/ketens/zsm/").text
    assert 'src="/ketens/zsm/logo/?v=' in home
    logo = client.get("/ketens/zsm/logo/")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == (media_root / chain.logo.name).read_bytes()
    assert "Logo of ZSM Meer Maatwerk" in home
    assert "Recht doen binnen 24 uur" in home
    assert "border-top-color: #AA3300" in home

    # The change is in the chain's history, with before and after.
    history = client.get(URL).text.split('id="history-heading"')[1]
    assert "ZSM Meer Maatwerk" in history
    assert "#AA3300" in history


def test_it_accepts_jpeg_and_webp_logos(world: World, client_for):
    client = client_for(world.manager)
    for image_format, name in (("JPEG", "logo.jpg"), ("WEBP", "logo.webp")):
        response = client.post(URL, form_data(client, logo=upload(name, image_bytes(image_format))))
        assert response.status_code == 302, image_format
        assert Chain.objects.get(pk=world.chain.pk).logo.name.endswith(name.split(".")[1])


def assert_refused(response, message: str, before: dict, chain: Chain, media_root) -> None:
    assert response.status_code == 422
    assert message in response.text
    assert "utrecht-form-field--invalid" in response.text
    assert snapshot(chain) == before
    assert stored_files(media_root) == []


def test_it_refuses_a_text_file_named_png_and_saves_nothing(world: World, client_for, media_root):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    data = form_data(client, name="Nieuwe naam", logo=upload("logo.png", b"this is not an image\n" * 10))
    response = client.post(URL, data)
    assert_refused(response, "Upload a valid image", before, world.chain, media_root)
    assert 'id="id_logo_error"' in response.text


def test_it_refuses_an_svg_logo(world: World, client_for, media_root):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    data = form_data(client, name="Nieuwe naam", logo=upload("logo.svg", svg, "image/svg+xml"))
    assert_refused(client.post(URL, data), "Upload a valid image", before, world.chain, media_root)


def test_it_refuses_an_image_in_another_format(world: World, client_for, media_root):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    data = form_data(client, name="Nieuwe naam", logo=upload("logo.png", image_bytes("GIF"), "image/gif"))
    assert_refused(client.post(URL, data), "A logo must be a PNG, JPEG or WebP image.", before, world.chain, media_root)


def test_it_refuses_a_logo_that_is_too_large(world: World, client_for, media_root, settings):
    big = image_bytes("PNG", size=(500, 500), noise=True)
    assert len(big) > settings.LOGO_MAX_BYTES
    client = client_for(world.manager)
    before = snapshot(world.chain)
    response = client.post(URL, form_data(client, name="Nieuwe naam", logo=upload("big.png", big)))
    assert_refused(response, "a logo can be at most 512", before, world.chain, media_root)


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("red", "Enter a colour as #RRGGBB"),
        ("#12345", "Enter a colour as #RRGGBB"),
        ("#GGGGGG", "Enter a colour as #RRGGBB"),
        ("154273", "Enter a colour as #RRGGBB"),
        ("#1234567", "at most 7 characters"),
    ],
)
def test_it_refuses_a_colour_that_is_not_rrggbb(world: World, client_for, media_root, colour, message):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    data = form_data(client, name="Nieuwe naam", colour=colour, logo=upload("zsm.png", image_bytes()))
    response = client.post(URL, data)
    assert_refused(response, message, before, world.chain, media_root)
    assert 'id="id_colour_error"' in response.text


@pytest.mark.parametrize("day", ["0", "21", "tien"])
def test_it_refuses_a_working_day_outside_the_month(world: World, client_for, media_root, day):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    response = client.post(URL, form_data(client, report_working_day=day))
    assert response.status_code == 422
    assert 'id="id_report_working_day_error"' in response.text
    assert snapshot(world.chain) == before


def test_it_refuses_to_overwrite_settings_changed_meanwhile(world: World, client_for):
    client = client_for(world.manager)
    stale = form_data(client, mission="Mijn versie van de missie")
    Chain.objects.filter(pk=world.chain.pk).update(mission="Intussen door een collega aangepast")

    response = client.post(URL, stale)
    assert response.status_code == 422
    assert "Someone else changed this while you were editing" in response.text
    assert "Intussen door een collega aangepast" in response.text
    assert Chain.objects.get(pk=world.chain.pk).mission == "Intussen door een collega aangepast"

    # The re-rendered form carries the new version: saving again, on purpose, goes through.
    again = dict(stale, version_token=response.context["form"]["version_token"].value())
    assert client.post(URL, again).status_code == 302
    assert Chain.objects.get(pk=world.chain.pk).mission == "Mijn versie van de missie"


def test_it_serves_the_logo_only_to_members_of_the_chain(world: World, client_for, media_root):
    client = client_for(world.manager)
    client.post(URL, form_data(client, logo=upload("zsm.png", image_bytes())))
    assert client_for(world.viewer).get("/ketens/zsm/logo/").status_code == 200
    assert client_for(world.outsider).get("/ketens/zsm/logo/").status_code == 404
    assert client_for(world.viewer).get("/ketens/jeugd/logo/").status_code == 404  # no logo and not a member
