"""Entering figures: the grid, one cell at a time (htmx) and the whole grid as one form (no
JavaScript). Submitting, approving, reopening, history and the index: test_entry_steps.py; the
entry items of My work: test_entry_my_work.py."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ambitions.forms.entry import fingerprint
from ambitions.models import (
    ChainAggregate,
    Figure,
    Indicator,
    VersionStatus,
)
from ambitions.periods import Period
from ambitions.services import submissions
from ambitions.services.entry import CellInput, save_cell
from tests.conftest import without_session_reads
from tests.factories import UnitFactory
from tests.measures import MISSING, adopted_version

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are checked in English (their msgids), whatever the Dutch catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def grid_url(m, period: Period | None = None, organisation=None) -> str:
    url = reverse("ambitions:entry_grid", args=[m.world.chain.slug, (period or m.period).slug])
    return url + (f"?organisatie={organisation.pk}" if organisation else "")


def cell_url(m, period: Period | None = None) -> str:
    return reverse("ambitions:entry_cell", args=[m.world.chain.slug, (period or m.period).slug])


def step_url(m, name: str, period: Period | None = None, organisation=None) -> str:
    url = reverse(f"ambitions:{name}", args=[m.world.chain.slug, (period or m.period).slug])
    return url + (f"?organisatie={organisation.pk}" if organisation else "")


def cell_post(indicator, unit, revision=0, **fields) -> dict:
    prefix = f"cell-{indicator.pk}-{unit.pk}"
    data = {"indicator": indicator.pk, "unit": unit.pk, f"{prefix}-revision": revision}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- The grid ------------------------------------------------------------------------------------


def test_it_shows_my_units_and_indicators_with_the_previous_periods(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period.shifted(-2), CellInput(value="42"))
    response = client_for(w.contributor_a).get(grid_url(m))
    assert response.status_code == 200
    html = response.text
    assert "Binnen 24 uur afgedaan" in html and "Zaken in voorraad" in html
    assert w.unit_a.name in html and w.unit_b.name not in html  # only my organisation's units
    # Ratio cells take a numerator and a denominator; sums one value.
    assert f'name="cell-{m.share.pk}-{w.unit_a.pk}-numerator"' in html
    assert f'name="cell-{m.share.pk}-{w.unit_a.pk}-denominator"' in html
    assert f'name="cell-{m.count.pk}-{w.unit_a.pk}-value"' in html
    # The previous periods are columns, with the value entered two months before.
    assert m.period.shifted(-2).short_label() in html
    assert ">42</td>" in html
    assert "data-kp-save=" in html and "data-kp-cell" in html


def test_a_programme_manager_chooses_the_organisation(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.manager)
    response = client.get(grid_url(m))
    assert response.status_code == 302
    assert response["Location"] == reverse("ambitions:entry_index", args=[w.chain.slug])
    response = client.get(grid_url(m, organisation=w.org_b))
    assert response.status_code == 200
    assert w.unit_b.name in response.text


@pytest.mark.parametrize("slug", ["2026-13", "maart", "2026-K5", "1999-01"])
def test_a_bad_period_is_not_found(measures, client_for, slug):
    response = client_for(measures.world.contributor_a).get(
        reverse("ambitions:entry_grid", args=[measures.world.chain.slug, slug])
    )
    assert response.status_code == 404


def test_the_grid_reads_in_a_constant_number_of_queries(measures, client_for, django_assert_max_num_queries):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    client.get(grid_url(m))  # warm up the session

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(grid_url(m)).status_code == 200
        return len(captured)

    small = count_queries()
    # Grow the grid: four more units and three more indicators, with figures in every period shown.
    units = [w.unit_a] + [UnitFactory(organisation=w.org_a) for _ in range(4)]
    for version in (m.share_v1, m.count_v1):
        version.reporting_units.add(*units)
    for n in range(3):
        indicator = Indicator.objects.create(ambition=m.ambition, name=f"Extra {n}", position=10 + n)
        adopted_version(indicator, units)
    for unit in units:
        for steps in range(4):
            save_cell(w.contributor_a, m.count, unit, m.period.shifted(-steps), CellInput(value=str(steps)))
    large = count_queries()
    assert large == small
    with django_assert_max_num_queries(20):
        response = client.get(grid_url(m))
    assert response.text.count("data-kp-cell") == 5 * 5


# --- One cell with htmx ------------------------------------------------------------------------


def test_a_cell_saves_with_a_dutch_decimal_comma_and_comes_back_saved(measures, client_for):
    m, w = measures, measures.world
    response = client_for(w.contributor_a).post(
        cell_url(m), cell_post(m.share, w.unit_a, numerator="12,5", denominator="50", comment="Mooi"), **HTMX
    )
    assert response.status_code == 200
    figure = Figure.objects.get(indicator=m.share, unit=w.unit_a, period=m.period.start)
    assert (figure.numerator, figure.denominator, figure.value) == (Decimal("12.5"), 50, 25)
    assert figure.comment == "Mooi"
    html = response.text
    assert html.lstrip().startswith("<tr")
    assert "Saved" in html
    # Typed with a Dutch comma and shown back so, in any UI language (numbers.for_input), with the new revision.
    assert 'value="12,5"' in html
    assert f'name="cell-{m.share.pk}-{w.unit_a.pk}-loaded" value="1:' in html  # the revision it now has
    assert 'hx-swap-oob="innerHTML"' in html  # the page's live region says so
    # The chain's roll-up changed with the save.
    assert ChainAggregate.objects.get(indicator=m.share, period=m.period.start).value(m.share_v1) == 25


def test_saving_a_cell_takes_a_constant_number_of_queries(measures, client_for):
    """The cell endpoint reads the cell once, under the roll-up lock, for the checks, the write
    and the fragment: the count must not grow with the grid, the chain or the figures stored."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    client.get(grid_url(m))  # warm up the session

    def count_queries(value: str, revision: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(cell_url(m), cell_post(m.count, w.unit_a, revision, value=value), **HTMX)
            assert response.status_code == 200, response.text
        return len(without_session_reads(captured.captured_queries))

    first = count_queries("10", 0)
    # More units, indicators and figures in the chain: the same count.
    units = [UnitFactory(organisation=w.org_a) for _ in range(4)]
    m.count_v1.reporting_units.add(*units)
    for unit in units:
        for steps in range(4):
            save_cell(w.contributor_a, m.count, unit, m.period.shifted(-steps), CellInput(value=str(steps)))
    for n in range(3):
        adopted_version(Indicator.objects.create(ambition=m.ambition, name=f"Extra {n}", position=10 + n), units)
    again = count_queries("11", 1)
    assert again == first
    # Person, chain, role, indicator, unit, the lock, the cell (definitions, figures, submission),
    # figure, history row, roll-ups, and the test's savepoints: a save that reads the cell a second
    # time would be over. The session's reads are left out (they depend on the session backend).
    # SQLite takes four more: the roll-up lock is INSERT OR IGNORE then SELECT, and the roll-ups
    # are the ORM fallback (figure sums, organisation write, organisation sums, chain write)
    # instead of PostgreSQL's one statement.
    assert again <= {"postgresql": 15, "sqlite": 19}[connection.vendor]
    assert Figure.objects.get(indicator=m.count, unit=w.unit_a, period=m.period.start).value == 11


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"numerator": "veel", "denominator": "10"}, "numerator", "Enter a number"),
        ({"numerator": "-1", "denominator": "10"}, "numerator", "cannot be negative"),
        ({"numerator": "11", "denominator": "10"}, "numerator", "cannot be greater than the denominator"),
        ({"numerator": "1", "denominator": ""}, "denominator", "both the numerator and the denominator"),
    ],
)
def test_bad_input_is_shown_at_the_cell_and_nothing_is_saved(measures, client_for, fields, field, message):
    m, w = measures, measures.world
    response = client_for(w.contributor_a).post(cell_url(m), cell_post(m.share, w.unit_a, **fields), **HTMX)
    assert response.status_code == 422
    input_id = f"id_cell-{m.share.pk}-{w.unit_a.pk}-{field}"
    # The message sits at the input and is linked to it.
    assert f'id="{input_id}-error"' in response.text
    assert message in response.text
    assert re.search(rf'id="{input_id}"[^>]*aria-invalid="true" aria-describedby="{input_id}-error"', response.text)
    # What was typed stays in the cell.
    assert f'value="{fields["numerator"]}"' in response.text
    assert not Figure.objects.exists()


def test_a_negative_sum_and_text_are_refused(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    for typed, message in (("-3", "cannot be negative"), ("drie", "Enter a number")):
        response = client.post(cell_url(m), cell_post(m.count, w.unit_a, value=typed), **HTMX)
        assert response.status_code == 422
        assert message in response.text
    assert not Figure.objects.exists()


def cell_message(html: str, key: str) -> str:
    match = re.search(rf'id="{key}-message">(.*?)</p>', html, re.S)
    assert match, f"no message for {key} in the response"
    return text_of(match.group(1)).strip()


def test_a_unit_that_does_not_report_the_indicator_is_refused(measures, client_for):
    m, w = measures, measures.world
    other_unit = UnitFactory(organisation=w.org_a, name="Eenheid Noord")
    response = client_for(w.contributor_a).post(cell_url(m), cell_post(m.count, other_unit, value="3"), **HTMX)
    assert response.status_code == 422
    assert "Eenheid Noord does not report Zaken in voorraad" in cell_message(
        response.text, f"cell-{m.count.pk}-{other_unit.pk}"
    )
    assert not Figure.objects.exists()


def test_a_period_outside_the_entry_window_is_refused(measures, client_for):
    m, w = measures, measures.world
    next_month = m.period.shifted(2)  # starts after today: not open yet
    response = client_for(w.contributor_a).post(
        cell_url(m, next_month), cell_post(m.count, w.unit_a, value="3"), **HTMX
    )
    assert response.status_code == 422
    assert "can be entered from" in response.text
    assert not Figure.objects.exists()
    # The grid shows such a period without inputs.
    page = client_for(w.contributor_a).get(grid_url(m, next_month))
    assert "Closed for entry" in page.text
    assert f'name="cell-{m.count.pk}-{w.unit_a.pk}-value"' not in page.text


def test_an_approved_period_is_locked(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="5"))
    # Every cell filled: an approval locks them all (an empty cell would stay open for a late
    # delivery: tests/ambitions/test_submission_rule.py).
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="1", denominator="2"))
    submissions.submit(w.contributor_a, w.chain, w.org_a, m.period, MISSING)
    submissions.approve(w.lead_a, w.chain, w.org_a, m.period, MISSING)
    client = client_for(w.contributor_a)
    response = client.post(cell_url(m), cell_post(m.count, w.unit_a, revision=1, value="6"), **HTMX)
    assert response.status_code == 422
    assert "approved and locked" in response.text
    assert Figure.objects.get(indicator=m.count).value == 5
    page = client.get(grid_url(m))
    assert "Locked (approved)" in page.text
    assert 'name="cell-' not in page.text  # no inputs at all
    assert "Save all figures" not in page.text


def test_an_indicator_without_an_adopted_version_is_refused(measures, client_for):
    m, w = measures, measures.world
    draft = Indicator.objects.create(ambition=m.ambition, name="Nog in bespreking", position=9)
    adopted_version(draft, [w.unit_a], status=VersionStatus.PROPOSED)
    response = client_for(w.contributor_a).post(cell_url(m), cell_post(draft, w.unit_a, value="3"), **HTMX)
    assert response.status_code == 422
    assert "Nog in bespreking has no adopted definition" in response.text
    assert not Figure.objects.exists()
    assert "Nog in bespreking" not in client_for(w.contributor_a).get(grid_url(m)).text


def test_an_implausible_value_asks_for_a_comment_at_the_cell(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    response = client.post(cell_url(m), cell_post(m.count, w.unit_a, value="20000"), **HTMX)
    assert response.status_code == 422
    assert "add a comment to explain it" in response.text
    assert " open>" in response.text  # the comment disclosure opens to show the message
    response = client.post(cell_url(m), cell_post(m.count, w.unit_a, value="20000", comment="Actiedag"), **HTMX)
    assert response.status_code == 200
    assert Figure.objects.get().value == 20000


def test_the_second_save_from_the_same_state_shows_the_other_value_and_lets_me_choose(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="10", revision=0))
    client = client_for(w.contributor_a)
    response = client.post(cell_url(m), cell_post(m.count, w.unit_a, revision=0, value="12"), **HTMX)
    assert response.status_code == 422
    message = text_of(response.text)
    assert "Saved meanwhile by Lead-A: 10. Your value has not been saved." in message
    assert Figure.objects.get().value == 10
    key = f"cell-{m.count.pk}-{w.unit_a.pk}"
    assert f'name="{key}-current" value="1"' in response.text
    assert 'value="12"' in response.text  # my input is kept

    # Keep theirs: nothing saved, the cell shows the saved value again.
    data = cell_post(m.count, w.unit_a, revision=0, value="12", current="1", resolve="theirs")
    response = client.post(cell_url(m), data, **HTMX)
    assert response.status_code == 200
    assert 'value="10"' in response.text
    assert Figure.objects.get().value == 10

    # Save mine over it, knowingly.
    data = cell_post(m.count, w.unit_a, revision=0, value="12", current="1", resolve="mine")
    response = client.post(cell_url(m), data, **HTMX)
    assert response.status_code == 200
    figure = Figure.objects.get()
    assert (figure.value, figure.revision, figure.entered_by) == (12, 2, w.contributor_a)


def test_without_htmx_a_cell_post_redirects_back_to_the_grid(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    response = client.post(cell_url(m), cell_post(m.count, w.unit_a, value="7"))
    assert response.status_code == 302
    assert response["Location"] == grid_url(m)
    assert Figure.objects.get().value == 7
    response = client.post(cell_url(m), cell_post(m.count, w.unit_a, revision=1, value="zeven"))
    assert response.status_code == 422
    assert "Enter a number" in response.text and "Nothing was saved" in response.text


def test_forged_cells_of_another_partner_or_chain_are_refused(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    # Partner B's unit: the right chain, the wrong organisation.
    assert client.post(cell_url(m), cell_post(m.count, w.unit_b, value="1"), **HTMX).status_code == 403
    # The other chain's indicator or unit forged into this chain's URL: not found.
    assert client.post(cell_url(m), cell_post(m.other_indicator, w.unit_a, value="1"), **HTMX).status_code == 404
    assert client.post(cell_url(m), cell_post(m.count, w.unit_c, value="1"), **HTMX).status_code == 404
    assert client.post(cell_url(m), {"indicator": "x", "unit": "1"}, **HTMX).status_code == 404
    # The grid of another partner.
    assert client.get(grid_url(m, organisation=w.org_b)).status_code == 403
    assert client.get(grid_url(m, organisation=w.org_c)).status_code == 404
    assert not Figure.objects.exists()


# --- The whole grid as one form (no JavaScript) --------------------------------------------------


def grid_post(m, cells: dict) -> dict:
    """The grid form as a browser posts it: every editable cell, with what the page loaded."""
    w = m.world
    data = {}
    for indicator in (m.share, m.count):
        key = f"cell-{indicator.pk}-{w.unit_a.pk}"
        figure = Figure.objects.filter(indicator=indicator, unit=w.unit_a, period=m.period.start).first()
        loaded = {} if figure is None else {"value": str(figure.value)}
        # One token per cell, '<revision>:<fingerprint>' (views/grid_rows.py); the tests below that
        # post revision and loaded apart check that form too.
        data[f"{key}-loaded"] = f"{figure.revision if figure else 0}:{fingerprint(loaded)}"
        for name in ("value", "numerator", "denominator", "comment"):
            data[f"{key}-{name}"] = ""
    data.update(cells)
    return data


def test_the_grid_saves_as_one_form_without_javascript(measures, client_for):
    m, w = measures, measures.world
    share, count = f"cell-{m.share.pk}-{w.unit_a.pk}", f"cell-{m.count.pk}-{w.unit_a.pk}"
    response = client_for(w.contributor_a).post(
        grid_url(m),
        grid_post(
            m,
            {
                f"{share}-numerator": "30",
                f"{share}-denominator": "120",
                f"{count}-value": "250",
                f"{count}-follow_up": "on",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == grid_url(m)
    saved = {f.indicator_id: f for f in Figure.objects.all()}
    assert saved[m.share.pk].value == 25
    assert saved[m.count.pk].value == 250 and saved[m.count.pk].follow_up


def test_the_grid_saves_nothing_when_one_cell_is_wrong(measures, client_for):
    m, w = measures, measures.world
    share, count = f"cell-{m.share.pk}-{w.unit_a.pk}", f"cell-{m.count.pk}-{w.unit_a.pk}"
    response = client_for(w.contributor_a).post(
        grid_url(m),
        grid_post(m, {f"{share}-numerator": "130", f"{share}-denominator": "120", f"{count}-value": "250"}),
    )
    assert response.status_code == 422
    html = response.text
    assert "Nothing was saved: 1 cell needs attention" in html
    assert "The numerator cannot be greater than the denominator." in html
    assert f'id="id_{share}-numerator-error"' in html
    assert "Not saved yet: another cell needs attention" in html  # the valid cell, as typed
    assert 'value="250"' in html
    assert not Figure.objects.exists()
    assert not ChainAggregate.objects.filter(reported__gt=0).exists()


def test_the_grid_leaves_cells_alone_that_i_did_not_change(measures, client_for):
    m, w = measures, measures.world
    client = client_for(w.contributor_a)
    page = client.get(grid_url(m))
    count = f"cell-{m.count.pk}-{w.unit_a.pk}"
    loaded = re.search(rf'name="{count}-loaded" value="(0:[0-9a-f]+)"', page.text).group(1)  # revision:fingerprint
    # Someone else saves the count cell after I loaded the grid; I only change the share.
    save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="99"))
    share = f"cell-{m.share.pk}-{w.unit_a.pk}"
    data = grid_post(m, {f"{share}-numerator": "1", f"{share}-denominator": "2"})
    data.update({f"{count}-loaded": loaded, f"{count}-value": ""})  # as the page posts it: one token
    response = client.post(grid_url(m), data)
    assert response.status_code == 302
    assert Figure.objects.get(indicator=m.count).value == 99  # not overwritten with my empty cell
    assert Figure.objects.get(indicator=m.share).value == 50


def test_the_grid_reports_a_conflict_for_a_cell_we_both_changed(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="99"))
    count = f"cell-{m.count.pk}-{w.unit_a.pk}"
    data = grid_post(m, {f"{count}-value": "5"})
    data.update({f"{count}-revision": 0, f"{count}-loaded": fingerprint({})})
    response = client_for(w.contributor_a).post(grid_url(m), data)
    assert response.status_code == 422
    assert "Saved meanwhile by Lead-A: 99" in text_of(response.text)
    assert Figure.objects.get().value == 99


def test_an_entry_after_the_deadline_is_marked_late(measures, client_for):
    m, w = measures, measures.world
    earlier = m.period.shifted(-1)  # its deadline (ten days after it ended) has passed
    client = client_for(w.contributor_a)
    response = client.post(cell_url(m, earlier), cell_post(m.count, w.unit_a, value="4"), **HTMX)
    assert response.status_code == 200
    assert ">Late</span>" in response.text
    assert Figure.objects.get().is_late
    page = client.get(grid_url(m, earlier))
    assert "Deadline passed: figures entered now are marked late." in page.text
    assert "Overdue" in page.text  # the share cell, still empty


def test_choosing_theirs_or_mine_in_the_grid_without_javascript(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.lead_a, m.count, w.unit_a, m.period, CellInput(value="99"))
    count, share = f"cell-{m.count.pk}-{w.unit_a.pk}", f"cell-{m.share.pk}-{w.unit_a.pk}"
    data = grid_post(m, {f"{count}-value": "5", f"{share}-numerator": "1", f"{share}-denominator": "4"})
    data.update({f"{count}-revision": 0, f"{count}-loaded": fingerprint({}), f"{count}-current": "1"})
    client = client_for(w.contributor_a)
    # Keep theirs: my count is dropped, the rest of the grid is saved.
    response = client.post(grid_url(m), {**data, f"{count}-resolve": ["", "theirs"]})
    assert response.status_code == 302
    assert Figure.objects.get(indicator=m.count).value == 99
    assert Figure.objects.get(indicator=m.share).value == 25
    # Save mine: over the revision I was shown.
    response = client.post(grid_url(m), {**data, f"{share}-loaded": "stale", f"{count}-resolve": ["", "mine"]})
    assert response.status_code == 302
    assert Figure.objects.get(indicator=m.count).value == 5


def test_dutch_users_see_their_figures_with_a_decimal_comma(measures, client_for):
    m, w = measures, measures.world
    save_cell(w.contributor_a, m.share, w.unit_a, m.period, CellInput(numerator="12,5", denominator="50"))
    client = client_for(w.contributor_a)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the portal's default language: Dutch
    html = client.get(grid_url(m)).text
    assert f'name="cell-{m.share.pk}-{w.unit_a.pk}-numerator" value="12,5"' in html


def test_a_cell_without_a_comment_has_a_button_that_opens_its_editor_without_javascript(measures, client_for):
    """The grid writes a comment editor only where there is a comment (the script writes the
    others when wanted); without JavaScript the cell's button saves the grid and opens its editor."""
    m, w = measures, measures.world
    share, count = f"cell-{m.share.pk}-{w.unit_a.pk}", f"cell-{m.count.pk}-{w.unit_a.pk}"
    client = client_for(w.contributor_a)
    save_cell(w.contributor_a, m.count, w.unit_a, m.period, CellInput(value="5", comment="Na de storing"))
    html = client.get(grid_url(m)).text
    assert f'name="{count}-comment"' in html and "Na de storing" in html
    assert f'name="{share}-comment"' not in html
    assert f'<button name="cel" value="{share}"' in html
    assert '<template id="entry-comment">' in html

    # The button posts the grid: what was typed is saved, and the grid comes back with the editor open.
    response = client.post(
        grid_url(m),
        {
            **grid_post(m, {f"{share}-numerator": "3", f"{share}-denominator": "4"}),
            f"{count}-comment": "Na de storing",
            "cel": share,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{grid_url(m)}?cel={share}#{share}"
    assert Figure.objects.get(indicator=m.share).numerator == 3
    opened = client.get(response["Location"]).text
    assert re.search(rf'<details class="kp-entry__details" open>.*?name="{share}-comment"', opened, re.S)
    # Unchanged, the button only opens the editor: no "nothing to save" message.
    again = client.post(grid_url(m), {"cel": count}, follow=True)
    assert again.redirect_chain == [(f"{grid_url(m)}?cel={count}#{count}", 302)]
    assert "There were no changes to save" not in again.text
    assert Figure.objects.get(indicator=m.count).comment == "Na de storing"
