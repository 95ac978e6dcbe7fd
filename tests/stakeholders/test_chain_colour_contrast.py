"""The chain colour's contrast rule (stakeholders/colours.py): white text on it must reach 4.5:1;
a lighter colour is refused at the field with the ratio it reaches, and nothing is saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from stakeholders.colours import contrast_with_white, ratio_text, validate_contrast_with_white
from stakeholders.models import Chain
from tests.stakeholders.test_chain_settings import URL, form_data, snapshot


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.mark.parametrize(
    ("colour", "ratio"),
    [("#FFFFFF", 1.0), ("#000000", 21.0), ("#767676", 4.54), ("#777777", 4.48), ("#154273", 10.2)],
)
def test_it_computes_the_wcag_contrast_with_white(colour, ratio):
    assert contrast_with_white(colour) == pytest.approx(ratio, abs=0.01)


def test_it_rounds_the_ratio_down_so_a_refused_colour_never_reads_as_enough():
    assert ratio_text(4.478) == "4.4"
    assert ratio_text(4.5) == "4.5"
    assert ratio_text(21.0) == "21.0"


@pytest.mark.parametrize(("colour", "shown"), [("#777777", "4.4"), ("#FFCC00", "1.5"), ("#ffffff", "1.0")])
def test_it_refuses_a_colour_too_light_for_white_text_naming_the_ratio(world, client_for, colour, shown):
    client = client_for(world.manager)
    before = snapshot(world.chain)
    response = client.post(URL, form_data(client, name="Nieuwe naam", colour=colour))
    assert response.status_code == 422
    assert f"White text on this colour has a contrast of {shown}:1, at least 4.5:1 is needed." in response.text
    assert 'id="id_colour_error"' in response.text
    assert snapshot(world.chain) == before


def test_it_accepts_a_colour_just_dark_enough(world, client_for):
    client = client_for(world.manager)
    assert client.post(URL, form_data(client, colour="#767676")).status_code == 302
    assert Chain.objects.get(pk=world.chain.pk).colour == "#767676"


def test_the_model_refuses_it_too():
    with pytest.raises(ValidationError) as refused:
        validate_contrast_with_white("#FFCC00")
    assert "1.5:1" in str(refused.value)
    validate_contrast_with_white("not a colour")  # the format validator's to refuse, not this one's


def test_the_demo_chains_colours_pass():
    demo = (Path(__file__).resolve().parents[2] / "stakeholders" / "demo.py").read_text()
    colours = re.findall(r'"colour": "(#[0-9a-fA-F]{6})"', demo)
    assert colours, "the demo names its chains' colours"
    for colour in colours:
        assert contrast_with_white(colour) >= 4.5, colour
