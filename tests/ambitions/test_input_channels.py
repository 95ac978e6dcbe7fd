"""Hostile and Dutch input in every channel that writes a figure (issue 8, points 2, 3, 7 and 9):
the grid's cell endpoint (htmx), the whole grid as one form (no JavaScript), the single API and
the bulk API. Each refusal is a message at the field with status 422 (pages) or 400 (API), and
nothing is saved; nothing answers 500."""

from __future__ import annotations

import html
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from ambitions.models import ChainAggregate, Figure, FigureChange, PeriodSubmission, SubmissionStatus
from ambitions.services.entry import COMMENT_MAX, CellInput, save_cell
from tests.ambitions.test_entry import HTMX, cell_post, cell_url, grid_url, text_of
from tests.api.problems import messages, row_messages

PAGES = ("cell", "grid")
APIS = ("api", "bulk")
CHANNELS = PAGES + APIS
RAW = "@raw@"  # in an API row: replaced by the JSON text in ``raw``, e.g. a number no float holds


def send(channel: str, m, client, indicator, unit, revision: int = 0, raw: str = "", **fields):
    """Post one cell's fields through ``channel``; returns the response. Pages take typed text,
    the API JSON values (``RAW`` stands for the JSON text ``raw``)."""
    if channel == "cell":
        return client.post(cell_url(m), cell_post(indicator, unit, revision=revision, **fields), **HTMX)
    if channel == "grid":
        return client.post(grid_url(m), cell_post(indicator, unit, revision=revision, **fields))
    row = {"indicator": indicator.pk, "unit": unit.pk, "period": m.period.slug, **fields}
    if revision:
        row["revision"] = revision
    body = json.dumps(row if channel == "api" else [row]).replace(f'"{RAW}"', raw)
    url = reverse("ambitions-api:figure-list" if channel == "api" else "ambitions-api:figure-bulk")
    return client.post(url, body, content_type="application/json")


def message_of(channel: str, response, field: str) -> str:
    """The refusal's message(s) for ``field`` (pages: the page's text)."""
    if channel in PAGES:
        return html.unescape(text_of(response.text))
    body = response.json()
    errors = messages(body) if channel == "api" else row_messages(body)[0]
    return " ".join(errors[field])


def assert_refused(channel: str, response, field: str, message: str) -> None:
    assert response.status_code == (422 if channel in PAGES else 400), response.content[:500]
    assert message in message_of(channel, response, field)


def rollups() -> list:
    """The roll-ups that count a figure (a refused save may leave an empty one: the lock's row)."""
    return list(
        ChainAggregate.objects.filter(reported__gt=0)
        .order_by("pk")
        .values_list("indicator_id", "period", "value_sum", "numerator_sum", "reported")
    )


# --- Point 2: Dutch numbers in forms, canonical numbers in the API ---------------------------------


@pytest.mark.parametrize("channel", PAGES)
def test_a_form_reads_a_dot_before_three_digits_as_thousands(measures, client_for, channel):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)  # in Dutch, the portal's default language
    assert send(channel, m, client, m.count, w.unit_a, value="1.000").status_code in (200, 302)
    response = send(channel, m, client, m.share, w.unit_a, numerator="1.200", denominator="1.500")
    assert response.status_code in (200, 302)
    count = Figure.objects.get(indicator=m.count)
    share = Figure.objects.get(indicator=m.share)
    assert count.value == 1000
    assert (share.numerator, share.denominator, share.value) == (1200, 1500, 80)


@pytest.mark.parametrize("channel", PAGES)
@pytest.mark.parametrize(
    ("indicator", "fields", "field", "message"),
    [
        ("count", {"value": "1.5"}, "value", "write 1,5, or 1500 for thousands"),  # English UI
        ("count", {"value": "12,5"}, "value", "Enter a whole number"),
        ("share", {"numerator": "0,00005", "denominator": "1"}, "numerator", "it would be stored as 0"),
        ("count", {"value": "1,000.5"}, "value", "the Dutch way"),
        ("count", {"value": "\u0661\u0662"}, "value", "Enter a number"),
        ("count", {"value": "1_000"}, "value", "Enter a number"),
    ],
)
def test_a_form_refuses_what_a_dutch_reader_could_misread(
    measures, english_client_for, channel, indicator, fields, field, message
):
    m, w = measures, measures.world
    response = send(channel, m, english_client_for(w.contributor_a), getattr(m, indicator), w.unit_a, **fields)
    assert_refused(channel, response, field, message)
    assert not Figure.objects.exists()


def test_the_english_ui_refuses_what_english_and_dutch_readers_read_differently(measures, english_client_for):
    m, w = measures, measures.world
    response = send("cell", m, english_client_for(w.contributor_a), m.count, w.unit_a, value="1,500")
    assert_refused("cell", response, "value", "write 1,5 or 1500")
    assert not Figure.objects.exists()


@pytest.mark.parametrize("channel", APIS)
@pytest.mark.parametrize(
    ("indicator", "fields", "field", "message"),
    [
        ("count", {"value": "1.000,5"}, "value", "Send a JSON number"),
        ("share", {"numerator": "12,5", "denominator": "50"}, "numerator", "Send a JSON number"),
        ("count", {"value": "1_000"}, "value", "Send a JSON number"),
        ("count", {"value": "\u0661\u0662"}, "value", "Send a JSON number"),
        ("count", {"value": "\uff11\uff12"}, "value", "Send a JSON number"),
        ("count", {"value": "1e3"}, "value", "Send a JSON number"),
        ("count", {"value": "+5"}, "value", "Send a JSON number"),
        ("count", {"value": 12.5}, "value", "Enter a whole number"),
        ("share", {"numerator": "0.00005", "denominator": 1}, "numerator", "it would be stored as 0"),
    ],
)
def test_the_api_takes_json_numbers_and_canonical_strings_only(
    measures, english_client_for, channel, indicator, fields, field, message
):
    m, w = measures, measures.world
    response = send(channel, m, english_client_for(w.contributor_a), getattr(m, indicator), w.unit_a, **fields)
    assert_refused(channel, response, field, message)
    assert not Figure.objects.exists()


@pytest.mark.parametrize("channel", APIS)
def test_the_api_saves_canonical_strings_and_json_numbers(measures, english_client_for, channel):
    m, w = measures, measures.world
    client = english_client_for(w.contributor_a)
    assert send(channel, m, client, m.count, w.unit_a, value="1000").status_code in (200, 201)
    assert send(channel, m, client, m.share, w.unit_a, numerator=RAW, denominator="50", raw="12.5").status_code in (
        200,
        201,
    )
    assert Figure.objects.get(indicator=m.count).value == 1000
    assert Figure.objects.get(indicator=m.share).numerator == Decimal("12.5")


# --- Point 7: every number bounded to its column ----------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("fields", "raw"),
    [
        ({"value": "1e999999999"}, ""),
        ({"value": RAW}, "1e999999999"),
        ({"value": RAW}, "1e-999999999"),
        ({"value": "100000000000000"}, ""),
        ({"value": RAW}, "100000000000000000000"),
    ],
)
def test_a_number_beyond_its_column_is_refused_with_a_message(measures, english_client_for, channel, fields, raw):
    m, w = measures, measures.world
    if channel in PAGES and raw:
        fields = {"value": raw}
    before = rollups()
    response = send(channel, m, english_client_for(w.contributor_a), m.count, w.unit_a, raw=raw, **fields)
    assert response.status_code == (422 if channel in PAGES else 400), response.content[:300]
    assert message_of(channel, response, "value").strip()
    assert not Figure.objects.exists()
    assert rollups() == before


def test_a_ratio_too_large_to_store_is_refused_before_it_is_rounded(measures):
    """numerator / denominator × factor can need 30 digits: refused, not a decimal.InvalidOperation."""
    from ambitions.services.entry import CellRefused

    m, w = measures, measures.world
    m.share_v1.__class__.objects.filter(pk=m.share_v1.pk).update(is_share=False, factor=Decimal("99999999"))
    with translation.override("en"), pytest.raises(CellRefused) as refused:
        save_cell(
            w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="99999999999999", denominator="0,0001")
        )
    assert "too large" in refused.value.errors["numerator"]


# --- Point 9: text rules and limits in every channel --------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("Goed\x00gedaan", "cannot be stored (U+0000)"),
        ("Goed\x1bgedaan", "cannot be stored (U+001B)"),
        ("x" * (COMMENT_MAX + 1), f"Use at most {COMMENT_MAX} characters"),
    ],
)
def test_a_comment_breaking_the_text_rules_is_refused_in_every_channel(
    measures, english_client_for, channel, comment, message
):
    m, w = measures, measures.world
    response = send(channel, m, english_client_for(w.contributor_a), m.count, w.unit_a, value="12", comment=comment)
    assert_refused(channel, response, "comment", message)
    assert not Figure.objects.exists()


@pytest.mark.parametrize("channel", APIS)
def test_the_api_refuses_lone_surrogates_and_huge_comments(measures, english_client_for, channel):
    """Only JSON can carry an unpaired surrogate ("\\ud800"); a form post decodes it to U+FFFD."""
    m, w = measures, measures.world
    client = english_client_for(w.contributor_a)
    response = send(channel, m, client, m.count, w.unit_a, value=12, comment="Goed \ud800 gedaan")
    assert_refused(channel, response, "comment", "cannot be stored (U+D800)")
    response = send(channel, m, client, m.count, w.unit_a, value=12, comment="x" * 2_000_000)
    assert_refused(channel, response, "comment", f"Use at most {COMMENT_MAX} characters")
    response = send(channel, m, client, m.count, w.unit_a, value=12, **{"\ud800": 1})
    assert response.status_code == 400
    assert not Figure.objects.exists()


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_comment_of_several_lines_is_kept_with_its_line_breaks(measures, english_client_for, channel):
    m, w = measures, measures.world
    comment = "Eerste regel\r\n\tTweede regel"
    response = send(channel, m, english_client_for(w.contributor_a), m.count, w.unit_a, value="12", comment=comment)
    assert response.status_code in (200, 201, 302)
    assert Figure.objects.get().comment == "Eerste regel\n\tTweede regel"


# --- Point 3: clearing a saved figure ---------------------------------------------------------------


def cleared(channel: str, indicator_name: str) -> dict:
    """The fields that empty a cell: empty inputs on a page, null in the API."""
    names = ("numerator", "denominator") if indicator_name == "share" else ("value",)
    return dict.fromkeys(names, "" if channel in PAGES else None)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("indicator_name", ["count", "share"])
def test_clearing_a_cell_deletes_its_figure_in_the_history_and_the_rollups(
    measures, english_client_for, channel, indicator_name
):
    m, w = measures, measures.world
    indicator = getattr(m, indicator_name)
    data = CellInput(value="42") if indicator_name == "count" else CellInput(numerator="21", denominator="42")
    save_cell(w.contributor_a, indicator, w.unit_a, m.period, data)
    response = send(
        channel,
        m,
        english_client_for(w.contributor_a),
        indicator,
        w.unit_a,
        revision=1,
        **cleared(channel, indicator_name),
    )
    assert response.status_code in (200, 302), response.content[:300]
    figure = Figure.objects.get()
    assert (figure.value, figure.numerator, figure.denominator, figure.revision) == (None, None, None, 2)
    history = list(FigureChange.objects.filter(figure=figure).order_by("revision").values_list("revision", "value"))
    assert history[-1] == (2, None) and history[0][1] is not None
    aggregate = ChainAggregate.objects.get(indicator=indicator, period=m.period.start)
    assert (aggregate.reported, aggregate.value_sum, aggregate.numerator_sum, aggregate.denominator_sum) == (0, 0, 0, 0)
    # The grid shows the cell empty, not the old value.
    page = english_client_for(w.contributor_a).get(grid_url(m)).text
    # An empty input has no value attribute (views/grid_rows.py).
    name = f"cell-{indicator.pk}-{w.unit_a.pk}-{'value' if indicator_name == 'count' else 'numerator'}"
    assert f'name="{name}" aria-labelledby=' in page


@pytest.mark.parametrize("channel", CHANNELS)
def test_clearing_a_figure_of_a_submitted_period_is_refused_with_a_message(measures, english_client_for, channel):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="42"))
    PeriodSubmission.objects.create(
        chain=w.chain, organisation=w.org_a, frequency=m.period.frequency, period=m.period.start,
        status=SubmissionStatus.SUBMITTED,
    )  # fmt: skip
    before = rollups()
    response = send(
        channel, m, english_client_for(w.contributor_a), m.count, w.unit_a, revision=1, **cleared(channel, "count")
    )
    assert_refused(channel, response, "value", "have been submitted: correct this figure, or ask a programme manager")
    figure = Figure.objects.get()
    assert (figure.value, figure.revision) == (42, 1)
    assert rollups() == before
    # Correcting it is still possible.
    response = send(channel, m, english_client_for(w.contributor_a), m.count, w.unit_a, revision=1, value="43")
    assert response.status_code in (200, 302)
    assert Figure.objects.get().value == 43
